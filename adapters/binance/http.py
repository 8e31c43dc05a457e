"""Binance transport and auth: budgets, error codes, server clock, signed requests.

Every request first takes its weight from the IP budget (and ``fundingInfo`` /
``fundingRate`` one unit from the funding budget), both the kit's
:class:`~adapters.kit.budget.RequestBudget`. A 429/418 with ``Retry-After`` backs the IP
budget off until then.

Signed calls first read the server clock (``GET /fapi/v1/time``, re-read every
``time_sync_seconds``, default 600, and once more after a ``-1021`` timestamp error, then
the request is re-signed and sent again: ``-1021`` means Binance refused it unread).

Errors: Binance error bodies ``{"code": -1121, "msg": "Invalid symbol."}`` keep their
code and message. ``-1022`` (bad signature), ``-2014``/``-2015`` (bad key/IP/permission)
and ``-1002`` are :class:`AuthenticationError`; ``-2013`` (order does not exist) is
:class:`OrderNotFound`; ``-1121`` is :class:`UnknownSymbol`; ``-1003``/``-1015`` are
:class:`RateLimited`. Order placement and cancels are never retried; a timeout, a 5xx
(Binance documents 503 as "execution status unknown") or ``-1007`` on them is
:class:`Ambiguous`: look the order up by client id before doing anything else. Messages
never contain the API key, the secret, the signature or the signed query string.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.binance.config import DEFAULT_BASE_URL, BinanceOptions
from adapters.binance.parsers import embedded_error, error_extractor, parse_server_time
from adapters.binance.signing import (
    MAX_RECV_WINDOW_MS,
    Credentials,
    recv_window_until,
    signed_query,
)
from adapters.binance.weights import WeightBudget
from adapters.kit.budget import RequestBudget
from adapters.kit.cache import TtlCache
from adapters.kit.facade import redact
from adapters.kit.http import CodeMap, JsonHttp
from adapters.kit.http_client import async_client
from adapters.registry import VenueSettings
from atomic_fp.errors import NotConfigured, NotSent, RateLimited, VenueError, VenueRejected

PATH_TIME = "/fapi/v1/time"

CODES = CodeMap(
    auth=frozenset({"-1002", "-1022", "-2014", "-2015"}),
    order_not_found=frozenset({"-2013"}),
    unknown_symbol=frozenset({"-1121"}),
    rate_limited=frozenset({"-1003", "-1015"}),
    ambiguous_on_write=frozenset({"-1007"}),
)
"""Binance codes (developers.binance.com/docs/derivatives/usds-margined-futures/error-code)."""

TIMESTAMP_CODE = "-1021"


def wire_json(settings: VenueSettings, venue: str, base_url: str) -> JsonHttp:
    """The JSON endpoint of a venue on the Binance wire (Binance, Aster): its client over
    ``settings.transport`` and Binance's error-body reader."""
    client = async_client(
        settings.transport,
        base_url=base_url,
        timeout=settings.timeout,
        headers={"Accept": "application/json"},
    )
    return JsonHttp(
        venue,
        client,
        error_extractor=error_extractor,
        max_body_bytes=settings.max_response_bytes,
    )


async def send_weighted(
    json: JsonHttp,
    budget: RequestBudget,
    method: str,
    url: str,
    weight: int,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    idempotent: bool = True,
) -> Result[Any, VenueError]:
    """One request on the Binance wire, shared by Binance and its wire clone Aster:
    ``weight`` taken from ``budget`` first (a refusal sends nothing), a 429/418's
    ``Retry-After`` backing ``budget`` off, and HTTP or embedded ``{"code", "msg"}`` errors
    refined by :data:`CODES` (``idempotent`` decides whether a 5xx, a timeout or ``-1007``
    is :class:`Ambiguous`)."""
    where = f"{method} {url.split('?', 1)[0]}"
    if weight > 0:
        allowed = await budget.acquire(json.venue, weight, where)
        if isinstance(allowed, Failure):
            return allowed
    result = await json.request(method, url, params=params, headers=headers, idempotent=idempotent)
    if isinstance(result, Failure):
        error = result.failure()
        if isinstance(error, RateLimited) and error.retry_after is not None:
            budget.back_off(error.retry_after.total_seconds())
        return Failure(CODES.refine(error, idempotent))
    embedded = embedded_error(result.unwrap())
    if embedded is not None:
        code, message = embedded
        rejected = VenueRejected(json.venue, f"{where}: {message}", code)
        return Failure(CODES.refine(rejected, idempotent))
    return result


class FundingLimitedReads:
    """``BinanceHttp``'s public reads, each also counted against the funding-endpoint
    budget (``fundingInfo`` and ``fundingRate`` share their own 500 / 5 min / IP limit)."""

    def __init__(self, http: BinanceHttp) -> None:
        self._http = http

    async def public(
        self, path: str, weight: int, params: Mapping[str, str] | None = None
    ) -> Result[Any, VenueError]:
        return await self._http.public(path, weight, params, funding_limit=True)


class BinanceHttp:
    """One Binance account's HTTP side: budgets, server-clock offset, signing."""

    def __init__(
        self,
        settings: VenueSettings,
        options: BinanceOptions,
        *,
        clock: Callable[[], float],
        monotonic: Callable[[], float],
    ) -> None:
        self.venue = str(settings.id)
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.credentials = Credentials.from_settings(settings.credentials)
        self.clock = clock
        self.recv_window = options.recv_window_ms
        max_wait = options.max_budget_wait_seconds
        self.ip_budget = WeightBudget(
            "request-weight", options.weight_per_minute, 60.0, max_wait, monotonic
        )
        self.funding_budget = WeightBudget(
            "funding-endpoints", options.funding_requests_per_5min, 300.0, max_wait, monotonic
        )
        self.json = wire_json(settings, self.venue, self.base_url)
        self.client = self.json.client
        self._offset: TtlCache[int] = TtlCache(options.time_sync_seconds, monotonic=monotonic)

    async def aclose(self) -> None:
        await self.client.aclose()

    @property
    def keyed(self) -> bool:
        return self.credentials is not None

    def secrets(self) -> Sequence[str]:
        if self.credentials is None:
            return ()
        return (self.credentials.api_secret, self.credentials.api_key)

    def not_configured(self, what: str) -> Failure[VenueError]:
        return Failure(
            NotConfigured(
                self.venue, f"{what} needs credentials api_key and api_secret for this venue"
            )
        )

    async def send(
        self,
        method: str,
        url: str,
        weight: int,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        funding_limit: bool = False,
    ) -> Result[Any, VenueError]:
        if funding_limit:
            where = f"{method} {url.split('?', 1)[0]}"
            allowed = await self.funding_budget.acquire(self.venue, 1, where)
            if isinstance(allowed, Failure):
                return allowed
        return await send_weighted(
            self.json,
            self.ip_budget,
            method,
            url,
            weight,
            params=params,
            headers=headers,
            idempotent=idempotent,
        )

    async def public(
        self, path: str, weight: int, params: Mapping[str, str] | None = None, **kw: Any
    ) -> Result[Any, VenueError]:
        return await self.send("GET", path, weight, params=params, **kw)

    async def _sync_time(self) -> Result[int, VenueError]:
        before = self.clock()
        body = await self.public(PATH_TIME, 1)
        after = self.clock()
        if isinstance(body, Failure):
            return body
        server = parse_server_time(self.venue, body.unwrap())
        if isinstance(server, Failure):
            return Failure(server.failure())
        local_ms = int((before + after) / 2 * 1000)
        return Success(server.unwrap() - local_ms)

    async def server_offset(self, force: bool) -> Result[int, VenueError]:
        """Server time minus local time in ms (cached ``time_sync_seconds``)."""
        if force:
            return await self._offset.refresh(self._sync_time)
        return await self._offset.get(self._sync_time)

    async def signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        weight: int,
        *,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[Any, VenueError]:
        """``deadline`` (an order's ``expires_at``) sets ``recvWindow`` to the time left
        until it, so Binance itself refuses the request (``-1021``) if it arrives later;
        at most 60000 ms (Binance's cap: the venue's deadline is then the earlier one)."""
        call = await self.prepare_signed(
            method, path, params, weight, idempotent=idempotent, deadline=deadline
        )
        if isinstance(call, Failure):
            return call
        return await self.send_signed(call.unwrap())

    async def prepare_signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        weight: int,
        *,
        idempotent: bool,
        deadline: datetime | None = None,
        resync: bool = False,
    ) -> Result[SignedCall, VenueError]:
        """The signed call, nothing sent (issue 20, leg skew): ``timestamp`` and
        ``recvWindow`` are fixed here, the window ending at ``deadline``, so the
        signature holds until then whenever it is sent. ``resync`` re-reads the server
        clock's offset first (after a ``-1021``)."""
        credentials = self.credentials
        if credentials is None:
            return self.not_configured(f"{method} {path}")
        offset = await self.server_offset(force=resync)
        if isinstance(offset, Failure):
            return Failure(offset.failure())
        local_ms = int(self.clock() * 1000)
        window = recv_window_until(deadline, local_ms, self.recv_window, MAX_RECV_WINDOW_MS)
        if window is None:
            return Failure(NotSent(self.venue, f"{method} {path}: the order's deadline passed"))
        stamp = local_ms + offset.unwrap()
        query = signed_query(params, credentials.api_secret, stamp, window)
        return Success(
            SignedCall(method, path, tuple(params), weight, idempotent, deadline, query, resync)
        )

    async def send_signed(self, call: SignedCall) -> Result[Any, VenueError]:
        """Send a prepared call; a ``-1021`` (timestamp outside the window) on the first
        try resyncs the clock and signs and sends once more, as :meth:`signed` always did."""
        credentials = self.credentials
        if credentials is None:
            return self.not_configured(f"{call.method} {call.path}")
        result = await self.send(
            call.method,
            f"{call.path}?{call.query}",
            call.weight,
            headers={"X-MBX-APIKEY": credentials.api_key},
            idempotent=call.idempotent,
        )
        if isinstance(result, Failure):
            error = result.failure()
            clean = redact(error.message, [call.query, *self.secrets()])
            if clean != error.message:
                error = _with_message(error, clean)
            if error.code == TIMESTAMP_CODE and not call.resynced:
                again = await self.prepare_signed(
                    call.method,
                    call.path,
                    call.params,
                    call.weight,
                    idempotent=call.idempotent,
                    deadline=call.deadline,
                    resync=True,
                )
                if isinstance(again, Failure):
                    return again
                return await self.send_signed(again.unwrap())
            return Failure(error)
        return result


@attrs.frozen
class SignedCall:
    """A signed Binance call ready to send (see :meth:`BinanceHttp.prepare_signed`)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    weight: int
    idempotent: bool
    deadline: datetime | None
    query: str = attrs.field(repr=False)
    resynced: bool = False


def _with_message(error: VenueError, message: str) -> VenueError:
    return attrs.evolve(error, message=message)


__all__ = ["CODES", "PATH_TIME", "BinanceHttp", "SignedCall", "send_weighted", "wire_json"]
