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
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

import httpx
from returns.result import Result

from adapters.bybit.account_parsers import SymbolLookup
from adapters.bybit.config import BybitConfig
from adapters.bybit.execution import BybitExecution
from adapters.bybit.http import DEFAULT_BASE_URL, BybitHttp
from adapters.bybit.market_data import BybitMarketData
from adapters.bybit.signing import DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, Credentials
from adapters.client_config import Connectable, as_settings
from adapters.kit import FeesFacade, GuardedVenue, MarginFacade, RequestBudget
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
from atomic_fp.venue import TRADING_CAPABILITIES, Capability

OPTIONS = (
    "recv_window_ms",
    "markets_ttl_seconds",
    "time_sync_seconds",
    "requests_per_5s",
    "max_budget_wait_seconds",
)


def _option(options: Mapping[str, str], key: str, default: float) -> float:
    raw = options.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"bybit option {key}={raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"bybit option {key}={raw!r} must be > 0")
    return value


class BybitClient(GuardedVenue, MarginFacade, FeesFacade, Connectable):
    """:class:`~atomic_fp.venue.VenueClient` for one Bybit unified trading account, on the
    venue kit (:class:`~adapters.kit.facade.GuardedVenue`: the guarded public methods and
    the capability map).

    ``settings.options`` (all optional, numbers as strings): ``recv_window_ms`` (5000, at
    most 60000), ``markets_ttl_seconds`` (600), ``time_sync_seconds`` (600),
    ``requests_per_5s`` (500 of Bybit's 600 per IP), ``max_budget_wait_seconds`` (5). Any
    other option is a configuration error.
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
        options = settings.options
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown bybit option {unknown[0]!r} (known: {', '.join(OPTIONS)})")
        recv_window = int(_option(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        if recv_window > MAX_RECV_WINDOW_MS:
            raise ValueError(f"bybit option recv_window_ms must be at most {MAX_RECV_WINDOW_MS}")
        self._credentials_given = bool(settings.credentials)
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._credentials = Credentials.from_settings(settings.credentials)
        self._overrides = dict(settings.symbol_overrides)
        budget = RequestBudget(
            "ip-requests",
            _option(options, "requests_per_5s", 500),
            5.0,
            _option(options, "max_budget_wait_seconds", 5.0),
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
            recv_window_ms=recv_window,
            time_sync_seconds=_option(options, "time_sync_seconds", 600),
            max_body_bytes=settings.max_response_bytes,
            budget=budget,
            clock=clock,
            monotonic=monotonic,
        )
        self._data = BybitMarketData(
            self._exchange,
            self._http,
            self._overrides,
            markets_ttl_seconds=_option(options, "markets_ttl_seconds", 600),
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
    """Venue factory registered as ``adapters.bybit.client:create``."""
    return BybitClient(settings)


__all__ = ["DEFAULT_BASE_URL", "BybitClient", "create"]
