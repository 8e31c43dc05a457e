"""Bybit v5 venue client (linear USDT perpetuals, REST over httpx): the never-raising
:class:`~atomic_fp.venue.VenueClient` facade over :mod:`adapters.bybit.market_data` and
:mod:`adapters.bybit.execution`, and the registry factory ``create``.

Base URL: ``settings.base_url``, default ``https://api.bybit.com`` (alt
``https://api.bytick.com``; testnet ``https://api-testnet.bybit.com``, separate keys).
``settings.transport`` replaces the network (tests, offline replay).

Not covered: hedge mode (positions fail with NotSupported), classic (non-unified)
accounts, USDC perpetuals and dated futures, conditional orders, leverage changes, the
private (account) websocket; the public ticker stream is :mod:`adapters.bybit.stream`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import ClassVar

import httpx
from returns.result import Result

from adapters.bybit.config import DEFAULT_BASE_URL, BybitConfig, BybitOptions
from adapters.bybit.execution import BybitExecution
from adapters.bybit.http import BybitHttp
from adapters.bybit.market_data import BybitMarketData
from adapters.bybit.parsing_account import SymbolLookup
from adapters.bybit.signing import Credentials
from adapters.client_config import Connectable, as_settings
from adapters.kit import (
    FeesFacade,
    GuardedVenue,
    MarginFacade,
    PreparedOrdersFacade,
    RequestBudget,
)
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


class BybitClient(GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """:class:`~atomic_fp.venue.VenueClient` for one Bybit unified trading account, on the
    venue kit (:class:`~adapters.kit.facade.GuardedVenue`: the guarded public methods and
    the capability map).

    ``settings.options``: :class:`~adapters.bybit.config.BybitOptions` (any other option
    is a configuration error).
    """

    WITH_CREDENTIALS: ClassVar[frozenset[Capability]] = TRADING_CAPABILITIES | {
        Capability.FUNDING_PAYMENTS
    }
    CREDENTIALS_HINT: ClassVar[str] = "credentials api_key and api_secret"

    def __init__(
        self,
        settings: BybitConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "bybit")
        super().__init__(settings.id)
        options = BybitOptions.read(settings.options)
        self._credentials_given = bool(settings.credentials)
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._credentials = Credentials.from_settings(settings.credentials)
        self._overrides = dict(settings.symbol_overrides)
        budget = RequestBudget(
            "ip-requests",
            options.requests_per_5s,
            5.0,
            options.max_budget_wait_seconds,
            monotonic,
        )
        client = httpx.AsyncClient(
            base_url=self._base_url,
            transport=settings.transport,
            timeout=httpx.Timeout(settings.timeout),
            headers={"Accept": "application/json"},
        )
        self._http = BybitHttp(
            self._venue,
            client,
            self._credentials,
            recv_window_ms=options.recv_window_ms,
            time_sync_seconds=options.time_sync_seconds,
            max_body_bytes=settings.max_response_bytes,
            budget=budget,
            clock=clock,
            monotonic=monotonic,
        )
        self._data = BybitMarketData(
            self._exchange,
            self._http,
            self._overrides,
            markets_ttl_seconds=options.markets_ttl_seconds,
            monotonic=monotonic,
        )
        self._execution = BybitExecution(
            self._exchange, self._http, self._data, self._lookup, clock
        )

    def __repr__(self) -> str:
        trading = "with credentials" if self._credentials else "market data only"
        return f"BybitClient({self._venue}, {self._base_url}, {trading})"

    def _lookup(self) -> SymbolLookup:
        return SymbolLookup(self._data.by_venue_symbol, self._overrides)

    # ------------------------------------------------------------------ kit hooks

    def _has_credentials(self) -> bool:
        return self._credentials is not None

    def _secrets(self) -> Sequence[str]:
        if self._credentials is None:
            return ()
        return (self._credentials.api_secret, self._credentials.api_key)

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ market data

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
        """The account's rates (``GET /v5/account/fee-rate``) with credentials, else (or
        when that fails) the published non-VIP tier (:mod:`adapters.published_fees`)."""
        return await self._execution.fees()

    # ------------------------------------------------------------------ signed

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if self._credentials is None:
            return self._not_configured("positions")
        return await self._execution.positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if self._credentials is None:
            return self._not_configured("balances")
        return await self._execution.balances()

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        if self._credentials is None:
            return self._not_configured("margin")
        return await self._execution.margin()

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        if self._credentials is None:
            return self._not_configured("place_order")
        return await self._execution.place_order(request)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        if self._credentials is None:
            return self._not_configured("place_order")
        return await self._execution.prepare_order(request)

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        if self._credentials is None:
            return self._not_configured("place_order")
        return await self._execution.send_prepared(prepared)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        if self._credentials is None:
            return self._not_configured("cancel_order")
        return await self._execution.cancel_order(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        if self._credentials is None:
            return self._not_configured("fetch_order")
        return await self._execution.fetch_order(symbol, client_order_id)

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        if self._credentials is None:
            return self._not_configured("funding payments")
        return await self._execution.funding_payments(start, end)


def create(settings: VenueSettings) -> BybitClient:
    """Venue factory registered as ``adapters.bybit.factory:create``."""
    return BybitClient(settings)


__all__ = ["DEFAULT_BASE_URL", "BybitClient", "create"]
