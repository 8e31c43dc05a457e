"""The Lighter venue client (zkLighter perps): REST + ``market_stats`` websocket + signed txs.

Requests it sends (base URL ``settings.base_url``, default mainnet):

- markets: ``GET /api/v1/orderBookDetails?filter=perp`` (cached for ``market_ttl`` seconds,
  option ``market_ttl_seconds``, default 300);
- current funding: the markets request above (when the cache is cold) and, for markets
  without a fresh websocket value, ``GET /api/v1/funding-rates``; with a cold cache both
  are sent at once and joined (one round trip; the rates request is then sent even if
  the feed turns out to cover every market);
- funding history: ``GET /api/v1/fundings?market_id=&resolution=1h&start_timestamp=
  &end_timestamp=&count_back=`` (windows of at most 720 hours);
- book: ``GET /api/v1/orderBookOrders?market_id=&limit=``;
- positions and balances: ``GET /api/v1/account?by=index&value=<account_index>`` (public);
- trading: ``GET /api/v1/nextNonce?account_index=&api_key_index=``, ``POST /api/v1/sendTx``
  (form fields ``tx_type``, ``tx_info``), and with an ``authorization`` header auth token
  ``GET /api/v1/accountActiveOrders`` / ``accountInactiveOrders``.

Every REST request spends one token of a 60-per-minute budget (option
``requests_per_minute``). Mark prices and live funding come from :attr:`LighterClient.feed`
(a :class:`~adapters.lighter.ws.MarketStatsFeed`) which the *caller* runs in its own task
group: ``await tg.start(client.feed.run)``. When the feed holds a value younger than
``ws_max_age`` (option ``ws_max_age_seconds``, default 30) it is used instead of REST.

Credentials (``settings.credentials``): ``account_index`` (positions, balances), plus
``api_key_index`` and ``api_private_key`` for trading, which also needs the ``lighter``
extra (lighter-sdk's native signer, see :mod:`adapters.lighter.signer`).

Client order ids: Lighter identifies our orders by an integer ``client_order_index`` in
``1 .. 2**48 - 1``. :func:`client_order_index` maps ``OrderRequest.client_order_id``
deterministically: the first 8 bytes of ``sha256(client_order_id)`` as a big-endian
integer, modulo ``2**48 - 1``, plus 1. The same id always gives the same index, so a retried
order is refused by Lighter as a duplicate (code 21728) instead of being placed twice, and
an order can be looked up or cancelled (cancel accepts the client index) from its id alone.
Two ids collide with probability about n**2 / 2**49 (1e-7 for 10,000 live ids).
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import httpx
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import both, guarded, not_supported
from adapters._http import JsonHttp
from adapters.client_config import Connectable, as_settings
from adapters.lighter.budget import RequestBudget
from adapters.lighter.config import LighterConfig
from adapters.lighter.fees import market_fees
from adapters.lighter.margin import parse_account_margin
from adapters.lighter.nonces import NonceBook
from adapters.lighter.parsers import (
    HOUR,
    LighterMarket,
    error_fields,
    next_hour,
    parse_balances,
    parse_funding_rates,
    parse_fundings,
    parse_markets,
    parse_next_nonce,
    parse_order_book,
    parse_orders,
    parse_positions,
    parse_send_tx,
)
from adapters.lighter.signer import (
    CreateOrderTx,
    LighterSigner,
    SignedTx,
    SignerError,
    load_sdk_signer,
)
from adapters.lighter.ws import DEFAULT_WS_URL, MarketStatsFeed
from adapters.published_fees import PUBLISHED_FEES, account_or_published, with_note
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    NotConfigured,
    NotSent,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingKind,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PUBLIC_CAPABILITIES, Capability

DEFAULT_BASE_URL = "https://mainnet.zklighter.elliot.ai"
CLIENT_ORDER_INDEX_MAX = 2**48 - 1
ORDER_LIMIT = 0
ORDER_MARKET = 1
TIF_IOC = 0
TIF_GTT = 1
TIF_POST_ONLY = 2
EXPIRY_28_DAYS = -1
"""``order_expiry = -1`` asks the signer for its 28-day default (lighter-sdk)."""
EXPIRY_IOC = 0
PATH_FUNDING_RATES = "/api/v1/funding-rates"
RATE_LIMITED_CODES = frozenset({"23000", "23001", "23002", "23003"})
HISTORY_WINDOW_HOURS = 720
AUTH_TOKEN_LIFETIME = timedelta(minutes=10)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def client_order_index(client_order_id: str) -> int:
    """Deterministic Lighter ``client_order_index`` (1 .. 2**48-1) of a client order id."""
    digest = hashlib.sha256(client_order_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % CLIENT_ORDER_INDEX_MAX + 1


def _scaled(value: Decimal, decimals: int, what: str) -> Result[int, InvalidRequest]:
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value() or scaled <= 0:
        return Failure(
            InvalidRequest("lighter", f"{what} {value} is not a positive multiple of 1e-{decimals}")
        )
    return Success(int(scaled))


def build_create_order(
    request: OrderRequest, market: LighterMarket
) -> Result[CreateOrderTx, InvalidRequest]:
    """The CreateOrder fields of ``request`` (pure).

    ``base_amount = size * 10**size_decimals`` and ``price = px * 10**price_decimals`` must be
    integers (0.1 ETH -> 1000, $4050 -> 405000 with decimals 4/2, lighter-sdk examples). A
    "market" order is Lighter's MARKET type + IOC + expiry 0 with ``price`` the worst
    acceptable price, so it needs ``limit_price``. Lighter has no FOK.
    """
    if request.limit_price is None:
        return Failure(
            InvalidRequest("lighter", "Lighter orders need a limit_price (the worst price)")
        )
    if request.time_in_force is TimeInForce.FOK:
        return Failure(InvalidRequest("lighter", "Lighter has no fill-or-kill orders"))
    base = _scaled(request.size, market.size_decimals, "size")
    if isinstance(base, Failure):
        return Failure(base.failure())
    price = _scaled(request.limit_price, market.price_decimals, "price")
    if isinstance(price, Failure):
        return Failure(price.failure())
    if base.unwrap() >= 2**63:
        return Failure(InvalidRequest("lighter", f"size {request.size} out of range"))
    if price.unwrap() >= 2**32:
        return Failure(InvalidRequest("lighter", f"price {request.limit_price} out of range"))
    if request.order_type is OrderType.MARKET:
        order_type, tif, expiry = ORDER_MARKET, TIF_IOC, EXPIRY_IOC
    elif request.time_in_force is TimeInForce.IOC:
        order_type, tif, expiry = ORDER_LIMIT, TIF_IOC, EXPIRY_IOC
    elif request.time_in_force is TimeInForce.POST_ONLY:
        order_type, tif, expiry = ORDER_LIMIT, TIF_POST_ONLY, EXPIRY_28_DAYS
    else:
        order_type, tif, expiry = ORDER_LIMIT, TIF_GTT, EXPIRY_28_DAYS
    return Success(
        CreateOrderTx(
            market_index=market.market_id,
            client_order_index=client_order_index(request.client_order_id),
            base_amount=base.unwrap(),
            price=price.unwrap(),
            is_ask=request.side is Side.SELL,
            order_type=order_type,
            time_in_force=tif,
            reduce_only=request.reduce_only,
            order_expiry=expiry,
        )
    )


def _sdk_present() -> bool:
    try:
        return importlib.util.find_spec("lighter") is not None
    except (ImportError, ValueError):
        return False


def _is_invalid_nonce(error: VenueError) -> bool:
    return "nonce" in error.message.lower() and "invalid" in error.message.lower()


def _option_float(options: Mapping[str, str], key: str, default: float) -> float:
    value = options.get(key)
    if value is None:
        return default
    number = float(value)
    if not number > 0:
        raise ValueError(f"option {key} must be positive, got {value!r}")
    return number


def _credential_int(credentials: Mapping[str, str], key: str) -> int | None:
    value = credentials.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"credential {key} must be an integer") from None


@attrs.define(init=False)
class LighterClient(Connectable):
    """A Lighter account, implementing :class:`atomic_fp.venue.VenueClient`.

    Built from a :class:`~adapters.lighter.config.LighterConfig` (or the registry's
    ``VenueSettings``): ``LighterClient(LighterConfig(account_index=...))``. ``signer``,
    ``clock`` and ``monotonic`` replace the SDK signer and the clocks (tests).
    """

    exchange_id: ExchangeIdentifier
    http: JsonHttp
    feed: MarketStatsFeed
    budget: RequestBudget = attrs.field(factory=RequestBudget)
    account_index: int | None = None
    api_key_index: int | None = None
    api_private_key: str | None = attrs.field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    overrides: Mapping[str, tuple[Symbol, Decimal]] = attrs.field(factory=dict)
    ws_max_age: timedelta = timedelta(seconds=30)
    market_ttl: timedelta = timedelta(minutes=5)
    clock: Clock = _utc_now
    signer: LighterSigner | None = attrs.field(default=None, repr=False)
    signer_loader: Callable[[], Result[LighterSigner, NotConfigured]] | None = attrs.field(
        default=None, repr=False
    )
    owns_http: bool = True
    _markets_cache: tuple[tuple[LighterMarket, ...], datetime] | None = None
    _signer_failure: NotConfigured | None = None
    _nonces: NonceBook | None = None
    _auth: tuple[str, datetime] | None = attrs.field(default=None, repr=False)
    _accepted: dict[int, Order] = attrs.field(factory=dict)
    """Orders whose sendTx the API accepted, by client order index (see _fetch_order)."""
    acceptance_window: timedelta = timedelta(seconds=30)

    def __init__(
        self,
        config: LighterConfig | VenueSettings,
        *,
        signer: LighterSigner | None = None,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(config, "lighter")
        clock = clock or settings.clock or _utc_now
        base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        options = settings.options
        per_minute = _option_float(options, "requests_per_minute", 60.0)
        http_client = httpx.AsyncClient(
            base_url=base_url, transport=settings.transport, timeout=settings.timeout
        )
        credentials = settings.credentials
        self.__attrs_init__(
            exchange_id=settings.id,
            http=JsonHttp(
                venue=str(settings.id),
                client=http_client,
                error_extractor=error_fields,
                max_body_bytes=settings.max_response_bytes,
            ),
            feed=MarketStatsFeed(url=settings.ws_url or DEFAULT_WS_URL, clock=clock),
            budget=RequestBudget(
                capacity=per_minute,
                period=60.0,
                max_wait=_option_float(options, "budget_max_wait_seconds", 10.0),
                clock=monotonic,
            ),
            account_index=_credential_int(credentials, "account_index"),
            api_key_index=_credential_int(credentials, "api_key_index"),
            api_private_key=credentials.get("api_private_key") or None,
            base_url=base_url,
            overrides=settings.symbol_overrides,
            ws_max_age=timedelta(seconds=_option_float(options, "ws_max_age_seconds", 30.0)),
            market_ttl=timedelta(seconds=_option_float(options, "market_ttl_seconds", 300.0)),
            clock=clock,
            signer=signer,
        )
        self._credentials_given = bool(settings.credentials)

    # ---- VenueClient ------------------------------------------------------------------

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self.exchange_id

    @property
    def venue(self) -> str:
        return str(self.exchange_id)

    @property
    def capabilities(self) -> frozenset[Capability]:
        caps = set(PUBLIC_CAPABILITIES)
        if self.account_index is not None:
            caps |= {Capability.POSITIONS, Capability.BALANCES}
        if self._trading_configured():
            caps |= {Capability.PLACE_ORDER, Capability.CANCEL_ORDER, Capability.ORDER_STATUS}
        return frozenset(caps)

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return guarded(self.venue, self._fetch_markets())

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(self.venue, self._fetch_funding_rates(symbols))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return guarded(self.venue, self._fetch_order_book(symbol, depth))

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """The fees Lighter's markets publish (``orderBookDetails``, cached with the market
        list), else (or when that fails) the published standard-account 0 %."""
        return guarded(self.venue, self._fetch_fees())

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return guarded(self.venue, self._fetch_positions())

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return guarded(self.venue, self._fetch_balances())

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return guarded(self.venue, self._place_order(request))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(self.venue, self._cancel_order(symbol, client_order_id))

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(self.venue, self._fetch_order(symbol, client_order_id))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(self.venue, self._fetch_funding_history(symbol, start, end))

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return not_supported(self.venue, "funding payments (positionFunding needs auth)")

    async def aclose(self) -> None:
        if self.owns_http:
            await self.http.client.aclose()

    # ---- REST plumbing ----------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Result[Any, VenueError]:
        spent = await self.budget.acquire(self.venue)
        if isinstance(spent, Failure):
            return Failure(spent.failure())
        answer = await self.http.request(
            method, path, params=params, data=data, headers=headers, idempotent=idempotent
        )
        if isinstance(answer, Failure):
            error = answer.failure()
            if isinstance(error, VenueRejected) and error.code in RATE_LIMITED_CODES:
                return Failure(
                    RateLimited(error.venue, error.message, error.code, error.retry_after)
                )
            return answer
        body = answer.unwrap()
        if isinstance(body, Mapping):
            code = body.get("code")
            if isinstance(code, int) and not isinstance(code, bool) and code != 200:
                message = body.get("message")
                text = f"{method} {path}: code {code}" + (
                    f": {message[:200]}" if isinstance(message, str) else ""
                )
                if str(code) in RATE_LIMITED_CODES:
                    return Failure(RateLimited(self.venue, text, str(code)))
                return Failure(VenueRejected(self.venue, text, str(code)))
        return Success(body)

    def _cached_markets(self, now: datetime) -> tuple[LighterMarket, ...] | None:
        if self._markets_cache is None:
            return None
        markets, fetched_at = self._markets_cache
        return markets if now - fetched_at < self.market_ttl else None

    async def _load_markets(
        self, force: bool = False
    ) -> Result[tuple[LighterMarket, ...], VenueError]:
        now = self.clock()
        if not force:
            cached = self._cached_markets(now)
            if cached is not None:
                return Success(cached)
        body = await self._request("GET", "/api/v1/orderBookDetails", params={"filter": "perp"})
        if isinstance(body, Failure):
            return body
        parsed = parse_markets(body.unwrap(), self.exchange_id, self.overrides)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        self._markets_cache = (parsed.unwrap(), now)
        return Success(parsed.unwrap())

    async def _market(self, symbol: Symbol) -> Result[LighterMarket, VenueError]:
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        for market in markets.unwrap():
            if market.market.symbol == symbol:
                return Success(market)
        return Failure(UnknownSymbol(self.venue, f"{symbol} is not listed on Lighter"))

    # ---- market data ------------------------------------------------------------------

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Success(account_or_published("lighter", Failure(markets.failure())))
        quote = market_fees(markets.unwrap())
        if quote is None:
            return Success(with_note(PUBLISHED_FEES["lighter"], "markets publish no fee"))
        return Success(quote)

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        markets = await self._load_markets(force=True)
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        return Success(tuple(m.market for m in markets.unwrap()))

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        prefetched: Result[Any, VenueError] | None = None
        if self._cached_markets(self.clock()) is None:
            # Cold market list: ask for the rates at the same time (one round trip, not
            # two) and join them to the list below. Unused when the feed covers all.
            loaded, prefetched = await both(
                self._load_markets(), self._request("GET", PATH_FUNDING_RATES)
            )
        else:
            loaded = await self._load_markets()
        if isinstance(loaded, Failure):
            return Failure(loaded.failure())
        markets = loaded.unwrap()
        if symbols is not None:
            listed = {m.market.symbol for m in markets}
            unknown = sorted(str(s) for s in symbols if s not in listed)
            if unknown:
                return Failure(UnknownSymbol(self.venue, f"not listed on Lighter: {unknown}"))
            wanted = set(symbols)
            markets = tuple(m for m in markets if m.market.symbol in wanted)
        now = self.clock()
        rates: list[FundingRate] = []
        missing: list[LighterMarket] = []
        for market in markets:
            live = self._ws_rate(market, now)
            if live is None:
                missing.append(market)
            else:
                rates.append(live)
        if missing:
            body = (
                prefetched
                if prefetched is not None
                else await self._request("GET", PATH_FUNDING_RATES)
            )
            if isinstance(body, Failure):
                return Failure(body.failure())
            parsed = parse_funding_rates(body.unwrap(), self.exchange_id, missing, self.clock())
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            rates.extend(self._with_ws_prices(rate, now) for rate in parsed.unwrap())
        rates.sort(key=lambda r: r.symbol)
        return Success(tuple(rates))

    def _ws_rate(self, market: LighterMarket, now: datetime) -> FundingRate | None:
        observed = self.feed.fresh(market.market_id, self.ws_max_age, now)
        if observed is None:
            return None
        stats = observed.stats
        hourly = stats.current_funding_hourly
        if hourly is None:
            return None
        seen = min(observed.received_at, stats.observed_at)
        return FundingRate(
            exchange=self.exchange_id,
            symbol=market.market.symbol,
            rate=hourly,
            interval=HOUR,
            kind=FundingKind.CURRENT,
            observed_at=seen,
            next_funding_time=next_hour(seen),
            mark_price=stats.mark_price,
            index_price=stats.index_price,
            venue_symbol=str(market.market_id),
            cap=stats.funding_cap_hourly,
            floor=None if stats.funding_cap_hourly is None else -stats.funding_cap_hourly,
            open_interest=market.market.open_interest,
            volume_24h=market.market.volume_24h,
        )

    def _with_ws_prices(self, rate: FundingRate, now: datetime) -> FundingRate:
        if rate.venue_symbol is None:
            return rate
        observed = self.feed.fresh(int(rate.venue_symbol), self.ws_max_age, now)
        if observed is None:
            return rate
        return attrs.evolve(
            rate, mark_price=observed.stats.mark_price, index_price=observed.stats.index_price
        )

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self.venue, f"depth must be positive, got {depth}"))
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        limit = min(250, max(depth * 5, 50))
        body = await self._request(
            "GET",
            "/api/v1/orderBookOrders",
            params={"market_id": market.unwrap().market_id, "limit": limit},
        )
        if isinstance(body, Failure):
            return Failure(body.failure())
        parsed = parse_order_book(body.unwrap(), self.exchange_id, symbol, self.clock(), depth)
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start.tzinfo is None or end.tzinfo is None:
            return Failure(InvalidRequest(self.venue, "start and end must be timezone-aware"))
        if end <= start:
            return Success(())
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        rates: dict[datetime, FundingRate] = {}
        cursor = start
        while cursor < end:
            chunk_end = min(end, cursor + timedelta(hours=HISTORY_WINDOW_HOURS))
            hours = int((chunk_end - cursor) / HOUR) + 1
            body = await self._request(
                "GET",
                "/api/v1/fundings",
                params={
                    "market_id": market.unwrap().market_id,
                    "resolution": "1h",
                    "start_timestamp": int(cursor.timestamp()),
                    "end_timestamp": int(chunk_end.timestamp()),
                    "count_back": hours,
                },
            )
            if isinstance(body, Failure):
                return Failure(body.failure())
            parsed = parse_fundings(body.unwrap(), self.exchange_id, market.unwrap())
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            for rate in parsed.unwrap():
                if rate.funding_time is not None and start <= rate.funding_time < end:
                    rates[rate.funding_time] = rate
            cursor = chunk_end
        return Success(tuple(rates[t] for t in sorted(rates)))

    # ---- account ----------------------------------------------------------------------

    async def _account(self) -> Result[tuple[int, Any], VenueError]:
        if self.account_index is None:
            return Failure(
                NotConfigured(self.venue, "Lighter account reads need credentials.account_index")
            )
        body = await self._request(
            "GET", "/api/v1/account", params={"by": "index", "value": self.account_index}
        )
        if isinstance(body, Failure):
            return Failure(body.failure())
        return Success((self.account_index, body.unwrap()))

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        account = await self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        index, body = account.unwrap()
        parsed = parse_positions(body, self.exchange_id, index, markets.unwrap(), self.clock())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        by_symbol = {m.market.symbol: m.market_id for m in markets.unwrap()}
        now = self.clock()
        positions = []
        for position in parsed.unwrap():
            observed = self.feed.fresh(by_symbol[position.symbol], self.ws_max_age, now)
            if observed is not None and observed.stats.mark_price is not None:
                position = attrs.evolve(position, mark_price=observed.stats.mark_price)
            positions.append(position)
        return Success(tuple(positions))

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        """``/api/v1/account`` + the markets' maintenance fractions (``lighter/margin.py``)."""
        return guarded(self.venue, self._fetch_margin())

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        account = await self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        index, body = account.unwrap()
        parsed = parse_account_margin(body, self.exchange_id, index, markets.unwrap(), self.clock())
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        account = await self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        index, body = account.unwrap()
        parsed = parse_balances(body, self.exchange_id, index, self.clock())
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    # ---- trading ----------------------------------------------------------------------

    def _trading_configured(self) -> bool:
        """Credentials present and a signer available (injected, or lighter-sdk importable;
        whether its native library loads is only known at the first trading call)."""
        if self.account_index is None or self.api_key_index is None:
            return False
        if self.signer is not None or self.signer_loader is not None:
            return True
        return bool(self.api_private_key) and self._signer_failure is None and _sdk_present()

    def _signer(self) -> Result[LighterSigner, NotConfigured]:
        if self.signer is not None:
            return Success(self.signer)
        if self._signer_failure is not None:
            return Failure(self._signer_failure)
        if self.account_index is None or self.api_key_index is None or not self.api_private_key:
            return Failure(
                NotConfigured(
                    self.venue,
                    "Lighter trading needs credentials account_index, api_key_index and "
                    "api_private_key",
                )
            )
        if self.signer_loader is not None:
            loaded = self.signer_loader()
        else:
            sdk = load_sdk_signer(
                base_url=self.base_url,
                account_index=self.account_index,
                api_key_index=self.api_key_index,
                api_private_key=self.api_private_key,
            )
            loaded = Success(sdk.unwrap()) if isinstance(sdk, Success) else Failure(sdk.failure())
        if isinstance(loaded, Failure):
            self._signer_failure = loaded.failure()
            return Failure(loaded.failure())
        self.signer = loaded.unwrap()
        return Success(self.signer)

    def _nonce_book(self) -> NonceBook:
        if self._nonces is None:
            self._nonces = NonceBook(fetch=self._fetch_next_nonce)
        return self._nonces

    async def _fetch_next_nonce(self) -> Result[int, VenueError]:
        body = await self._request(
            "GET",
            "/api/v1/nextNonce",
            params={"account_index": self.account_index, "api_key_index": self.api_key_index},
        )
        if isinstance(body, Failure):
            return Failure(body.failure())
        parsed = parse_next_nonce(body.unwrap())
        return (
            Success(parsed.unwrap()) if isinstance(parsed, Success) else Failure(parsed.failure())
        )

    async def _send_signed(
        self, sign: Callable[[LighterSigner, int], SignedTx], what: str
    ) -> Result[str, VenueError]:
        """Lease a nonce, sign, POST ``sendTx``; one re-sync and retry on "invalid nonce".

        Nonce bookkeeping: accepted -> consumed; never sent (connect failure, local budget,
        signer failure) -> the nonce is handed out again; anything else (refused, "invalid
        nonce", ambiguous) -> re-sync from ``nextNonce`` before the next transaction. Lighter
        says an API-level refusal does not consume the nonce but a sequencer refusal does;
        asking costs one request and cannot be wrong.
        """
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        book = self._nonce_book()
        last: VenueError = NotSent(self.venue, f"{what}: not attempted")
        for _attempt in range(2):
            async with book.lease() as leased:
                if isinstance(leased, Failure):
                    return Failure(leased.failure())
                lease = leased.unwrap()
                try:
                    signed = sign(signer.unwrap(), lease.nonce)
                except SignerError as error:
                    lease.unused()
                    return Failure(NotSent(self.venue, f"{what}: signer refused: {error}"))
                except Exception as error:  # the native library misbehaving: nothing sent
                    lease.unused()
                    return Failure(
                        NotSent(self.venue, f"{what}: signer failed: {type(error).__name__}")
                    )
                answer = await self._request(
                    "POST",
                    "/api/v1/sendTx",
                    data={"tx_type": str(signed.tx_type), "tx_info": signed.tx_info},
                    idempotent=False,
                )
                if isinstance(answer, Success):
                    parsed = parse_send_tx(answer.unwrap())
                    if isinstance(parsed, Failure):
                        lease.resync()
                        return Failure(Ambiguous(self.venue, f"{what}: unreadable sendTx answer"))
                    lease.consumed()
                    return Success(parsed.unwrap().tx_hash)
                last = answer.failure()
                if isinstance(last, VenueRejected) and _is_invalid_nonce(last):
                    lease.resync()
                    continue
                if isinstance(last, NotSent) or (
                    isinstance(last, RateLimited) and last.code == "budget"
                ):
                    lease.unused()  # it never reached Lighter
                else:
                    lease.resync()  # refused or unknown: ask nextNonce rather than guess
                return Failure(last)
        return Failure(last)

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        if request.exchange != self.exchange_id:
            return Failure(InvalidRequest(self.venue, f"order is for {request.exchange}"))
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        market = await self._market(request.symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        tx = build_create_order(request, market.unwrap())
        if isinstance(tx, Failure):
            return Failure(tx.failure())
        order_tx = tx.unwrap()
        sent = await self._send_signed(
            lambda s, nonce: s.sign_create_order(order_tx, nonce), "create order"
        )
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        accepted = Order(
            exchange=self.exchange_id,
            symbol=request.symbol,
            client_order_id=request.client_order_id,
            side=request.side,
            size=request.size,
            status=OrderStatus.PENDING,
            reduce_only=request.reduce_only,
            updated_at=self.clock(),
        )
        self._accepted[order_tx.client_order_index] = accepted
        return Success(accepted)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        """Cancel by client order index, then report the venue's view of the order.

        ``sendTx`` accepting the cancel means the API took it; the sequencer applies it
        shortly after, so the returned order may still show ``open``.
        """
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        market_id = market.unwrap().market_id
        index = client_order_index(client_order_id)
        sent = await self._send_signed(
            lambda s, nonce: s.sign_cancel_order(market_id, index, nonce), "cancel order"
        )
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        return await self._fetch_order(symbol, client_order_id)

    def _auth_token(self, signer: LighterSigner) -> Result[str, VenueError]:
        now = self.clock()
        if self._auth is not None and self._auth[1] - now > timedelta(minutes=1):
            return Success(self._auth[0])
        deadline = now + AUTH_TOKEN_LIFETIME
        try:
            token = signer.create_auth_token(int(deadline.timestamp()))
        except SignerError as error:
            return Failure(NotSent(self.venue, f"auth token: {error}"))
        except Exception as error:
            return Failure(NotSent(self.venue, f"auth token: {type(error).__name__}"))
        self._auth = (token, deadline)
        return Success(token)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """The venue's view of the order with this client id (active, then inactive list).

        Lighter's API accepts a transaction before the sequencer applies it, so an order
        this client sent within ``acceptance_window`` (30 s) and not listed yet is reported
        as PENDING rather than ``OrderNotFound``: the venue did receive it.
        """
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        token = self._auth_token(signer.unwrap())
        if isinstance(token, Failure):
            return Failure(token.failure())
        headers = {"authorization": token.unwrap()}
        index = client_order_index(client_order_id)
        lighter_market = market.unwrap()
        for path, extra in (
            ("/api/v1/accountActiveOrders", {}),
            ("/api/v1/accountInactiveOrders", {"limit": 100}),
        ):
            params = {"account_index": self.account_index, "market_id": lighter_market.market_id}
            body = await self._request("GET", path, params={**params, **extra}, headers=headers)
            if isinstance(body, Failure):
                return Failure(body.failure())
            parsed = parse_orders(
                body.unwrap(), self.exchange_id, lighter_market, index, client_order_id
            )
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            order = parsed.unwrap()
            if order is not None:
                return Success(order)
        accepted = self._accepted.get(index)
        if (
            accepted is not None
            and accepted.updated_at is not None
            and self.clock() - accepted.updated_at < self.acceptance_window
        ):
            # sendTx accepted it moments ago; the sequencer has not listed it yet
            return Success(accepted)
        return Failure(
            OrderNotFound(self.venue, f"no order with client index {index} ({client_order_id})")
        )


def create(
    settings: VenueSettings,
    *,
    signer: LighterSigner | None = None,
    clock: Clock | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> LighterClient:
    """Build a :class:`LighterClient` from settings (the registry's factory).

    ``clock`` (else ``settings.clock``, else the wall clock) stamps observations that carry
    no venue timestamp (``/funding-rates``, books, accounts): the offline snapshot sets it
    to the recorded instant.
    """
    return LighterClient(settings, signer=signer, clock=clock, monotonic=monotonic)
