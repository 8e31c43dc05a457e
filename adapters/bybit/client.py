"""Bybit v5 venue client (linear USDT perpetuals, REST over httpx): the never-raising
:class:`~atomic_fp.venue.VenueClient` facade over :mod:`adapters.bybit.market_data` and
:mod:`adapters.bybit.execution`, and the registry factory ``create``.

Base URL: ``settings.base_url``, default ``https://api.bybit.com`` (alt
``https://api.bytick.com``; testnet ``https://api-testnet.bybit.com``, separate keys).
``settings.transport`` replaces the network (tests, offline replay).

Not covered: hedge mode (positions fail with NotSupported), classic (non-unified)
accounts, USDC perpetuals and dated futures, conditional orders, leverage changes,
websocket streams.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import datetime
from typing import TypeVar

import httpx
from returns.future import FutureResult
from returns.result import Failure, Result

from adapters._future import guarded
from adapters.bybit.account_parsers import SymbolLookup
from adapters.bybit.config import BybitConfig
from adapters.bybit.execution import BybitExecution
from adapters.bybit.http import DEFAULT_BASE_URL, BybitHttp
from adapters.bybit.market_data import BybitMarketData
from adapters.bybit.signing import DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, Credentials
from adapters.client_config import Connectable, as_settings
from adapters.registry import VenueSettings
from atomic_fp.errors import MalformedResponse, VenueError
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

OPTIONS = ("recv_window_ms", "markets_ttl_seconds", "time_sync_seconds")


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


class BybitClient(Connectable):
    """:class:`~atomic_fp.venue.VenueClient` for one Bybit unified trading account.

    ``settings.options`` (all optional, numbers as strings): ``recv_window_ms`` (5000, at
    most 60000), ``markets_ttl_seconds`` (600), ``time_sync_seconds`` (600). Any other
    option is a configuration error.
    """

    def __init__(
        self,
        settings: BybitConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "bybit")
        options = settings.options
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown bybit option {unknown[0]!r} (known: {', '.join(OPTIONS)})")
        recv_window = int(_option(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        if recv_window > MAX_RECV_WINDOW_MS:
            raise ValueError(f"bybit option recv_window_ms must be at most {MAX_RECV_WINDOW_MS}")
        self._credentials_given = bool(settings.credentials)
        self._exchange = settings.id
        self._venue = str(settings.id)
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._credentials = Credentials.from_settings(settings.credentials)
        self._overrides = dict(settings.symbol_overrides)
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
        await self._http.aclose()

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return self._run(self._data.markets())

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._data.funding_rates(symbols))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return self._run(self._data.order_book(symbol, depth))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._data.funding_history(symbol, start, end))

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """The account's rates (``GET /v5/account/fee-rate``) with credentials, else (or
        when that fails) the published non-VIP tier (:mod:`adapters.published_fees`)."""
        return self._run(self._execution.fees())

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return self._signed("positions", self._execution.positions)

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return self._signed("balances", self._execution.balances)

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        return self._signed("margin", self._execution.margin)

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return self._signed("place_order", lambda: self._execution.place_order(request))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._signed(
            "cancel_order", lambda: self._execution.cancel_order(symbol, client_order_id)
        )

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._signed(
            "fetch_order", lambda: self._execution.fetch_order(symbol, client_order_id)
        )

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return self._signed(
            "funding payments", lambda: self._execution.funding_payments(start, end)
        )

    # ------------------------------------------------------------------ plumbing

    def _signed(
        self, what: str, work: Callable[[], Awaitable[Result[T, VenueError]]]
    ) -> FutureResult[T, VenueError]:
        if self._credentials is None:
            return self._run(self._refuse(what))
        return self._run(work())

    async def _refuse(self, what: str) -> Result[T, VenueError]:
        return self._http.not_configured(what)

    def _run(self, work: Awaitable[Result[T, VenueError]]) -> FutureResult[T, VenueError]:
        return guarded(self._venue, self._contained(work))

    async def _contained(self, work: Awaitable[Result[T, VenueError]]) -> Result[T, VenueError]:
        """Await ``work``; scrub secrets from a failure; a stray exception becomes an error
        carrying only its type (its text might hold a URL or a header)."""
        try:
            result = await work
        except Exception as error:
            return Failure(
                MalformedResponse(self._venue, f"internal error: {type(error).__name__}")
            )
        if isinstance(result, Failure):
            return Failure(self._http.scrub(result.failure()))
        return result


def create(settings: VenueSettings) -> BybitClient:
    """Venue factory registered as ``adapters.bybit.client:create``."""
    return BybitClient(settings)


__all__ = ["DEFAULT_BASE_URL", "BybitClient", "create"]
