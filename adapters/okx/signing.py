"""OKX v5 REST request signing.

A private request carries four headers (OKX v5 docs, "REST Authentication / Making
Requests"; python-okx ``okx/utils.py``):

- ``OK-ACCESS-KEY``: the API key;
- ``OK-ACCESS-TIMESTAMP``: the request time as ISO-8601 UTC with milliseconds,
  ``2020-12-08T09:08:57.715Z``; OKX refuses a request more than 30 s from its clock
  (error ``50102``, "Timestamp request expired");
- ``OK-ACCESS-PASSPHRASE``: the passphrase chosen with the key;
- ``OK-ACCESS-SIGN``: base64 of HMAC-SHA256(secret, ``timestamp + METHOD + requestPath +
  body``), where ``requestPath`` includes the query string of a GET (``/api/v5/account/
  balance?ccy=USDT``) and ``body`` is the exact JSON text of a POST ("" for a GET).

We build the query string and the JSON body here once and send those exact bytes, so what
is signed is what OKX receives. Secrets never leave this module except as the HMAC:
:class:`Credentials` hides them from ``repr`` and :func:`redact` scrubs them and any
signature-shaped base64 string from text that may end up in an error message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

import attrs

_BASE64_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{43}=")
"""A base64 HMAC-SHA256 digest: 32 bytes are 43 characters and one ``=``."""


@attrs.frozen(repr=False)
class Credentials:
    """An API key, its secret and its passphrase. ``repr`` shows none of them."""

    api_key: str
    api_secret: str
    passphrase: str

    def __repr__(self) -> str:
        return "Credentials(api_key=***, api_secret=***, passphrase=***)"

    @classmethod
    def from_settings(cls, credentials: Mapping[str, str]) -> Credentials | None:
        """All three of ``api_key``, ``api_secret``, ``passphrase``, or ``None`` (market
        data only). Some but not all given is a configuration mistake: ``ValueError``."""
        values = [credentials.get(key, "") for key in ("api_key", "api_secret", "passphrase")]
        if not any(values):
            return None
        if not all(values):
            raise ValueError("okx credentials need all of api_key, api_secret and passphrase")
        return cls(api_key=values[0], api_secret=values[1], passphrase=values[2])

    @property
    def secrets(self) -> tuple[str, str, str]:
        return (self.api_key, self.api_secret, self.passphrase)


def iso_timestamp(moment: datetime) -> str:
    """``OK-ACCESS-TIMESTAMP`` text: UTC, millisecond precision, ``Z`` suffix."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def prehash(timestamp: str, method: str, request_path: str, body: str) -> str:
    """The signed text: ``timestamp + METHOD + requestPath + body``."""
    return f"{timestamp}{method.upper()}{request_path}{body}"


def signature(secret: str, timestamp: str, method: str, request_path: str, body: str) -> str:
    """base64 HMAC-SHA256 of :func:`prehash`, keyed by the API secret."""
    digest = hmac.new(
        secret.encode(), prehash(timestamp, method, request_path, body).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def query_path(path: str, params: Sequence[tuple[str, str]]) -> str:
    """``path?k=v&k2=v2`` in the given order (as OKX signs it); ``path`` when empty.

    Values are the venue's own identifiers and numbers (``BTC-USDT-SWAP``, ``1704067200000``):
    we refuse anything that would need percent-encoding instead of encoding it, so the
    signed path is the path on the wire."""
    for key, value in params:
        if not _SAFE.match(key) or not _SAFE.match(value):
            raise ValueError(f"okx query parameter {key!r} has characters we do not send")
    if not params:
        return path
    return path + "?" + "&".join(f"{key}={value}" for key, value in params)


_SAFE = re.compile(r"^[A-Za-z0-9._\-]*$")


def json_body(payload: Mapping[str, str | bool]) -> str:
    """The JSON text of a POST body (``json.dumps`` defaults, as the official SDK sends)."""
    return json.dumps(dict(payload))


def auth_headers(
    credentials: Credentials, timestamp: str, method: str, request_path: str, body: str
) -> dict[str, str]:
    """The four ``OK-ACCESS-*`` headers of one private request."""
    return {
        "OK-ACCESS-KEY": credentials.api_key,
        "OK-ACCESS-SIGN": signature(credentials.api_secret, timestamp, method, request_path, body),
        "OK-ACCESS-TIMESTAMP": timestamp,
        "OK-ACCESS-PASSPHRASE": credentials.passphrase,
    }


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every secret and every base64 HMAC-SHA256 digest masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _BASE64_SIGNATURE.sub("***", text)


__all__ = [
    "Credentials",
    "auth_headers",
    "iso_timestamp",
    "json_body",
    "prehash",
    "query_path",
    "redact",
    "signature",
]
