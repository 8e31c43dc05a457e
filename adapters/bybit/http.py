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

Rate limit: one :class:`~adapters.kit.budget.RequestBudget` of ``requests_per_5s`` (500
of Bybit's 600 requests per 5 s per IP, bybit-exchange.github.io/docs/v5/rate-limit); a
request it cannot admit within ``max_budget_wait_seconds`` is refused unsent
(:class:`~atomic_fp.errors.RefusedLocally`). Bybit answers an IP over that limit with
HTTP 403 "access too frequent" and asks for at least 10 minutes' pause (same page): a 403
is :class:`RateLimited` with ``retry_after`` 600 s and the budget refuses everything until
then, instead of hammering a venue that banned us.

Errors: Bybit answers most refusals with HTTP 200 and ``retCode != 0`` (kept as the error
code with ``retMsg``). ``10003``/``10004``/``10005``/``10007``/``10009``/``10010``/``33004``
(bad key, bad signature, permission, IP, expired key) are :class:`AuthenticationError`
(10007 on a write is :class:`Ambiguous`, see ``AMBIGUOUS_AUTH_CODE``);
``10006``/``10018`` (too many visits) :class:`RateLimited`; ``110001`` (order does not
exist) :class:`OrderNotFound`; ``10016`` (server error) on an order, a timeout, a 5xx or an
unreadable 2xx after a write are :class:`Ambiguous` (look the order up by client id).
Writes are never retried. Messages never hold the key, the secret or a signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters.bybit.parsing import error_extractor, parse_server_time, ret_error
from adapters.bybit.signing import (
    MAX_RECV_WINDOW_MS,
    Credentials,
    auth_headers,
    json_body,
    query_string,
    redact,
)
from adapters.kit import CodeMap, JsonHttp, RequestBudget, TtlCache
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    NotConfigured,
    NotSent,
    RateLimited,
    VenueError,
    VenueRejected,
)

PATH_TIME = "/v5/market/time"

TIMESTAMP_CODE = "10002"
ORDER_NOT_FOUND = "110001"
IP_BAN_PAUSE = timedelta(minutes=10)
CODES = CodeMap(
    auth=frozenset({"10003", "10004", "10005", "10007", "10009", "10010", "33004"}),
    order_not_found=frozenset({ORDER_NOT_FOUND}),
    rate_limited=frozenset({"10006", "10018"}),
    ambiguous_on_write=frozenset({"10016"}),
)
"""Bybit v5 retCodes (bybit-exchange.github.io/docs/v5/error; patisson-bybit-sdk
``ret_code.rs``) onto the typed errors."""


AMBIGUOUS_AUTH_CODE = "10007"
"""v5 reads 10007 as "user authentication failed" (patisson-bybit-sdk ``ret_code.rs``),
but Bybit's older API docs as "response timeout from backend server; delivery and request
status unknown" (doc-v3 error table): on a write it is ambiguous, never a rejection."""


def refine(error: VenueError, idempotent: bool) -> VenueError:
    """A venue error typed by its retCode; an HTTP 403 (IP over the limit, the v5 error
    page's first cause) is rate limiting with Bybit's 10-minute pause."""
    if error.code == "403" and isinstance(error, AuthenticationError):
        return RateLimited(error.venue, error.message, error.code, IP_BAN_PAUSE)
    if error.code == AMBIGUOUS_AUTH_CODE and not idempotent:
        return Ambiguous(error.venue, error.message, error.code)
    return CODES.refine(error, idempotent)


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
        budget: RequestBudget,
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
        self.budget = budget
        self._clock = clock
        self._offsets: TtlCache[int] = TtlCache(time_sync_seconds, monotonic=monotonic)

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
        allowed = await self.budget.acquire(self.venue, 1, f"{method} {path}")
        if isinstance(allowed, Failure):
            return Failure(allowed.failure())
        result = await self._http.request(
            method, url, content=content, headers=headers, idempotent=idempotent
        )
        if isinstance(result, Failure):
            error = refine(result.failure(), idempotent)
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self.budget.back_off(error.retry_after.total_seconds())
            return Failure(error)
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

    async def _read_offset(self) -> Result[int, VenueError]:
        before = self._clock()
        body = await self.public(PATH_TIME)
        after = self._clock()
        if isinstance(body, Failure):
            return body
        server = parse_server_time(self.venue, body.unwrap())
        if isinstance(server, Failure):
            return Failure(server.failure())
        return Success(server.unwrap() - int((before + after) / 2 * 1000))

    async def _offset(self, force: bool) -> Result[int, VenueError]:
        """Server clock minus ours (ms), cached ``time_sync_seconds``; ``force`` re-reads."""
        if force:
            return await self._offsets.refresh(self._read_offset)
        return await self._offsets.get(self._read_offset)

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
        call = await self.prepare_signed(
            method, path, params=params, body=body, idempotent=idempotent, deadline=deadline
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self.send_signed(call.unwrap())

    async def prepare_signed(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Mapping[str, Any] | None = None,
        idempotent: bool,
        deadline: datetime | None = None,
        resync: bool = False,
    ) -> Result[SignedCall, VenueError]:
        """The signed request, nothing sent (issue 20, leg skew): ``X-BAPI-TIMESTAMP``
        and ``X-BAPI-RECV-WINDOW`` are fixed here, the window ending at ``deadline``, so
        the signature holds until then whenever it is sent; ``resync`` re-reads the
        server clock's offset first (after a ``10002``)."""
        credentials = self.credentials
        if credentials is None:
            return self.not_configured(f"{method} {path}")
        query = query_string(params) if method == "GET" else ""
        content = json_body(body or {}) if method != "GET" else None
        payload = query if method == "GET" else (content or "")
        offset = await self._offset(force=resync)
        if isinstance(offset, Failure):
            return Failure(offset.failure())
        local_ms = int(self._clock() * 1000)
        window = self._recv_window
        if deadline is not None:
            window = min(int(deadline.timestamp() * 1000) - local_ms, MAX_RECV_WINDOW_MS)
            if window < 1:
                return Failure(NotSent(self.venue, f"{method} {path}: the order's deadline passed"))
        headers = auth_headers(credentials, local_ms + offset.unwrap(), window, payload)
        if content is not None:
            headers["Content-Type"] = "application/json"
        return Success(
            SignedCall(
                method,
                path,
                tuple(params),
                None if body is None else dict(body),
                idempotent,
                deadline,
                query,
                content,
                headers,
                resync,
            )
        )

    async def send_signed(self, call: SignedCall) -> Result[Any, VenueError]:
        """Send a prepared request; a ``10002`` (timestamp outside the window) on the
        first try resyncs the clock and signs and sends once more, as :meth:`signed`
        always did."""
        result = await self._send(
            call.method,
            call.path,
            query=call.query,
            content=call.content,
            headers=call.headers,
            idempotent=call.idempotent,
        )
        if isinstance(result, Failure):
            error = self.scrub(result.failure(), [call.headers["X-BAPI-SIGN"]])
            if error.code == TIMESTAMP_CODE and not call.resynced:
                again = await self.prepare_signed(
                    call.method,
                    call.path,
                    params=call.params,
                    body=call.body,
                    idempotent=call.idempotent,
                    deadline=call.deadline,
                    resync=True,
                )
                if isinstance(again, Failure):
                    return Failure(again.failure())
                return await self.send_signed(again.unwrap())
            return Failure(error)
        return result


@attrs.frozen
class SignedCall:
    """A signed Bybit request ready to send (see :meth:`BybitHttp.prepare_signed`)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    body: dict[str, Any] | None
    idempotent: bool
    deadline: datetime | None
    query: str
    content: str | None
    headers: dict[str, str] = attrs.field(repr=False)
    resynced: bool = False


__all__ = ["CODES", "BybitHttp", "SignedCall", "refine"]
