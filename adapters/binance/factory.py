"""``BinanceClient`` (the seed-style client class) and ``create(settings)``, its factory.

The client is the kit's :class:`~adapters.kit.facade.GuardedVenue` (public, never-raising
methods; capability map) over three parts: :class:`~adapters.binance.http.BinanceHttp`
(transport, budgets, auth), :class:`~adapters.binance.market_data.BinanceMarketData` and
:class:`~adapters.binance.execution.BinanceExecution`. Base URL: ``settings.base_url``,
default ``https://fapi.binance.com``; the futures testnet is
``https://testnet.binancefuture.com`` (the "demo" environment is
``https://demo-fapi.binance.com``; binance-connector-python ``common/constants.py``); its
keys are separate from mainnet keys. ``settings.transport`` replaces the network (tests,
offline snapshot replay); ``settings.timeout`` bounds every request.

Not covered: hedge mode (positions fail with NotSupported), algo (conditional) orders,
leverage and margin-type changes, COIN-M. Websocket streams live in ``stream.py`` and
``account_stream.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import ClassVar

from returns.future import FutureResult
from returns.result import Result

from adapters.binance.config import BinanceConfig, BinanceOptions
from adapters.binance.execution import BinanceExecution
from adapters.binance.http import BinanceHttp
from adapters.binance.market_data import BinanceMarketData
from adapters.binance.parsers import SymbolMap
from adapters.client_config import Connectable, as_settings
from adapters.kit.facade import FeesFacade, GuardedVenue, MarginFacade, PreparedOrdersFacade
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
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
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import TRADING_CAPABILITIES, Capability, PreparedOrder


class BinanceClient(GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """:class:`~atomic_fp.venue.VenueClient` for one Binance USDⓈ-M account.

    ``settings.options``: see :class:`~adapters.binance.config.BinanceOptions`.
    """

    WITH_CREDENTIALS: ClassVar[frozenset[Capability]] = TRADING_CAPABILITIES | {
        Capability.FUNDING_PAYMENTS
    }
    CREDENTIALS_HINT: ClassVar[str] = "credentials api_key and api_secret"

    def __init__(
        self,
        settings: BinanceConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "binance")
        super().__init__(settings.id)
        self._credentials_given = bool(settings.credentials)
        options = BinanceOptions.read(settings.options)
        self._transport = BinanceHttp(settings, options, clock=clock, monotonic=monotonic)
        self._http = self._transport.json
        symbols = SymbolMap(overrides=dict(settings.symbol_overrides), quotes=options.quotes)
        self._data = BinanceMarketData(
            self._transport,
            self._exchange,
            symbols,
            funding_info_ttl=options.funding_info_ttl_seconds,
            markets_ttl=options.markets_ttl_seconds,
            monotonic=monotonic,
        )
        self._trading = BinanceExecution(self._transport, self._data, self._exchange, clock)

    def __repr__(self) -> str:
        trading = "with credentials" if self._has_credentials() else "market data only"
        return f"BinanceClient({self._venue}, {self._transport.base_url}, {trading})"

    def _has_credentials(self) -> bool:
        return self._transport.credentials is not None

    def _secrets(self) -> Sequence[str]:
        return self._transport.secrets()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def fetch_open_orders(
        self, symbol: Symbol | None = None
    ) -> FutureResult[tuple[Order, ...], VenueError]:
        """Open orders of one symbol, or of all (weight 40) when ``symbol`` is None."""
        return self._run(self._trading.open_orders(symbol))

    # ------------------------------------------------------------------ the kit's hooks

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return await self._data.markets()

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.funding_rates(symbols)

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return await self._data.order_book(symbol, depth)

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.funding_history(symbol, start, end)

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        """The account's rates (``GET /fapi/v1/commissionRate``) with credentials, else
        (or when that fails) the published VIP 0 tier (see :mod:`adapters.published_fees`)."""
        return await self._trading.fees()

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return await self._trading.positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await self._trading.balances()

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """``GET /fapi/v2/account`` totals + ``positionRisk`` (see ``binance/margin.py``)."""
        return await self._trading.margin()

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await self._trading.place(request)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        return await self._trading.prepare(request)

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        return await self._trading.send_prepared(prepared)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return await self._trading.cancel(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._trading.order(symbol, client_order_id)

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return await self._trading.funding_payments(start, end)


def create(settings: VenueSettings) -> BinanceClient:
    """Venue factory registered as ``adapters.binance.factory:create``."""
    return BinanceClient(settings)


__all__ = ["BinanceClient", "create"]
