"""Hyperliquid perps client: public ``/info`` and agent-signed ``/exchange``.

Requests (all ``POST {base}/info`` unless noted, JSON bodies exactly as below):

- markets and current funding: ``{"type": "metaAndAssetCtxs"}`` (one request gives both;
  the asset directory used to turn symbols into asset ids is loaded from it too and kept
  for ``meta_ttl_seconds``, default 300);
- predicted funding: ``{"type": "predictedFundings"}``;
- book: ``{"type": "l2Book", "coin": <name>}``;
- funding history: ``{"type": "fundingHistory", "coin", "startTime", "endTime"}``, paged:
  the venue returns at most 500 rows per call, so a full page is followed by another from
  ``last time + 1``;
- positions and balances: ``{"type": "clearinghouseState", "user": <master address>}``;
- order status: ``{"type": "orderStatus", "user": <master address>, "oid": <cloid>}``;
- funding payments: ``{"type": "userFunding", "user", "startTime", "endTime"}``, paged;
- orders and cancels: ``POST {base}/exchange`` with an L1 action signed by the agent
  (API wallet) key (see :mod:`adapters.hyperliquid.signing`).

Settings: ``base_url`` (default mainnet ``https://api.hyperliquid.xyz``; testnet
``https://api.hyperliquid-testnet.xyz``), ``credentials["account_address"]`` (the master
account: every user query uses it, the agent address would return an empty account) and
``credentials["agent_private_key"]``, ``options["network"]`` (``mainnet``/``testnet``: the
phantom agent's source ``a``/``b``; by default ``testnet`` only for the testnet URL),
``options["meta_ttl_seconds"]``, ``timeout`` and ``transport``.

Safety: reads are retried with backoff; ``/exchange`` never is. An ``/exchange`` call that
timed out, got a 5xx, or got an answer we cannot read is :class:`Ambiguous` (the venue may
have acted): look the order up by client id (:meth:`fetch_order`) before anything else.
Market orders do not exist on Hyperliquid: they are IOC limit orders at the request's
``limit_price`` (the slippage cap), rounded conservatively onto the venue's price grid.

``metaAndAssetCtxs`` carries no timestamp, so funding ``observed_at`` is read from the
injectable clock (the ``clock`` argument, else ``settings.clock``, else the wall clock)
when the answer arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, timezone
from decimal import InvalidOperation
from typing import Any

import httpx
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import guarded
from adapters._http import JsonHttp, RetryPolicy
from adapters._parse import ParseError, integer
from adapters.client_config import Connectable, as_settings
from adapters.hyperliquid.actions import (
    Tif,
    cancel_by_cloid_action,
    exchange_payload,
    order_action,
    order_wire,
)
from adapters.hyperliquid.config import HyperliquidConfig
from adapters.hyperliquid.fees import parse_user_fees
from adapters.hyperliquid.margin import parse_account_margin
from adapters.hyperliquid.parsers import (
    AssetInfo,
    ExchangeError,
    MetaSnapshot,
    info_error_message,
    parse_balances,
    parse_cancel_response,
    parse_funding_history,
    parse_l2_book,
    parse_meta_and_asset_ctxs,
    parse_order_response,
    parse_order_status,
    parse_positions,
    parse_predicted_fundings,
    parse_user_funding,
)
from adapters.hyperliquid.rounding import is_valid_size, lot_size, round_price, round_size
from adapters.hyperliquid.signing import (
    AgentSigner,
    NonceSource,
    cloid_for,
    is_address,
    load_agent,
    nonce_source_for,
)
from adapters.published_fees import account_or_published
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    MalformedResponse,
    NotConfigured,
    NotSent,
    OrderNotFound,
    UnknownSymbol,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PUBLIC_CAPABILITIES, TRADING_CAPABILITIES, Capability

MAINNET_URL = "https://api.hyperliquid.xyz"
TESTNET_URL = "https://api.hyperliquid-testnet.xyz"
HISTORY_PAGE_LIMIT = 500
"""Rows per ``fundingHistory``/``userFunding`` answer (fact sheet B3; web3-ethereum-defi
docs, docs.rs df-hyperliquid-core). A shorter page is the last one."""
MAX_PAGES = 2_000
DEFAULT_META_TTL = timedelta(minutes=5)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Clock = Callable[[], datetime]


def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


def _millis(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


_TIFS: dict[TimeInForce, Tif] = {
    TimeInForce.GTC: "Gtc",
    TimeInForce.IOC: "Ioc",
    TimeInForce.POST_ONLY: "Alo",
}


def _tif(request: OrderRequest) -> Tif | None:
    """Market orders are IOC limits; FOK has no Hyperliquid equivalent (None)."""
    if request.order_type is OrderType.MARKET:
        return "Ioc"
    return _TIFS.get(request.time_in_force)


def _row_millis(row: Any) -> int | None:
    if not isinstance(row, Mapping):
        return None
    try:
        return integer(row.get("time"))
    except ParseError:
        return None


class HyperliquidClient(Connectable):
    """A :class:`~atomic_fp.venue.VenueClient` for one Hyperliquid account."""

    def __init__(
        self,
        settings: HyperliquidConfig | VenueSettings,
        *,
        clock: Clock | None = None,
        http_client: httpx.AsyncClient | None = None,
        nonces: NonceSource | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        settings = as_settings(settings, "hyperliquid")
        self._credentials_given = bool(settings.credentials)
        self._settings = settings
        self._exchange = settings.id
        self._venue = str(settings.id)
        self._base = (settings.base_url or MAINNET_URL).rstrip("/")
        network = settings.options.get("network")
        if network is None:
            network = "testnet" if self._base == TESTNET_URL else "mainnet"
        if network not in ("mainnet", "testnet"):
            raise ValueError(f"options.network must be 'mainnet' or 'testnet', got {network!r}")
        self._mainnet = network == "mainnet"
        ttl = settings.options.get("meta_ttl_seconds")
        self._meta_ttl = DEFAULT_META_TTL if ttl is None else timedelta(seconds=float(ttl))
        self._clock: Clock = clock or settings.clock or _wall_clock
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(
            transport=settings.transport, timeout=settings.timeout
        )
        self._http = JsonHttp(
            self._venue,
            self._client,
            error_extractor=info_error_message,
            retry=retry or RetryPolicy(),
            max_body_bytes=settings.max_response_bytes,
        )
        self._nonces = nonces
        self._overrides = settings.symbol_overrides
        self._assets: dict[Symbol, AssetInfo] = {}
        self._assets_at: datetime | None = None
        self._signer: AgentSigner | None = None

    # -- protocol surface -------------------------------------------------------------

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        return PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}

    @property
    def mainnet(self) -> bool:
        return self._mainnet

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return guarded(self._venue, self._markets())

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(self._venue, self._funding_rates(symbols))

    def fetch_predicted_funding_rates(
        self,
        symbols: Collection[Symbol] | None = None,
        *,
        source: str = "HlPerp",
        exchange: ExchangeIdentifier | None = None,
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        """Predicted next funding from ``predictedFundings``: Hyperliquid's own (``HlPerp``),
        or with ``source="BinPerp"``/``"BybitPerp"`` Hyperliquid's prediction for Binance's
        or Bybit's next settlement, as rates of ``exchange`` (that venue's id)."""
        return guarded(self._venue, self._predicted(symbols, source, exchange))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return guarded(self._venue, self._book(symbol, depth))

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """The account's rates (``userFees``) when the master address is configured, else
        (or when that fails) the published tier 0 (:mod:`adapters.published_fees`)."""
        return guarded(self._venue, self._fees())

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return guarded(self._venue, self._positions())

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return guarded(self._venue, self._balances())

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        """The same ``clearinghouseState`` (see ``hyperliquid/margin.py``)."""
        return guarded(self._venue, self._margin())

    async def _margin(self) -> Result[AccountMargin, VenueError]:
        state = await self._state()
        if isinstance(state, Failure):
            return state
        parsed = parse_account_margin(
            self._exchange, state.unwrap(), self._clock(), self._overrides
        )
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return guarded(self._venue, self._place(request))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(self._venue, self._cancel(symbol, client_order_id))

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(self._venue, self._order(symbol, client_order_id))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(self._venue, self._history(symbol, start, end))

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return guarded(self._venue, self._payments(start, end))

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # -- plumbing ---------------------------------------------------------------------

    async def _info(self, body: Mapping[str, Any]) -> Result[Any, VenueError]:
        return await self._http.request(
            "POST", f"{self._base}/info", json_body=dict(body), idempotent=True
        )

    async def _send(self, payload: Mapping[str, Any]) -> Result[Any, VenueError]:
        """One ``/exchange`` call; never retried; an unreadable answer is Ambiguous."""
        answer = await self._http.request(
            "POST", f"{self._base}/exchange", json_body=dict(payload), idempotent=False
        )
        if isinstance(answer, Failure) and isinstance(answer.failure(), MalformedResponse):
            return Failure(
                Ambiguous(
                    self._venue,
                    f"/exchange answer unreadable ({answer.failure().message}); "
                    "the venue may have acted: look the order up by client id",
                )
            )
        return answer

    def _account(self) -> Result[str, VenueError]:
        address = self._settings.credentials.get("account_address")
        if not address:
            return Failure(
                NotConfigured(self._venue, "credentials.account_address (master address) unset")
            )
        if not is_address(address):
            return Failure(
                NotConfigured(self._venue, "credentials.account_address is not a 0x address")
            )
        return Success(address)

    def _agent(self) -> Result[AgentSigner, VenueError]:
        if self._signer is not None:
            return Success(self._signer)
        key = self._settings.credentials.get("agent_private_key")
        if not key:
            return Failure(NotConfigured(self._venue, "credentials.agent_private_key unset"))
        loaded = load_agent(self._venue, key)
        if isinstance(loaded, Success):
            self._signer = loaded.unwrap()
            return Success(self._signer)
        return Failure(loaded.failure())

    async def _snapshot(self) -> Result[MetaSnapshot, VenueError]:
        answer = await self._info({"type": "metaAndAssetCtxs"})
        if isinstance(answer, Failure):
            return answer
        observed_at = self._clock()
        parsed = parse_meta_and_asset_ctxs(
            self._exchange, answer.unwrap(), observed_at, self._overrides
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        snapshot = parsed.unwrap()
        self._remember(snapshot.assets, observed_at)
        return Success(snapshot)

    def _remember(self, assets: tuple[AssetInfo, ...], at: datetime) -> None:
        directory: dict[Symbol, AssetInfo] = {}
        for asset in assets:
            known = directory.get(asset.symbol)
            if known is None or (known.delisted and not asset.delisted):
                directory[asset.symbol] = asset
        self._assets = directory
        self._assets_at = at

    async def _resolve(self, symbol: Symbol) -> Result[AssetInfo, VenueError]:
        fresh = self._assets_at is not None and self._clock() - self._assets_at < self._meta_ttl
        if not fresh or symbol not in self._assets:
            loaded = await self._snapshot()
            if isinstance(loaded, Failure):
                return Failure(loaded.failure())
        asset = self._assets.get(symbol)
        if asset is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol} is not listed"))
        if asset.delisted:
            return Failure(UnknownSymbol(self._venue, f"{symbol} ({asset.name}) is delisted"))
        return Success(asset)

    # -- market data ------------------------------------------------------------------

    async def _markets(self) -> Result[tuple[Market, ...], VenueError]:
        snapshot = await self._snapshot()
        return snapshot.map(lambda loaded: loaded.markets)

    async def _funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        snapshot = await self._snapshot()
        wanted = None if symbols is None else frozenset(symbols)
        return snapshot.map(
            lambda loaded: tuple(
                rate for rate in loaded.rates if wanted is None or rate.symbol in wanted
            )
        )

    async def _predicted(
        self,
        symbols: Collection[Symbol] | None,
        source: str = "HlPerp",
        exchange: ExchangeIdentifier | None = None,
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        answer = await self._info({"type": "predictedFundings"})
        if isinstance(answer, Failure):
            return answer
        parsed = parse_predicted_fundings(
            exchange or self._exchange,
            answer.unwrap(),
            self._clock(),
            self._overrides,
            source=source,
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        wanted = None if symbols is None else frozenset(symbols)
        return Success(
            tuple(rate for rate in parsed.unwrap() if wanted is None or rate.symbol in wanted)
        )

    async def _book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth <= 0:
            return Failure(InvalidRequest(self._venue, f"depth must be positive, got {depth}"))
        asset = await self._resolve(symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        answer = await self._info({"type": "l2Book", "coin": asset.unwrap().name})
        if isinstance(answer, Failure):
            return answer
        parsed = parse_l2_book(self._exchange, symbol, answer.unwrap(), depth)
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _paged(
        self, body: Mapping[str, Any], start: datetime, end: datetime
    ) -> Result[list[Any], VenueError]:
        """Every raw row with ``start <= time < end``, following 500-row pages."""
        if end <= start:
            return Success([])
        end_ms = _millis(end)
        cursor = _millis(start)
        rows: list[Any] = []
        for _ in range(MAX_PAGES):
            answer = await self._info({**body, "startTime": cursor, "endTime": end_ms})
            if isinstance(answer, Failure):
                return answer
            page = answer.unwrap()
            if not isinstance(page, list):
                return Failure(MalformedResponse(self._venue, f"{body['type']}: expected a list"))
            rows.extend(page)
            if len(page) < HISTORY_PAGE_LIMIT:
                return Success(rows)
            last = max(
                (stamp for stamp in map(_row_millis, page) if stamp is not None), default=None
            )
            if last is None or last < cursor:
                return Failure(
                    MalformedResponse(self._venue, f"{body['type']}: page times do not advance")
                )
            cursor = last + 1
            if cursor >= end_ms:
                return Success(rows)
        return Failure(MalformedResponse(self._venue, f"{body['type']}: too many pages"))

    async def _history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        asset = await self._resolve(symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        rows = await self._paged(
            {"type": "fundingHistory", "coin": asset.unwrap().name}, start, end
        )
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        parsed = parse_funding_history(self._exchange, symbol, rows.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        unique: dict[datetime, FundingRate] = {}
        for rate in parsed.unwrap():
            assert rate.funding_time is not None
            if start <= rate.funding_time < end:
                unique.setdefault(rate.funding_time, rate)
        return Success(tuple(unique[moment] for moment in sorted(unique)))

    # -- account ----------------------------------------------------------------------

    async def _fees(self) -> Result[FeeQuote, VenueError]:
        if not self._settings.credentials.get("account_address"):
            return Success(account_or_published("hyperliquid", None))
        address = self._account()
        account: Result[FeeQuote, VenueError] = Failure(NotConfigured(self._venue, "no address"))
        if isinstance(address, Failure):
            account = Failure(address.failure())
        else:
            answer = await self._info({"type": "userFees", "user": address.unwrap()})
            account = answer
            if isinstance(answer, Success):
                parsed = parse_user_fees(self._venue, answer.unwrap())
                account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("hyperliquid", account))

    async def _state(self) -> Result[Any, VenueError]:
        account = self._account()
        if isinstance(account, Failure):
            return account
        return await self._info({"type": "clearinghouseState", "user": account.unwrap()})

    async def _positions(self) -> Result[tuple[Position, ...], VenueError]:
        state = await self._state()
        if isinstance(state, Failure):
            return state
        parsed = parse_positions(self._exchange, state.unwrap(), self._clock(), self._overrides)
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _balances(self) -> Result[tuple[Balance, ...], VenueError]:
        state = await self._state()
        if isinstance(state, Failure):
            return state
        parsed = parse_balances(self._exchange, state.unwrap(), self._clock())
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        account = self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        rows = await self._paged({"type": "userFunding", "user": account.unwrap()}, start, end)
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        parsed = parse_user_funding(self._exchange, rows.unwrap(), self._overrides)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        unique: dict[tuple[datetime, Symbol], FundingPayment] = {}
        for payment in parsed.unwrap():
            if start <= payment.time < end:
                unique.setdefault((payment.time, payment.symbol), payment)
        return Success(tuple(unique[key] for key in sorted(unique)))

    # -- trading ----------------------------------------------------------------------

    def _trading(self) -> Result[AgentSigner, VenueError]:
        account = self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        return self._agent()

    def _order_body(
        self, request: OrderRequest, asset: AssetInfo
    ) -> Result[tuple[dict[str, Any], Tif], VenueError]:
        invalid = self._venue
        if request.exchange != self._exchange:
            return Failure(InvalidRequest(invalid, f"order is for {request.exchange}"))
        tif = _tif(request)
        if tif is None:
            return Failure(
                InvalidRequest(invalid, f"time in force {request.time_in_force.value} unsupported")
            )
        if request.limit_price is None:
            return Failure(
                InvalidRequest(
                    invalid, "Hyperliquid has no market orders: limit_price (slippage cap) needed"
                )
            )
        try:
            if not is_valid_size(request.size, asset.sz_decimals):
                nearest = round_size(request.size, asset.sz_decimals)
                return Failure(
                    InvalidRequest(
                        invalid,
                        f"size {request.size} is not a multiple of the lot "
                        f"{lot_size(asset.sz_decimals)} (nearest below: {nearest})",
                    )
                )
            price = round_price(
                request.limit_price, asset.sz_decimals, up=request.side is Side.SELL
            )
            wire = order_wire(
                asset=asset.index,
                is_buy=request.side is Side.BUY,
                price=price,
                size=request.size,
                reduce_only=request.reduce_only,
                tif=tif,
                cloid=cloid_for(request.client_order_id),
            )
        except (ValueError, InvalidOperation) as error:
            return Failure(InvalidRequest(invalid, f"order not representable: {error}"[:200]))
        return Success((order_action([wire]), tif))

    async def _place(self, request: OrderRequest) -> Result[Order, VenueError]:
        signer = self._trading()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        asset = await self._resolve(request.symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        built = self._order_body(request, asset.unwrap())
        if isinstance(built, Failure):
            return Failure(built.failure())
        action, tif = built.unwrap()
        expires_after = None
        if request.expires_at is not None:
            # The order's deadline as ``expiresAfter``: Hyperliquid refuses the action
            # if it arrives later (nautilus HyperliquidExchangeActionRequest.expires_after).
            if request.expires_at <= self._clock():
                return Failure(NotSent(self._venue, "place_order: the order's deadline passed"))
            expires_after = int(request.expires_at.timestamp() * 1000)
        answer = await self._signed(signer.unwrap(), action, expires_after)
        if isinstance(answer, Failure):
            return Failure(answer.failure())
        parsed = parse_order_response(
            self._venue, answer.unwrap(), request.size, rests=tif != "Ioc"
        )
        if isinstance(parsed, Failure):
            return Failure(
                Ambiguous(
                    self._venue,
                    f"order answer unreadable ({parsed.failure().message}); "
                    "look the order up by client id",
                )
            )
        placed = parsed.unwrap()
        if isinstance(placed, ExchangeError):
            return Failure(VenueRejected(self._venue, placed.message, "err"))
        return Success(
            Order(
                exchange=self._exchange,
                symbol=request.symbol,
                client_order_id=request.client_order_id,
                side=request.side,
                size=request.size,
                status=placed.status,
                filled_size=placed.filled_size,
                average_price=placed.average_price,
                venue_order_id=placed.venue_order_id,
                reduce_only=request.reduce_only,
                updated_at=self._clock(),
                reject_reason=placed.reject_reason,
            )
        )

    async def _signed(
        self, signer: AgentSigner, action: dict[str, Any], expires_after: int | None = None
    ) -> Result[Any, VenueError]:
        if self._nonces is None:
            self._nonces = nonce_source_for(signer.address)
        nonce = self._nonces.next()
        signature = signer.sign_l1_action(
            action, nonce, mainnet=self._mainnet, expires_after=expires_after
        )
        return await self._send(exchange_payload(action, nonce, signature, expires_after))

    async def _cancel(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        signer = self._trading()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        asset = await self._resolve(symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        action = cancel_by_cloid_action(asset.unwrap().index, cloid_for(client_order_id))
        answer = await self._signed(signer.unwrap(), action)
        if isinstance(answer, Failure):
            return Failure(answer.failure())
        parsed = parse_cancel_response(self._venue, answer.unwrap())
        if isinstance(parsed, Failure):
            return Failure(
                Ambiguous(self._venue, f"cancel answer unreadable ({parsed.failure().message})")
            )
        outcome = parsed.unwrap()
        if isinstance(outcome, ExchangeError):
            return Failure(VenueRejected(self._venue, outcome.message, "err"))
        if isinstance(outcome, str):
            return Failure(VenueRejected(self._venue, outcome, "cancel"))
        return await self._order(symbol, client_order_id)

    async def _order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        account = self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        answer = await self._info(
            {"type": "orderStatus", "user": account.unwrap(), "oid": cloid_for(client_order_id)}
        )
        if isinstance(answer, Failure):
            return Failure(answer.failure())
        parsed = parse_order_status(self._exchange, symbol, client_order_id, answer.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        order = parsed.unwrap()
        if order is None:
            return Failure(OrderNotFound(self._venue, f"no order with client id {client_order_id}"))
        return Success(order)


def create(settings: VenueSettings) -> HyperliquidClient:
    """Registry factory (``adapters.hyperliquid.client:create``)."""
    return HyperliquidClient(settings)


__all__ = ["MAINNET_URL", "TESTNET_URL", "HyperliquidClient", "create"]
