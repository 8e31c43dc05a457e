"""``AsterClient`` (Aster perpetuals, futures API v3) and ``create(settings)``, its factory.

The client is the kit's :class:`~adapters.kit.facade.GuardedVenue` over
:class:`~adapters.aster.http.AsterHttp` (transport, budget, v3 API-wallet signing),
:class:`~adapters.aster.market_data.AsterMarketData` and
:class:`~adapters.aster.execution.AsterExecution`. Base URL: ``settings.base_url``, default
``https://fapi.asterdex.com`` (testnet ``https://fapi.asterdex-testnet.com`` with option
``chain_id = "714"``). ``settings.transport`` replaces the network (tests, offline replay).

Not covered: the v1 HMAC keys (no new ones are issued since 2026-03-25, research notes F),
hedge mode. Market streams: :mod:`adapters.aster.stream`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import ClassVar

from returns.result import Result

from adapters.aster.config import AsterConfig, AsterOptions
from adapters.aster.execution import AsterExecution
from adapters.aster.http import AsterHttp
from adapters.aster.market_data import AsterMarketData
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


class AsterClient(GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """:class:`~atomic_fp.venue.VenueClient` for one Aster account (API wallet).

    ``settings.options``: see :class:`~adapters.aster.config.AsterOptions`.
    """

    WITH_CREDENTIALS: ClassVar[frozenset[Capability]] = TRADING_CAPABILITIES | {
        Capability.FUNDING_PAYMENTS
    }
    CREDENTIALS_HINT: ClassVar[str] = "credentials user, signer and private_key"

    def __init__(
        self,
        settings: AsterConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "aster")
        super().__init__(settings.id)
        self._credentials_given = bool(settings.credentials)
        options = AsterOptions.read(settings.options)
        self._transport = AsterHttp(settings, options, clock=clock, monotonic=monotonic)
        symbols = SymbolMap(overrides=dict(settings.symbol_overrides), quotes=options.quotes)
        self._data = AsterMarketData(
            self._transport,
            self._exchange,
            symbols,
            funding_info_ttl=options.funding_info_ttl_seconds,
            markets_ttl=options.markets_ttl_seconds,
            monotonic=monotonic,
        )
        self._trading = AsterExecution(self._transport, self._data, self._exchange, clock)

    def __repr__(self) -> str:
        trading = "with API wallet" if self._has_credentials() else "market data only"
        return f"AsterClient({self._venue}, {self._transport.base_url}, {trading})"

    def _has_credentials(self) -> bool:
        return self._transport.wallet is not None

    def _secrets(self) -> Sequence[str]:
        return self._transport.secrets()

    async def aclose(self) -> None:
        await self._transport.aclose()

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
        return await self._trading.fees()

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return await self._trading.positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await self._trading.balances()

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await self._trading.place(request)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        return await self._trading.prepare(request)

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        return await self._trading.send_prepared(prepared)

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        return await self._trading.margin()

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return await self._trading.funding_payments(start, end)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return await self._trading.cancel(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._trading.order(symbol, client_order_id)


def create(settings: VenueSettings) -> AsterClient:
    """Venue factory registered as ``adapters.aster.factory:create``."""
    return AsterClient(settings)


__all__ = ["AsterClient", "create"]
