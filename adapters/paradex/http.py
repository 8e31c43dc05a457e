"""Paradex REST transport (public GETs): request budget, JSON decoding, error mapping.

Errors come with a 4xx/5xx status and ``{"error": "<IDENTIFIER>", "message": "..."}``
(docs.paradex.trade API reference, ``responses.ApiError``; allowed identifiers include
``VALIDATION_ERROR``, ``BINDING_ERROR``, ``INTERNAL_ERROR``, ``NOT_FOUND``...). The kit's
:class:`~adapters.kit.http.JsonHttp` classifies by status (429 -> ``RateLimited`` with its
``Retry-After``, 5xx retried on reads); :data:`PARADEX_CODES` refines by identifier.

Private endpoints carry ``Authorization: Bearer <JWT>``; the JWT comes from
``POST /auth/{public key}`` with the headers ``PARADEX-STARKNET-ACCOUNT``,
``PARADEX-STARKNET-SIGNATURE`` (the typed ``Request`` message signed, see
:mod:`adapters.paradex.signing`), ``PARADEX-TIMESTAMP`` and ``PARADEX-SIGNATURE-EXPIRATION``
(now + 24 h, as paradex-py 0.8.2 ``auth_headers``; the path with the public key is that
version's ``auth()``), answered ``{"jwt_token": "..."}``. A token is reused until 60 s
before its ``exp`` claim (a token whose claim cannot be read: for 4 min at most); a
request answered ``INVALID_TOKEN`` (401: Paradex did not act on it) fetches a new token
and is sent once more. The token and signatures never reach an error message.

Budget: one :class:`~adapters.kit.budget.RequestBudget` of 20 requests per second for the
public endpoints (private ones share it), under Paradex's published per-IP public limit
(1,500 requests per minute per IP on docs.paradex.trade "Rate limits": UNCONFIRMED in the
copy we could read, so we stay well below it); a burst waits or is refused locally.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import anyio
import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters.kit import CodeMap, JsonHttp, RequestBudget
from adapters.paradex.parsing import error_extractor
from adapters.paradex.signing import SigningUnavailable, StarkSigner
from atomic_fp.errors import (
    AuthenticationError,
    InvalidRequest,
    MalformedResponse,
    NotConfigured,
    RateLimited,
    VenueError,
)

AUTH_SIGNATURE_TTL_S = 24 * 60 * 60
"""``PARADEX-SIGNATURE-EXPIRATION`` = timestamp + 24 h (paradex-py ``auth_headers``)."""
TOKEN_MARGIN_S = 60.0
TOKEN_FALLBACK_S = 240.0

PARADEX_CODES = CodeMap(
    auth=frozenset(
        {
            "INVALID_TOKEN", "INVALID_STARKNET_SIGNATURE", "NOT_ONBOARDED",
            "STARKNET_SIGNATURE_VERIFICATION_FAILED", "UNAUTHORIZED_ERROR",
        }
    ),
    order_not_found=frozenset({"CLIENT_ORDER_ID_NOT_FOUND", "ORDER_ID_NOT_FOUND"}),
    unknown_symbol=frozenset({"MARKET_NOT_FOUND", "INVALID_MARKET"}),
    rate_limited=frozenset({"RATE_LIMIT_EXCEEDED"}),
)  # fmt: skip
"""Paradex error identifiers onto the typed errors (identifier names as listed in ccxt
``paradex.py`` ``exceptions`` and paradex-py's generated ``responses.ErrorCode``;
UNCONFIRMED against the live API for the last two rows)."""

_SAFE = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")
_CURSOR = re.compile(r"^[A-Za-z0-9_.:\-+/=]{1,2000}$")


def query_path(path: str, params: Sequence[tuple[str, str]]) -> str:
    """``path?k=v...``. Keys and our own values are plain (identifiers, numbers); an
    opaque cursor may be base64 with ``+``, ``/`` and ``=``, which are percent-encoded;
    anything else (spaces, ``&``, control characters) is refused."""
    for key, value in params:
        if not _SAFE.match(key) or not _CURSOR.match(value):
            raise ValueError(f"paradex query parameter {key!r} has characters we do not send")
    if not params:
        return path
    return path + "?" + "&".join(f"{k}={quote(v, safe='_.:-')}" for k, v in params)


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim (seconds) of a JWT, read without checking it (the venue does)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


@attrs.define
class _Token:
    value: str
    refresh_at: float


class ParadexHttp:
    """One Paradex REST root (``.../v1``); ``signer`` (the account's Stark key) enables
    the private endpoints."""

    def __init__(
        self,
        venue: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_body_bytes: int,
        monotonic: Callable[[], float],
        max_budget_wait: float = 5.0,
        requests_per_second: float = 20.0,
        signer: StarkSigner | None = None,
        clock: Callable[[], float] | None = None,
        hint: str = "credentials",
    ) -> None:
        self.venue = venue
        self.signer = signer
        self._clock = clock if clock is not None else time.time
        self._hint = hint
        self._token: _Token | None = None
        self._token_lock = anyio.Lock()
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json"},
        )
        self._http = JsonHttp(
            venue, self.client, error_extractor=error_extractor, max_body_bytes=max_body_bytes
        )
        self._budget = RequestBudget(
            "paradex-public",
            requests_per_second,
            1.0,
            max_budget_wait,
            monotonic,
            refusal_code="budget",
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def public(
        self, path: str, params: Sequence[tuple[str, str]] = ()
    ) -> Result[Any, VenueError]:
        """``GET path`` (relative to the ``/v1`` root, no leading slash needed)."""
        try:
            url = query_path(path.lstrip("/"), params)
        except ValueError as refused:
            return Failure(InvalidRequest(self.venue, f"GET {path}: {refused} (not sent)"))
        allowed = await self._budget.acquire(self.venue, 1, f"GET {path}")
        if isinstance(allowed, Failure):
            return allowed
        result = await self._http.request("GET", url, idempotent=True)
        if isinstance(result, Failure):
            error = result.failure()
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self._budget.back_off(error.retry_after.total_seconds())
            return Failure(PARADEX_CODES.refine(error, True))
        return result

    # ------------------------------------------------------------------ private calls

    def not_configured(self, what: str) -> Failure[VenueError]:
        return Failure(NotConfigured(self.venue, f"{what} needs {self._hint} for this venue"))

    def secrets(self) -> tuple[str, ...]:
        token = self._token.value if self._token is not None else ""
        key = hex(self.signer.private_key) if self.signer is not None else ""
        return tuple(s for s in (token, key) if s)

    async def _authenticate(self, signer: StarkSigner) -> Result[_Token, VenueError]:
        now = self._clock()
        timestamp = int(now)
        try:
            headers = signer.auth_headers(timestamp, timestamp + AUTH_SIGNATURE_TTL_S)
            path = f"auth/{hex(signer.public_key)}"
        except SigningUnavailable as missing:
            return Failure(NotConfigured(self.venue, str(missing)))
        allowed = await self._budget.acquire(self.venue, 1, "POST /auth")
        if isinstance(allowed, Failure):
            return allowed
        result = await self._http.request("POST", path, headers=headers, idempotent=True)
        if isinstance(result, Failure):
            error = PARADEX_CODES.refine(result.failure(), True)
            return Failure(attrs.evolve(error, message=f"JWT not obtained: {error.message}"))
        body = result.unwrap()
        token = body.get("jwt_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            return Failure(MalformedResponse(self.venue, "POST /auth: no jwt_token in the answer"))
        expiry = jwt_expiry(token)
        refresh_at = now + TOKEN_FALLBACK_S if expiry is None else expiry - TOKEN_MARGIN_S
        return Success(_Token(token, min(refresh_at, now + AUTH_SIGNATURE_TTL_S)))

    async def _bearer(self, rejected: str | None) -> Result[str, VenueError]:
        """The current token, a new one when there is none, it is due for renewal, or
        it is the one the venue just ``rejected`` (calls that were refused together
        renew it once)."""
        signer = self.signer
        if signer is None:
            return self.not_configured("this call")
        async with self._token_lock:
            current = self._token
            if current is None or current.value == rejected or self._clock() >= current.refresh_at:
                obtained = await self._authenticate(signer)
                if isinstance(obtained, Failure):
                    return obtained
                current = self._token = obtained.unwrap()
            return Success(current.value)

    async def private(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Any = None,
        idempotent: bool,
    ) -> Result[Any, VenueError]:
        """An authorised request; never retried when not ``idempotent`` except after an
        ``INVALID_TOKEN`` refusal (the venue did not act on it)."""
        try:
            url = query_path(path.lstrip("/"), params)
        except ValueError as refused:
            return Failure(InvalidRequest(self.venue, f"{method} {path}: {refused} (not sent)"))
        result: Result[Any, VenueError] = Failure(
            AuthenticationError(self.venue, f"{method} {path}: not attempted")
        )
        rejected: str | None = None
        for _ in range(2):
            token = await self._bearer(rejected)
            if isinstance(token, Failure):
                return token
            rejected = token.unwrap()
            allowed = await self._budget.acquire(self.venue, 1, f"{method} {path}")
            if isinstance(allowed, Failure):
                return allowed
            result = await self._http.request(
                method,
                url,
                json_body=body,
                headers={"Authorization": f"Bearer {token.unwrap()}"},
                idempotent=idempotent,
            )
            if not (isinstance(result, Failure) and result.failure().code == "INVALID_TOKEN"):
                break
        if isinstance(result, Failure):
            error = PARADEX_CODES.refine(result.failure(), idempotent)
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self._budget.back_off(error.retry_after.total_seconds())
            clean = redact(error.message, self.secrets())
            return Failure(error if clean == error.message else attrs.evolve(error, message=clean))
        return result


__all__ = ["PARADEX_CODES", "ParadexHttp", "jwt_expiry", "query_path", "redact"]
