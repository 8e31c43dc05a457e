"""Binance HMAC-SHA256 request signing.

A signed request carries every parameter plus ``timestamp`` (ms, server clock) and
``recvWindow`` in its query string, then ``signature`` = hex HMAC-SHA256(secret, that exact
query string), appended last; the API key travels in the ``X-MBX-APIKEY`` header
(Binance USDⓈ-M "General Info / SIGNED endpoint security"; binance-futures-connector-python
``lib/authentication.py``). We send the parameters of every method (GET, POST, DELETE) in
the query string, never in a form body, so the signed text is exactly the text on the wire.

The query string is built here once (``urlencode``, percent-encoding everything outside
``[A-Za-z0-9_.-~]``) and sent verbatim, so what is signed is byte-for-byte what Binance
receives.

Secrets never leave this module except as the HMAC: :class:`Credentials` hides them from
``repr``, and :func:`redact` scrubs the key, the secret and any signature-shaped hex string
from text that may end up in an error message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlencode

import attrs

from adapters.kit.facade import redact as kit_redact

DEFAULT_RECV_WINDOW_MS = 5_000
"""Binance's default; the venue accepts at most 60 000 ms."""
MAX_RECV_WINDOW_MS = 60_000
"""Binance refuses a larger recvWindow (research notes A7)."""


def recv_window_until(
    deadline: datetime | None, now_ms: int, default_ms: int, cap_ms: int
) -> int | None:
    """The ``recvWindow`` of a request signed at ``now_ms`` (Binance and Aster alike):
    ``default_ms``, or with a ``deadline`` (an order's ``expires_at``) the ms left until it,
    at most ``cap_ms`` (the venue's cap: its own deadline is then the earlier one), so the
    venue refuses the request if it arrives later, whenever it is sent. ``None`` once the
    deadline has passed: nothing may be sent."""
    if deadline is None:
        return default_ms
    window = min(int(deadline.timestamp() * 1000) - now_ms, cap_ms)
    return window if window >= 1 else None


@attrs.frozen(repr=False)
class Credentials:
    """An API key and its secret. ``repr`` shows neither."""

    api_key: str
    api_secret: str

    def __repr__(self) -> str:
        return "Credentials(api_key=***, api_secret=***)"

    @classmethod
    def from_settings(cls, credentials: Mapping[str, str]) -> Credentials | None:
        """Both ``api_key`` and ``api_secret``, or ``None`` (market data only)."""
        key = credentials.get("api_key", "")
        secret = credentials.get("api_secret", "")
        if not key or not secret:
            return None
        return cls(api_key=key, api_secret=secret)


def signature(secret: str, query: str) -> str:
    """Hex HMAC-SHA256 of the query string, keyed by the API secret."""
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def encode_params(params: Sequence[tuple[str, str]]) -> str:
    """The query string of ``params`` in the given order."""
    return urlencode(list(params))


def signed_query(
    params: Sequence[tuple[str, str]],
    secret: str,
    timestamp_ms: int,
    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
) -> str:
    """``params&timestamp=..&recvWindow=..&signature=..``, ready to append after ``?``."""
    query = encode_params(
        [*params, ("timestamp", str(timestamp_ms)), ("recvWindow", str(recv_window_ms))]
    )
    return f"{query}&signature={signature(secret, query)}"


redact = kit_redact
"""``text`` with every secret and every 64-hex-digit run (a signature) masked: the kit's
one redaction (:func:`adapters.kit.facade.redact`), which every client's failures pass."""
