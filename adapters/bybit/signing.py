"""Bybit v5 HMAC-SHA256 request signing.

A private request carries four headers (Bybit v5 "Integration Guidance / Authentication";
research notes D): ``X-BAPI-API-KEY``, ``X-BAPI-TIMESTAMP`` (ms), ``X-BAPI-RECV-WINDOW``
(ms) and ``X-BAPI-SIGN`` = hex HMAC-SHA256(secret, ``timestamp + api_key + recv_window +
payload``) where ``payload`` is the query string of a GET and the JSON body of a POST,
byte for byte as sent. Bybit accepts the request only if
``server_time - recv_window <= timestamp < server_time + 1000``: a request that arrives
more than ``recv_window`` ms after its timestamp is refused unread (retCode 10002), which
is what makes ``recv_window`` an order deadline (see ``atomic_fp.orchestration.validity``).

The payload text is built here once and sent verbatim, so what is signed is exactly what
Bybit receives; the official SDK (``pybit``) signs the same string (checked in
``tests/adapters/bybit/test_signing.py``).

Secrets never leave this module except as the HMAC: :class:`Credentials` (an API key and
its secret, the same pair as Binance's: :class:`adapters.binance.signing.Credentials`)
hides them from ``repr``; :func:`redact` scrubs key, secret and any signature-shaped hex
run from text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from adapters.binance.signing import Credentials

DEFAULT_RECV_WINDOW_MS = 5_000
"""Bybit's default ``recv_window`` (v5 authentication guide; pybit's default too)."""
MAX_RECV_WINDOW_MS = 60_000
"""The longest window we send (the longest ``order_validity`` the config accepts). Bybit
documents no smaller cap than this for v5 (UNCONFIRMED beyond the 5000 ms default; the
window is re-measured from our own timestamp, so a shorter deadline is always honoured)."""

_HEX_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")


def query_string(params: Sequence[tuple[str, str]]) -> str:
    """The query string of ``params`` in the given order (what a GET signs and sends)."""
    return urlencode(list(params))


def json_body(body: Mapping[str, Any]) -> str:
    """The compact JSON text of a POST body (what a POST signs and sends)."""
    return json.dumps(dict(body), separators=(",", ":"))


def signature(
    secret: str, timestamp_ms: int, api_key: str, recv_window_ms: int, payload: str
) -> str:
    """Hex HMAC-SHA256 of ``timestamp + api_key + recv_window + payload``."""
    text = f"{timestamp_ms}{api_key}{recv_window_ms}{payload}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def auth_headers(
    credentials: Credentials, timestamp_ms: int, recv_window_ms: int, payload: str
) -> dict[str, str]:
    """The four ``X-BAPI-*`` headers (and ``X-BAPI-SIGN-TYPE: 2``, HMAC) of one request."""
    return {
        "X-BAPI-API-KEY": credentials.api_key,
        "X-BAPI-TIMESTAMP": str(timestamp_ms),
        "X-BAPI-RECV-WINDOW": str(recv_window_ms),
        "X-BAPI-SIGN": signature(
            credentials.api_secret, timestamp_ms, credentials.api_key, recv_window_ms, payload
        ),
        "X-BAPI-SIGN-TYPE": "2",
    }


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every secret and every 64-hex-digit run (a signature) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _HEX_SIGNATURE.sub("***", text)


__all__ = [
    "DEFAULT_RECV_WINDOW_MS",
    "MAX_RECV_WINDOW_MS",
    "Credentials",
    "auth_headers",
    "json_body",
    "query_string",
    "redact",
    "signature",
]
