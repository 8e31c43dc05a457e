"""OKX v5 transport: public and signed requests, the envelope check and error mapping.

Every answer is ``{"code": "0", "msg": "", "data": [...]}``; OKX reports most errors with
HTTP 200 and a non-zero ``code`` (a failed order row carries its own ``sCode``/``sMsg``),
auth errors with HTTP 401, rate limits with HTTP 429 and code ``50011`` (OKX v5 docs,
"Error Code / REST API"). Mapped onto the typed errors:

=====================================  =============================================
``50011``, ``50061``, HTTP 429         :class:`RateLimited`
``50100``-``50114`` except ``50102``   :class:`AuthenticationError` (frozen key, wrong
                                       environment, bad passphrase/sign/key, IP)
``50102`` (timestamp expired)          server clock re-read, request re-signed, sent
                                       once more (OKX refused it unread)
``51001`` (instrument does not exist)  :class:`UnknownSymbol`
``51603`` (order does not exist)       :class:`OrderNotFound`
``50001``/``50004``/``50013``/         :class:`Ambiguous` (service unavailable,
``50026`` on a write                   endpoint timeout "does not indicate success or
                                       failure", busy, system error: the order may
                                       have been taken)
=====================================  =============================================

Each request first takes one slot of a :class:`~adapters.kit.budget.RequestBudget`: public
calls share one (10 per 2 s), private ones another (10 per 2 s): the strictest limit among
the endpoints we call (``funding-rate`` "10 requests per 2 seconds", ``account/positions``
and ``account/balance`` likewise; OKX v5 docs per endpoint), so a burst waits or is refused
locally (:class:`RefusedLocally`) instead of earning ``50011``; a 429's ``Retry-After``
stops both until it passes.

Writes (place, cancel) are never retried; a timeout, a 5xx or an unreadable 2xx on them is
:class:`Ambiguous`. Messages never carry the key, secret, passphrase or a signature.
The request time is the local clock plus the offset to ``GET /api/v5/public/time``,
re-read every ``time_sync_seconds`` (OKX refuses a timestamp more than 30 s off).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import anyio
import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters.kit import CodeMap, JsonHttp, RequestBudget
from adapters.okx.parsing import envelope_error, error_extractor, parse_server_time
from adapters.okx.signing import (
    Credentials,
    auth_headers,
    iso_timestamp,
    json_body,
    query_path,
    redact,
)
from atomic_fp.errors import (
    InvalidRequest,
    NotConfigured,
    NotSent,
    RateLimited,
    VenueError,
    VenueRejected,
)

PATH_TIME = "/api/v5/public/time"
_RATE_CODES = frozenset({"50011", "50061"})
_AUTH_CODES = frozenset(str(code) for code in range(50100, 50115)) - {"50102"}
_TIMESTAMP_CODE = "50102"
_BUSY_CODES = frozenset({"50001", "50004", "50013", "50026"})


OKX_CODES = CodeMap(
    auth=_AUTH_CODES,
    order_not_found=frozenset({"51603"}),
    unknown_symbol=frozenset({"51001"}),
    rate_limited=_RATE_CODES,
    ambiguous_on_write=_BUSY_CODES,
)
"""OKX codes onto the typed errors (see the module docstring)."""


def refine(error: VenueError, idempotent: bool) -> VenueError:
    return OKX_CODES.refine(error, idempotent)


class OkxHttp:
    """One OKX host: public GETs, signed GETs/POSTs, server-time offset."""

    def __init__(
        self,
        venue: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_body_bytes: int,
        credentials: Credentials | None,
        clock: Callable[[], float],
        monotonic: Callable[[], float],
        simulated: bool = False,
        time_sync_seconds: float = 600.0,
        max_budget_wait: float = 5.0,
        requests_per_2s: tuple[float, float] = (10, 10),
    ) -> None:
        self.venue = venue
        self.credentials = credentials
        self._clock = clock
        self._monotonic = monotonic
        self._time_sync_every = time_sync_seconds
        headers = {"Accept": "application/json"}
        if simulated:
            headers["x-simulated-trading"] = "1"
        self.client = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers=headers,
        )
        self._http = JsonHttp(
            venue, self.client, error_extractor=error_extractor, max_body_bytes=max_body_bytes
        )
        self._public_budget = RequestBudget(
            "okx-public", requests_per_2s[0], 2.0, max_budget_wait, monotonic, refusal_code="budget"
        )
        self._private_budget = RequestBudget(
            "okx-private",
            requests_per_2s[1],
            2.0,
            max_budget_wait,
            monotonic,
            refusal_code="budget",
        )
        self._offset_ms: int | None = None
        self._synced_at = 0.0
        self._time_lock: anyio.Lock | None = None

    async def aclose(self) -> None:
        await self.client.aclose()

    def scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        secrets = list(extra) + (list(self.credentials.secrets) if self.credentials else [])
        clean = redact(error.message, secrets)
        return error if clean == error.message else attrs.evolve(error, message=clean)

    def not_configured(self, what: str) -> Failure[VenueError]:
        return Failure(
            NotConfigured(
                self.venue, f"{what} needs credentials api_key, api_secret and passphrase"
            )
        )

    async def _send(
        self,
        method: str,
        url: str,
        *,
        content: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        private: bool = False,
    ) -> Result[Any, VenueError]:
        where = f"{method} {url.split('?', 1)[0]}"
        budget = self._private_budget if private else self._public_budget
        allowed = await budget.acquire(self.venue, 1, where)
        if isinstance(allowed, Failure):
            return allowed
        result = await self._http.request(
            method, url, content=content, headers=headers, idempotent=idempotent
        )
        if isinstance(result, Failure):
            error = result.failure()
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self._public_budget.back_off(error.retry_after.total_seconds())
                self._private_budget.back_off(error.retry_after.total_seconds())
            return Failure(refine(error, idempotent))
        embedded = envelope_error(result.unwrap())
        if embedded is not None:
            code, message = embedded
            return Failure(
                refine(VenueRejected(self.venue, f"{where}: {message}", code), idempotent)
            )
        return result

    async def public(
        self, path: str, params: Sequence[tuple[str, str]] = ()
    ) -> Result[Any, VenueError]:
        try:
            url = query_path(path, params)
        except ValueError as error:
            return Failure(InvalidRequest(self.venue, f"GET {path}: {error} (not sent)"))
        return await self._send("GET", url, idempotent=True)

    # ------------------------------------------------------------------ signed

    async def _offset(self, force: bool) -> Result[int, VenueError]:
        fresh = self._monotonic() - self._synced_at < self._time_sync_every
        if self._offset_ms is not None and fresh and not force:
            return Success(self._offset_ms)
        if self._time_lock is None:
            self._time_lock = anyio.Lock()
        async with self._time_lock:
            fresh = self._monotonic() - self._synced_at < self._time_sync_every
            if self._offset_ms is not None and fresh and not force:
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

    async def signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        body: Mapping[str, str | bool] | None = None,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[Any, VenueError]:
        """A private request. ``deadline`` (an order's ``expires_at``) is sent as the
        ``expTime`` header (ms): OKX does not process a place/amend request whose
        ``expTime`` has passed when it reaches the server (OKX v5 docs, "Transaction
        timeouts": supported by place/amend (multiple) orders)."""
        call = await self.prepare_signed(
            method, path, params, body=body, idempotent=idempotent, deadline=deadline
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self.send_signed(call.unwrap())

    async def prepare_signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        body: Mapping[str, str | bool] | None = None,
        idempotent: bool,
        deadline: datetime | None = None,
        resync: bool = False,
    ) -> Result[SignedCall, VenueError]:
        """The signed request, nothing sent (issue 20, leg skew): ``OK-ACCESS-TIMESTAMP``
        and ``expTime`` (the deadline) are fixed here, so the request is valid until the
        deadline whenever it is sent; ``resync`` re-reads the server clock's offset first
        (after a ``50102``)."""
        credentials = self.credentials
        if credentials is None:
            return self.not_configured(f"{method} {path}")
        try:
            request_path = query_path(path, params)
        except ValueError as error:
            return Failure(InvalidRequest(self.venue, f"{method} {path}: {error} (not sent)"))
        text = json_body(body) if body is not None else ""
        offset = await self._offset(force=resync)
        if isinstance(offset, Failure):
            return Failure(offset.failure())
        now_ms = int(self._clock() * 1000)
        headers: dict[str, str] = {}
        if deadline is not None:
            expires_ms = int(deadline.timestamp() * 1000)
            if expires_ms <= now_ms + offset.unwrap():
                return Failure(NotSent(self.venue, f"{method} {path}: the order's deadline passed"))
            headers["expTime"] = str(expires_ms)
        stamp = datetime.fromtimestamp((now_ms + offset.unwrap()) / 1000, tz=timezone.utc)
        timestamp = iso_timestamp(stamp)
        headers.update(auth_headers(credentials, timestamp, method, request_path, text))
        if body is not None:
            headers["Content-Type"] = "application/json"
        return Success(
            SignedCall(
                method,
                path,
                tuple(params),
                None if body is None else dict(body),
                idempotent,
                deadline,
                request_path,
                text if body is not None else None,
                headers,
                resync,
            )
        )

    async def send_signed(self, call: SignedCall) -> Result[Any, VenueError]:
        """Send a prepared request; a timestamp refusal on the first try resyncs the
        clock and signs and sends once more, as :meth:`signed` always did."""
        result = await self._send(
            call.method,
            call.request_path,
            content=call.content,
            headers=call.headers,
            idempotent=call.idempotent,
            private=True,
        )
        if isinstance(result, Failure):
            failed = self.scrub(result.failure(), [call.headers["OK-ACCESS-SIGN"]])
            if failed.code == _TIMESTAMP_CODE and not call.resynced:
                again = await self.prepare_signed(
                    call.method,
                    call.path,
                    call.params,
                    body=call.body,
                    idempotent=call.idempotent,
                    deadline=call.deadline,
                    resync=True,
                )
                if isinstance(again, Failure):
                    return Failure(again.failure())
                return await self.send_signed(again.unwrap())
            return Failure(failed)
        return result


@attrs.frozen
class SignedCall:
    """A signed OKX request ready to send (see :meth:`OkxHttp.prepare_signed`)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    body: dict[str, str | bool] | None
    idempotent: bool
    deadline: datetime | None
    request_path: str
    content: str | None
    headers: dict[str, str] = attrs.field(repr=False)
    resynced: bool = False


__all__ = ["PATH_TIME", "OkxHttp", "SignedCall", "refine"]
