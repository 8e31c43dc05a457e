"""Binance USDⓈ-M futures venue client (REST over httpx).

Base URL: ``settings.base_url``, default ``https://fapi.binance.com``. The futures testnet
is ``https://testnet.binancefuture.com`` (the "demo" environment is
``https://demo-fapi.binance.com``; binance-connector-python ``common/constants.py``); its
keys are separate from mainnet keys. ``settings.transport`` replaces the network (tests,
offline snapshot replay); ``settings.timeout`` bounds every request.

Requests per call (what an offline replay must serve):

==========================  =================================================================
``fetch_funding_rates``     ``GET /fapi/v1/premiumIndex`` (all symbols, weight 10) and, when
                            the cached intervals are older than ``funding_info_ttl_seconds``
                            (default 600), ``GET /fapi/v1/fundingInfo``, both in flight at
                            once (one round trip). No exchangeInfo. A cached interval that
                            contradicts ``nextFundingTime`` (:mod:`atomic_fp.intervals`)
                            re-reads fundingInfo at once; a rate still in doubt carries
                            ``interval_doubt`` and is left out downstream.
``fetch_markets``           ``GET /fapi/v1/exchangeInfo`` (+ ``/fapi/v1/fundingInfo`` as above,
                            concurrently)
``fetch_order_book``        ``GET /fapi/v1/depth`` (+ markets when not cached)
``fetch_funding_history``   ``GET /fapi/v1/fundingRate`` pages (+ markets, fundingInfo)
``fetch_positions``         ``GET /fapi/v3/positionRisk`` (signed)
``fetch_balances``          ``GET /fapi/v2/balance`` (signed)
``fetch_open_orders``       ``GET /fapi/v1/openOrders`` (signed; not in the protocol)
``place_order``             ``POST /fapi/v1/order`` (signed; + markets when not cached)
``cancel_order``            ``DELETE /fapi/v1/order`` by ``origClientOrderId`` (signed)
``fetch_order``             ``GET /fapi/v1/order`` by ``origClientOrderId`` (signed)
``fetch_funding_payments``  ``GET /fapi/v1/income?incomeType=FUNDING_FEE`` pages (signed)
==========================  =================================================================

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

Not covered: hedge mode (positions fail with NotSupported), websocket streams, algo
(conditional) orders, leverage and margin-type changes, COIN-M.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

import anyio
import attrs
import httpx
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import both, guarded
from adapters._http import JsonHttp
from adapters.binance.config import BinanceConfig
from adapters.binance.fees import (
    COMMISSION_RATE_WEIGHT,
    PATH_COMMISSION_RATE,
    REFERENCE_SYMBOL,
    parse_commission_rate,
)
from adapters.binance.margin import parse_account_margin
from adapters.binance.orders import CLIENT_ORDER_ID, order_params
from adapters.binance.parsers import (
    DEFAULT_INTERVAL_HOURS,
    BinanceMarket,
    IncomeRow,
    SettledRow,
    SymbolMap,
    build_funding_history,
    embedded_error,
    error_extractor,
    parse_balances,
    parse_depth,
    parse_exchange_info,
    parse_funding_caps,
    parse_funding_info,
    parse_funding_rate_rows,
    parse_income,
    parse_order,
    parse_orders,
    parse_positions,
    parse_premium_index,
    parse_server_time,
)
from adapters.binance.signing import (
    DEFAULT_RECV_WINDOW_MS,
    MAX_RECV_WINDOW_MS,
    Credentials,
    redact,
    signed_query,
)
from adapters.binance.weights import WeightBudget, depth_limit_and_weight
from adapters.client_config import Connectable, as_settings
from adapters.published_fees import account_or_published
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    MalformedResponse,
    NetworkError,
    NotConfigured,
    NotSent,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
    VenueTimeout,
)
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PUBLIC_CAPABILITIES, TRADING_CAPABILITIES, Capability

T = TypeVar("T")

DEFAULT_BASE_URL = "https://fapi.binance.com"
TESTNET_BASE_URL = "https://testnet.binancefuture.com"

PATH_TIME = "/fapi/v1/time"
PATH_EXCHANGE_INFO = "/fapi/v1/exchangeInfo"
PATH_PREMIUM_INDEX = "/fapi/v1/premiumIndex"
PATH_FUNDING_INFO = "/fapi/v1/fundingInfo"
PATH_DEPTH = "/fapi/v1/depth"
PATH_FUNDING_RATE = "/fapi/v1/fundingRate"
PATH_ORDER = "/fapi/v1/order"
PATH_OPEN_ORDERS = "/fapi/v1/openOrders"
PATH_POSITION_RISK = "/fapi/v3/positionRisk"
PATH_BALANCE = "/fapi/v2/balance"
PATH_ACCOUNT = "/fapi/v2/account"
PATH_INCOME = "/fapi/v1/income"

FUNDING_RATES_PATHS = (PATH_PREMIUM_INDEX, PATH_FUNDING_INFO)
"""Every path ``fetch_funding_rates`` may request."""
MARKETS_PATHS = (PATH_EXCHANGE_INFO, PATH_FUNDING_INFO)
"""Every path ``fetch_markets`` may request."""

HISTORY_PAGE_LIMIT = 1000
INCOME_PAGE_LIMIT = 1000
MAX_PAGES = 1000
_MAX_INTERVAL = timedelta(hours=8)

_AUTH_CODES = frozenset({"-1002", "-1022", "-2014", "-2015"})
_RATE_CODES = frozenset({"-1003", "-1015"})
_TIMESTAMP_CODE = "-1021"
_UNKNOWN_ORDER_ON_CANCEL = "-2011"


def _option(options: Mapping[str, str], key: str, default: float) -> float:
    raw = options.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"binance option {key}={raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"binance option {key}={raw!r} must be > 0")
    return value


def _checked(rate: FundingRate) -> FundingRate:
    """``rate`` marked with why its interval is in doubt, if it still is after a refresh."""
    doubt = interval_doubt(rate)
    return rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt)


def _with_cap(rate: FundingRate, caps: Mapping[str, tuple[Decimal, Decimal]]) -> FundingRate:
    """``rate`` with its symbol's ``fundingInfo`` cap and floor, when Binance adjusted them."""
    bounds = caps.get(rate.venue_symbol or "")
    if bounds is None:
        return rate
    return attrs.evolve(rate, cap=bounds[0], floor=bounds[1])


def _millis(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(value.timestamp() * 1000)


def _refine(error: VenueError, idempotent: bool) -> VenueError:
    """Binance codes onto the typed errors (see the module docstring)."""
    code = error.code
    if isinstance(error, MalformedResponse) and not idempotent:
        # A 2xx we cannot read: the venue accepted the request and may have acted.
        return Ambiguous(error.venue, error.message, code)
    if code is None or isinstance(error, Ambiguous | NotSent | NetworkError | VenueTimeout):
        return error
    if code in _AUTH_CODES:
        return AuthenticationError(error.venue, error.message, code)
    if code == "-2013":
        return OrderNotFound(error.venue, error.message, code)
    if code == "-1121":
        return UnknownSymbol(error.venue, error.message, code)
    if code in _RATE_CODES and not isinstance(error, RateLimited):
        return RateLimited(error.venue, error.message, code, error.retry_after)
    if code == "-1007" and not idempotent:
        return Ambiguous(error.venue, error.message, code)
    return error


_LOCAL_REFUSALS = frozenset({"local-backoff", "weight-budget"})


def _joined_failure(*outcomes: Result[Any, VenueError]) -> Failure[VenueError]:
    """The failure to report for requests sent together (at least one failed): the
    venue's own answer before a local refusal it may have caused (a 418 on one request
    sets the back-off that refuses the other), otherwise the first in argument order."""
    errors = [o.failure() for o in outcomes if isinstance(o, Failure)]
    if not errors:
        raise ValueError("_joined_failure needs a failure")
    venue_said = [e for e in errors if e.code not in _LOCAL_REFUSALS]
    return Failure((venue_said or errors)[0])


class BinanceClient(Connectable):
    """:class:`~atomic_fp.venue.VenueClient` for one Binance USDⓈ-M account.

    ``settings.options`` (all optional, numbers as strings): ``recv_window_ms`` (5000),
    ``weight_per_minute`` (2000 of Binance's 2400), ``funding_requests_per_5min`` (400 of
    500, shared by fundingInfo and fundingRate), ``max_budget_wait_seconds`` (5),
    ``funding_info_ttl_seconds`` (600), ``markets_ttl_seconds`` (600),
    ``time_sync_seconds`` (600); ``quotes`` (``"USDT,USDC"``: which quote assets count as
    the USD family, in order of preference when a base has both).
    """

    def __init__(
        self,
        settings: BinanceConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "binance")
        self._credentials_given = bool(settings.credentials)
        options = settings.options
        self._exchange = settings.id
        self._venue = str(settings.id)
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._credentials = Credentials.from_settings(settings.credentials)
        self._clock = clock
        self._monotonic = monotonic
        quotes = tuple(
            q.strip() for q in options.get("quotes", "USDT,USDC").split(",") if q.strip()
        )
        if not quotes:
            raise ValueError("binance option quotes must name at least one quote asset")
        self._symbols = SymbolMap(overrides=dict(settings.symbol_overrides), quotes=quotes)
        self._recv_window = int(_option(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        if self._recv_window > MAX_RECV_WINDOW_MS:
            raise ValueError("binance option recv_window_ms must be at most 60000")
        max_wait = _option(options, "max_budget_wait_seconds", 5.0)
        self._ip_budget = WeightBudget(
            "request-weight",
            _option(options, "weight_per_minute", 2000),
            60.0,
            max_wait,
            monotonic,
        )
        self._funding_budget = WeightBudget(
            "funding-endpoints",
            _option(options, "funding_requests_per_5min", 400),
            300.0,
            max_wait,
            monotonic,
        )
        self._funding_info_ttl = _option(options, "funding_info_ttl_seconds", 600)
        self._markets_ttl = _option(options, "markets_ttl_seconds", 600)
        self._time_sync_every = _option(options, "time_sync_seconds", 600)
        self._client = httpx.AsyncClient(
            base_url=self._base_url,
            transport=settings.transport,
            timeout=httpx.Timeout(settings.timeout),
            headers={"Accept": "application/json"},
        )
        self._http = JsonHttp(
            self._venue,
            self._client,
            error_extractor=error_extractor,
            max_body_bytes=settings.max_response_bytes,
        )
        self._intervals: Mapping[str, int] | None = None
        self._caps: Mapping[str, tuple[Decimal, Decimal]] = {}
        self._intervals_at = 0.0
        self._markets: tuple[BinanceMarket, ...] | None = None
        self._markets_by_symbol: dict[Symbol, BinanceMarket] = {}
        self._markets_at = 0.0
        self._time_offset_ms: int | None = None
        self._time_synced_at = 0.0
        self._locks: dict[str, anyio.Lock] = {}

    def __repr__(self) -> str:
        trading = "with credentials" if self._credentials else "market data only"
        return f"BinanceClient({self._venue}, {self._base_url}, {trading})"

    # ------------------------------------------------------------------ protocol members

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        if self._credentials is None:
            return PUBLIC_CAPABILITIES
        return PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}

    async def aclose(self) -> None:
        await self._client.aclose()

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return self._run(self._fetch_markets())

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._fetch_funding_rates(symbols))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return self._run(self._fetch_order_book(symbol, depth))

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """The account's rates (``GET /fapi/v1/commissionRate``) with credentials, else
        (or when that fails) the published VIP 0 tier (see :mod:`adapters.published_fees`)."""
        return self._run(self._fetch_fees())

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._fetch_funding_history(symbol, start, end))

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return self._run(self._fetch_positions())

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return self._run(self._fetch_balances())

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        """``GET /fapi/v2/account`` totals + ``positionRisk`` (see ``binance/margin.py``)."""
        return self._run(self._fetch_margin())

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        positions = await self._fetch_positions()
        if isinstance(positions, Failure):
            return positions
        body = await self._signed("GET", PATH_ACCOUNT, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_account_margin(
            self._exchange, body.unwrap(), positions.unwrap(), self._symbols, self._now()
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        return Success(parsed.unwrap())

    def fetch_open_orders(
        self, symbol: Symbol | None = None
    ) -> FutureResult[tuple[Order, ...], VenueError]:
        """Open orders of one symbol, or of all (weight 40) when ``symbol`` is None."""
        return self._run(self._fetch_open_orders(symbol))

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return self._run(self._place_order(request))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._run(self._cancel_order(symbol, client_order_id))

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._run(self._fetch_order(symbol, client_order_id))

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return self._run(self._fetch_funding_payments(start, end))

    # ------------------------------------------------------------------ plumbing

    def _run(self, work: Awaitable[Result[T, VenueError]]) -> FutureResult[T, VenueError]:
        return guarded(self._venue, self._contained(work))

    async def _contained(self, work: Awaitable[Result[T, VenueError]]) -> Result[T, VenueError]:
        """Await ``work``; scrub secrets from any failure; turn stray exceptions into
        errors that carry only the exception's type (its text might hold a URL)."""
        try:
            result = await work
        except Exception as error:
            return Failure(
                MalformedResponse(self._venue, f"internal error: {type(error).__name__}")
            )
        if isinstance(result, Failure):
            return Failure(self._scrub(result.failure()))
        return result

    def _scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        secrets = list(extra)
        if self._credentials is not None:
            secrets += [self._credentials.api_secret, self._credentials.api_key]
        clean = redact(error.message, secrets)
        return error if clean == error.message else attrs.evolve(error, message=clean)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    def _not_configured(self, what: str) -> Failure[VenueError]:
        return Failure(
            NotConfigured(
                self._venue, f"{what} needs credentials api_key and api_secret for this venue"
            )
        )

    async def _send(
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
        where = f"{method} {url.split('?', 1)[0]}"
        if funding_limit:
            allowed = await self._funding_budget.acquire(self._venue, 1, where)
            if isinstance(allowed, Failure):
                return allowed
        if weight > 0:
            allowed = await self._ip_budget.acquire(self._venue, weight, where)
            if isinstance(allowed, Failure):
                return allowed
        result = await self._http.request(
            method, url, params=params, headers=headers, idempotent=idempotent
        )
        if isinstance(result, Failure):
            error = result.failure()
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self._ip_budget.back_off(error.retry_after.total_seconds())
            return Failure(_refine(error, idempotent))
        embedded = embedded_error(result.unwrap())
        if embedded is not None:
            code, message = embedded
            return Failure(
                _refine(VenueRejected(self._venue, f"{where}: {message}", code), idempotent)
            )
        return result

    async def _public(
        self, path: str, weight: int, params: Mapping[str, str] | None = None, **kw: Any
    ) -> Result[Any, VenueError]:
        return await self._send("GET", path, weight, params=params, **kw)

    def _lock(self, name: str) -> anyio.Lock:
        """One lock per cache, created on first use inside the event loop: concurrent
        calls on a cold or stale cache wait for one refresh instead of each sending it."""
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = anyio.Lock()
        return lock

    def _offset_fresh(self) -> bool:
        fresh = self._monotonic() - self._time_synced_at < self._time_sync_every
        return self._time_offset_ms is not None and fresh

    async def _server_offset(self, force: bool) -> Result[int, VenueError]:
        if self._time_offset_ms is not None and self._offset_fresh() and not force:
            return Success(self._time_offset_ms)
        async with self._lock("time"):
            if self._time_offset_ms is not None and self._offset_fresh() and not force:
                return Success(self._time_offset_ms)
            return await self._sync_time()

    async def _sync_time(self) -> Result[int, VenueError]:
        before = self._clock()
        body = await self._public(PATH_TIME, 1)
        after = self._clock()
        if isinstance(body, Failure):
            return body
        server = parse_server_time(self._venue, body.unwrap())
        if isinstance(server, Failure):
            return Failure(server.failure())
        local_ms = int((before + after) / 2 * 1000)
        self._time_offset_ms = server.unwrap() - local_ms
        self._time_synced_at = self._monotonic()
        return Success(self._time_offset_ms)

    async def _signed(
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
        credentials = self._credentials
        if credentials is None:
            return self._not_configured(f"{method} {path}")
        result: Result[Any, VenueError] = Failure(NotSent(self._venue, f"{method} {path}"))
        for attempt in range(2):
            offset = await self._server_offset(force=attempt > 0)
            if isinstance(offset, Failure):
                return offset
            local_ms = int(self._clock() * 1000)
            window = self._recv_window
            if deadline is not None:
                window = min(int(deadline.timestamp() * 1000) - local_ms, MAX_RECV_WINDOW_MS)
                if window < 1:
                    return Failure(
                        NotSent(self._venue, f"{method} {path}: the order's deadline passed")
                    )
            stamp = local_ms + offset.unwrap()
            query = signed_query(params, credentials.api_secret, stamp, window)
            result = await self._send(
                method,
                f"{path}?{query}",
                weight,
                headers={"X-MBX-APIKEY": credentials.api_key},
                idempotent=idempotent,
            )
            if isinstance(result, Failure):
                error = self._scrub(result.failure(), [query])
                if error.code == _TIMESTAMP_CODE and attempt == 0:
                    continue
                return Failure(error)
            return result
        return result

    # ------------------------------------------------------------------ caches

    def _intervals_fresh(self) -> Mapping[str, int] | None:
        fresh = self._monotonic() - self._intervals_at < self._funding_info_ttl
        return self._intervals if fresh else None

    async def _funding_intervals(self) -> Result[Mapping[str, int], VenueError]:
        cached = self._intervals_fresh()
        if cached is not None:
            return Success(cached)
        async with self._lock("intervals"):
            cached = self._intervals_fresh()
            if cached is not None:
                return Success(cached)
            return await self._read_funding_info()

    async def _read_funding_info(self) -> Result[Mapping[str, int], VenueError]:
        body = await self._public(PATH_FUNDING_INFO, 1, funding_limit=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_funding_info(self._venue, body.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        caps = parse_funding_caps(self._venue, body.unwrap())
        if isinstance(caps, Failure):
            return Failure(caps.failure())
        self._caps = caps.unwrap()
        self._intervals = parsed.unwrap()
        self._intervals_at = self._monotonic()
        return Success(self._intervals)

    async def _load_markets(self) -> Result[tuple[BinanceMarket, ...], VenueError]:
        # Independent requests, joined after both answer: one round trip, not two.
        intervals, body = await both(self._funding_intervals(), self._public(PATH_EXCHANGE_INFO, 1))
        if isinstance(intervals, Failure) or isinstance(body, Failure):
            return _joined_failure(intervals, body)
        parsed = parse_exchange_info(
            self._exchange, body.unwrap(), self._symbols, intervals.unwrap()
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        markets = parsed.unwrap()
        self._markets = markets
        self._markets_by_symbol = {m.market.symbol: m for m in markets}
        self._markets_at = self._monotonic()
        return Success(markets)

    def _markets_fresh(self) -> bool:
        fresh = self._monotonic() - self._markets_at < self._markets_ttl
        return self._markets is not None and fresh

    async def _market(self, symbol: Symbol) -> Result[BinanceMarket, VenueError]:
        if not self._markets_fresh():
            async with self._lock("markets"):
                if not self._markets_fresh():
                    loaded = await self._load_markets()
                    if isinstance(loaded, Failure):
                        return loaded
        market = self._markets_by_symbol.get(symbol)
        if market is None:
            return Failure(
                UnknownSymbol(self._venue, f"{symbol} is not a trading USD-quoted perpetual here")
            )
        return Success(market)

    # ------------------------------------------------------------------ market data

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        async with self._lock("markets"):
            loaded = await self._load_markets()
        if isinstance(loaded, Failure):
            return loaded
        return Success(tuple(m.market for m in loaded.unwrap()))

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        # Independent requests, joined after both answer: one round trip, not two.
        read_before = self._intervals_at
        intervals, body = await both(
            self._funding_intervals(), self._public(PATH_PREMIUM_INDEX, 10)
        )
        if isinstance(intervals, Failure) or isinstance(body, Failure):
            return _joined_failure(intervals, body)
        parsed = parse_premium_index(
            self._exchange, body.unwrap(), self._symbols, intervals.unwrap()
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        rates = parsed.unwrap()
        if symbols is not None:
            wanted = set(symbols)
            rates = tuple(rate for rate in rates if rate.symbol in wanted)
        cached = self._intervals_at == read_before  # fundingInfo not read in this call
        if cached and any(interval_doubt(rate) for rate in rates):
            # A cached fundingInfo interval contradicts premiumIndex's nextFundingTime (the
            # venue changed it): read fundingInfo again now, whatever its TTL says.
            async with self._lock("intervals"):
                fresh = await self._read_funding_info()
            if isinstance(fresh, Failure):
                return Failure(fresh.failure())
            reparsed = parse_premium_index(
                self._exchange, body.unwrap(), self._symbols, fresh.unwrap()
            )
            if isinstance(reparsed, Failure):
                return Failure(reparsed.failure())
            wanted_symbols = {rate.symbol for rate in rates}
            rates = tuple(rate for rate in reparsed.unwrap() if rate.symbol in wanted_symbols)
        return Success(tuple(_checked(_with_cap(rate, self._caps)) for rate in rates))

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return market
        limit, weight = depth_limit_and_weight(depth)
        body = await self._public(
            PATH_DEPTH, weight, {"symbol": market.unwrap().venue_symbol, "limit": str(limit)}
        )
        if isinstance(body, Failure):
            return body
        book = parse_depth(self._exchange, body.unwrap(), symbol, depth)
        return Failure(book.failure()) if isinstance(book, Failure) else Success(book.unwrap())

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "history needs aware start < end"))
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return market
        intervals = await self._funding_intervals()
        if isinstance(intervals, Failure):
            return intervals
        venue_symbol = market.unwrap().venue_symbol
        fallback = intervals.unwrap().get(venue_symbol, DEFAULT_INTERVAL_HOURS)
        # One maximal interval earlier, so the first row in range has its predecessor
        # and its interval comes from a real gap.
        cursor = _millis(start - _MAX_INTERVAL)
        last_ms = _millis(end) - 1
        rows: list[SettledRow] = []
        for _ in range(MAX_PAGES):
            body = await self._public(
                PATH_FUNDING_RATE,
                1,
                {
                    "symbol": venue_symbol,
                    "startTime": str(cursor),
                    "endTime": str(last_ms),
                    "limit": str(HISTORY_PAGE_LIMIT),
                },
                funding_limit=True,
            )
            if isinstance(body, Failure):
                return body
            page = parse_funding_rate_rows(self._venue, body.unwrap(), venue_symbol)
            if isinstance(page, Failure):
                return Failure(page.failure())
            page_rows = page.unwrap()
            rows.extend(page_rows)
            if len(page_rows) < HISTORY_PAGE_LIMIT:
                break
            newest = max(row.funding_time_ms for row in page_rows)
            if newest < cursor:
                return Failure(
                    MalformedResponse(self._venue, "fundingRate pagination did not advance")
                )
            cursor = newest + 1
            if cursor > last_ms:
                break
        else:
            return Failure(MalformedResponse(self._venue, f"fundingRate: over {MAX_PAGES} pages"))
        built = build_funding_history(self._venue, self._exchange, rows, symbol, fallback)
        if isinstance(built, Failure):
            return Failure(built.failure())
        return Success(
            tuple(
                rate
                for rate in built.unwrap()
                if rate.funding_time is not None and start <= rate.funding_time < end
            )
        )

    # ------------------------------------------------------------------ account

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if self._credentials is None:
            return Success(account_or_published("binance", None))
        body = await self._signed(
            "GET",
            PATH_COMMISSION_RATE,
            [("symbol", REFERENCE_SYMBOL)],
            COMMISSION_RATE_WEIGHT,
            idempotent=True,
        )
        account: Result[FeeQuote, VenueError] = body
        if isinstance(body, Success):
            parsed = parse_commission_rate(self._venue, body.unwrap())
            account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("binance", account))

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if self._credentials is None:
            return self._not_configured("positions")
        body = await self._signed("GET", PATH_POSITION_RISK, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        return parse_positions(self._exchange, body.unwrap(), self._symbols, self._now())

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if self._credentials is None:
            return self._not_configured("balances")
        body = await self._signed("GET", PATH_BALANCE, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_balances(self._exchange, body.unwrap(), self._now())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def _fetch_open_orders(
        self, symbol: Symbol | None
    ) -> Result[tuple[Order, ...], VenueError]:
        if self._credentials is None:
            return self._not_configured("open orders")
        params: list[tuple[str, str]] = []
        weight = 40
        if symbol is not None:
            market = await self._market(symbol)
            if isinstance(market, Failure):
                return market
            params = [("symbol", market.unwrap().venue_symbol)]
            weight = 1
        body = await self._signed("GET", PATH_OPEN_ORDERS, params, weight, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_orders(self._exchange, body.unwrap(), self._symbols)
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def _order_call(
        self,
        method: str,
        market: BinanceMarket,
        params: list[tuple[str, str]],
        weight: int,
        deadline: datetime | None = None,
    ) -> Result[Order, VenueError]:
        body = await self._signed(
            method, PATH_ORDER, params, weight, idempotent=method == "GET", deadline=deadline
        )
        if isinstance(body, Failure):
            return body
        parsed = parse_order(self._exchange, body.unwrap(), self._symbols)
        if isinstance(parsed, Failure):
            error = parsed.failure()
            if method != "GET":
                # The venue acted (HTTP 2xx) but we cannot read what it did.
                return Failure(Ambiguous(self._venue, f"{method} {PATH_ORDER}: {error.message}"))
            return Failure(error)
        return Success(parsed.unwrap())

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        if self._credentials is None:
            return self._not_configured("place_order")
        if request.exchange != self._exchange:
            return Failure(
                InvalidRequest(self._venue, f"order is for venue {request.exchange}, not this one")
            )
        market = await self._market(request.symbol)
        if isinstance(market, Failure):
            return Failure(
                attrs.evolve(
                    market.failure(), message=f"order not sent: {market.failure().message}"
                )
            )
        params = order_params(self._venue, request, market.unwrap())
        if isinstance(params, Failure):
            return Failure(params.failure())
        return await self._order_call(
            "POST", market.unwrap(), params.unwrap(), 0, request.expires_at
        )

    def _by_client_id(self, market: BinanceMarket, client_order_id: str) -> list[tuple[str, str]]:
        return [("symbol", market.venue_symbol), ("origClientOrderId", client_order_id)]

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        if self._credentials is None:
            return self._not_configured("fetch_order")
        if not CLIENT_ORDER_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, "client order id has invalid characters"))
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return market
        params = self._by_client_id(market.unwrap(), client_order_id)
        return await self._order_call("GET", market.unwrap(), params, 1)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        """Cancel by client id. Binance answers ``-2011`` ("Unknown order sent.") both for
        an order it never saw and for one already filled/cancelled, so that case is
        followed by a lookup: the order in its final state, or ``OrderNotFound``."""
        if self._credentials is None:
            return self._not_configured("cancel_order")
        if not CLIENT_ORDER_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, "client order id has invalid characters"))
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return market
        params = self._by_client_id(market.unwrap(), client_order_id)
        cancelled = await self._order_call("DELETE", market.unwrap(), params, 1)
        if isinstance(cancelled, Failure) and cancelled.failure().code == _UNKNOWN_ORDER_ON_CANCEL:
            return await self._order_call("GET", market.unwrap(), params, 1)
        return cancelled

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """Income rows of type FUNDING_FEE with ``start <= time < end``, oldest first.

        Pages of 1000 move ``startTime`` (inclusive) to the newest row's time and drop
        rows already seen (``tranId``), since a settlement stamps all symbols' payments
        with the same millisecond. Binance keeps three months of income history.
        """
        if self._credentials is None:
            return self._not_configured("funding payments")
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "payments need aware start < end"))
        cursor = _millis(start)
        last_ms = _millis(end) - 1
        seen: set[str] = set()
        rows: list[IncomeRow] = []
        for _ in range(MAX_PAGES):
            body = await self._signed(
                "GET",
                PATH_INCOME,
                [
                    ("incomeType", "FUNDING_FEE"),
                    ("startTime", str(cursor)),
                    ("endTime", str(last_ms)),
                    ("limit", str(INCOME_PAGE_LIMIT)),
                ],
                30,
                idempotent=True,
            )
            if isinstance(body, Failure):
                return body
            page = parse_income(self._exchange, body.unwrap(), self._symbols)
            if isinstance(page, Failure):
                return Failure(page.failure())
            page_rows = page.unwrap()
            fresh = [row for row in page_rows if row.tran_id not in seen]
            seen.update(row.tran_id for row in fresh)
            rows.extend(fresh)
            if len(page_rows) < INCOME_PAGE_LIMIT:
                break
            newest = max(row.time_ms for row in page_rows)
            if not fresh:
                return Failure(
                    MalformedResponse(
                        self._venue, "income pagination cannot advance (a full page at one time)"
                    )
                )
            cursor = newest
        else:
            return Failure(MalformedResponse(self._venue, f"income: over {MAX_PAGES} pages"))
        payments = sorted(
            (row for row in rows if _millis(start) <= row.time_ms <= last_ms),
            key=lambda row: row.time_ms,
        )
        return Success(tuple(row.payment for row in payments))


def create(settings: VenueSettings) -> BinanceClient:
    """Venue factory registered as ``adapters.binance.client:create``."""
    return BinanceClient(settings)


__all__ = [
    "DEFAULT_BASE_URL",
    "FUNDING_RATES_PATHS",
    "MARKETS_PATHS",
    "TESTNET_BASE_URL",
    "BinanceClient",
    "create",
]
