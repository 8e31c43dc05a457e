"""Bybit v5 transport and authentication: one place where requests are sent, signed,
timed against the server clock and their errors typed.

- Public calls: ``GET`` with the query string in the URL.
- Private calls: :mod:`adapters.bybit.signing` headers; a GET signs its query string, a
  POST its compact JSON body, sent as exactly that text.
- Clock: ``X-BAPI-TIMESTAMP`` is our clock plus the offset to ``GET /v5/market/time``,
  re-read every ``time_sync_seconds`` and once more after retCode ``10002`` (timestamp
  outside the window), after which the request is re-signed and sent once more: 10002
  means Bybit refused it unread.
- Order deadline: a request with a ``deadline`` (an order's ``expires_at``) sends
  ``X-BAPI-RECV-WINDOW`` = the ms left until it (at most 60000), so Bybit itself refuses
  the order if it arrives later; a deadline already passed is not sent (``NotSent``).

Errors: Bybit answers most refusals with HTTP 200 and ``retCode != 0`` (kept as the error
code with ``retMsg``). ``10003``/``10004``/``10005``/``10007``/``10009``/``10010``/``33004``
(bad key, bad signature, permission, IP) are :class:`AuthenticationError`;
``10006``/``10018`` (too many visits) :class:`RateLimited`; ``110001`` (order does not
exist) :class:`OrderNotFound`; ``10016`` (server error) on an order, a timeout, a 5xx or an
unreadable 2xx after a write are :class:`Ambiguous` (look the order up by client id).
Writes are never retried. Messages never hold the key, the secret or a signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import anyio
import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters._http import JsonHttp
from adapters.bybit.parsers import error_extractor, parse_server_time, ret_error
from adapters.bybit.signing import (
    MAX_RECV_WINDOW_MS,
    Credentials,
    auth_headers,
    json_body,
    query_string,
    redact,
)
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    NotConfigured,
    NotSent,
    OrderNotFound,
    RateLimited,
    VenueError,
    VenueRejected,
    VenueTimeout,
)

DEFAULT_BASE_URL = "https://api.bybit.com"
TESTNET_BASE_URL = "https://api-testnet.bybit.com"
PATH_TIME = "/v5/market/time"

AUTH_CODES = frozenset({"10003", "10004", "10005", "10007", "10009", "10010", "33004"})
RATE_CODES = frozenset({"10006", "10018"})
TIMESTAMP_CODE = "10002"
ORDER_NOT_FOUND = "110001"
SERVER_ERROR = "10016"


def refine(error: VenueError, idempotent: bool) -> VenueError:
    """Bybit retCodes onto the typed errors (see the module docstring)."""
    code = error.code
    if isinstance(error, MalformedResponse) and not idempotent:
        return Ambiguous(error.venue, error.message, code)
    if code is None or isinstance(error, Ambiguous | NotSent | NetworkError | VenueTimeout):
        return error
    if code in AUTH_CODES:
        return AuthenticationError(error.venue, error.message, code)
    if code in RATE_CODES and not isinstance(error, RateLimited):
        return RateLimited(error.venue, error.message, code, error.retry_after)
    if code == ORDER_NOT_FOUND:
        return OrderNotFound(error.venue, error.message, code)
    if code == SERVER_ERROR and not idempotent:
        return Ambiguous(error.venue, error.message, code)
    return error


class BybitHttp:
    """Sends public and signed Bybit v5 requests; every answer is a ``Result``."""

    def __init__(
        self,
        venue: str,
        client: httpx.AsyncClient,
        credentials: Credentials | None,
        *,
        recv_window_ms: int,
        time_sync_seconds: float,
        max_body_bytes: int,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.venue = venue
        self.credentials = credentials
        self._client = client
        self._http = JsonHttp(
            venue, client, error_extractor=error_extractor, max_body_bytes=max_body_bytes
        )
        self._recv_window = recv_window_ms
        self._sync_every = time_sync_seconds
        self._clock = clock
        self._monotonic = monotonic
        self._offset_ms: int | None = None
        self._synced_at = 0.0
        self._lock: anyio.Lock | None = None

    async def aclose(self) -> None:
        await self._client.aclose()

    def scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        secrets = list(extra)
        if self.credentials is not None:
            secrets += [self.credentials.api_secret, self.credentials.api_key]
        clean = redact(error.message, secrets)
        return error if clean == error.message else attrs.evolve(error, message=clean)

    def not_configured(self, what: str) -> Failure[VenueError]:
        return Failure(
            NotConfigured(self.venue, f"{what} needs credentials api_key and api_secret")
        )

    async def _send(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        content: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
    ) -> Result[Any, VenueError]:
        url = f"{path}?{query}" if query else path
        result = await self._http.request(
            method, url, content=content, headers=headers, idempotent=idempotent
        )
        if isinstance(result, Failure):
            return Failure(refine(result.failure(), idempotent))
        refused = ret_error(result.unwrap())
        if refused is not None:
            code, message = refused
            error = VenueRejected(self.venue, f"{method} {path}: {message}", code)
            return Failure(refine(error, idempotent))
        return result

    async def public(
        self, path: str, params: Sequence[tuple[str, str]] = ()
    ) -> Result[Any, VenueError]:
        return await self._send("GET", path, query=query_string(params), idempotent=True)

    # ------------------------------------------------------------------ clock

    def _fresh(self) -> bool:
        age = self._monotonic() - self._synced_at
        return self._offset_ms is not None and age < self._sync_every

    async def _offset(self, force: bool) -> Result[int, VenueError]:
        if self._offset_ms is not None and self._fresh() and not force:
            return Success(self._offset_ms)
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if self._offset_ms is not None and self._fresh() and not force:
                return Success(self._offset_ms)
            before = self._clock()
            body = await self.public(PATH_TIME)
            after = self._clock()
            if isinstance(body, Failure):
                return body
            server = parse_server_time(self.venue, body.unwrap())
            if isinstance(server, Failure):
                return Failure(server.failure())
            self._offset_ms = server.unwrap() - int((before + after) / 2 * 1000)
            self._synced_at = self._monotonic()
            return Success(self._offset_ms)

    # ------------------------------------------------------------------ signed

    async def signed(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Mapping[str, Any] | None = None,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[Any, VenueError]:
        """A private request (GET with ``params``, POST with ``body``)."""
        credentials = self.credentials
        if credentials is None:
            return self.not_configured(f"{method} {path}")
        query = query_string(params) if method == "GET" else ""
        content = json_body(body or {}) if method != "GET" else None
        payload = query if method == "GET" else (content or "")
        result: Result[Any, VenueError] = Failure(NotSent(self.venue, f"{method} {path}"))
        for attempt in range(2):
            offset = await self._offset(force=attempt > 0)
            if isinstance(offset, Failure):
                return offset
            local_ms = int(self._clock() * 1000)
            window = self._recv_window
            if deadline is not None:
                window = min(int(deadline.timestamp() * 1000) - local_ms, MAX_RECV_WINDOW_MS)
                if window < 1:
                    return Failure(
                        NotSent(self.venue, f"{method} {path}: the order's deadline passed")
                    )
            headers = auth_headers(credentials, local_ms + offset.unwrap(), window, payload)
            if content is not None:
                headers["Content-Type"] = "application/json"
            result = await self._send(
                method,
                path,
                query=query,
                content=content,
                headers=headers,
                idempotent=idempotent,
            )
            if isinstance(result, Failure):
                error = self.scrub(result.failure(), [headers["X-BAPI-SIGN"]])
                if error.code == TIMESTAMP_CODE and attempt == 0:
                    continue
                return Failure(error)
            return result
        return result


__all__ = ["DEFAULT_BASE_URL", "TESTNET_BASE_URL", "BybitHttp", "refine"]
