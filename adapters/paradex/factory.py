"""``ParadexClient``: the :class:`~atomic_fp.venue.VenueClient` for Paradex perpetuals
(public market data), and its registry factory ``create``.

A thin facade on the venue kit's :class:`~adapters.kit.facade.GuardedVenue` (never
raising); the work lives in :mod:`~adapters.paradex.market_data`.

``settings.options`` (all optional, strings): ``markets_ttl_seconds`` (600),
``max_budget_wait_seconds`` (5), ``public_requests_per_second`` (20).

Not built yet: positions, balances and trading (a JWT from ``POST /auth`` and Starknet
typed-data order signatures through the official ``paradex-py``). Until then the client
has the market-data capabilities only, so nothing routes an order to it; its order
deadline for the validity-window rule would be the order's signature expiry
(``signature_timestamp``; Paradex's ``recv_window`` defaults to 5 min per
docs.paradex.trade/trading/receive-window, other copies say 1 h: UNCONFIRMED).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from returns.result import Result

from adapters.client_config import Connectable, as_settings
from adapters.kit import GuardedVenue
from adapters.paradex.config import DEFAULT_BASE_URL, KIND, ParadexConfig
from adapters.paradex.http import ParadexHttp
from adapters.paradex.market_data import ParadexMarketData
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol
from atomic_fp.venue import Capability


def _number(options: Mapping[str, str], key: str, default: float) -> float:
    raw = options.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"paradex option {key}={raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"paradex option {key}={raw!r} must be > 0")
    return value


class ParadexClient(GuardedVenue, Connectable):
    """Paradex public market data; see the module docstring."""

    WITH_CREDENTIALS: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(
        self,
        settings: ParadexConfig | VenueSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        super().__init__(settings.id)
        options = settings.options
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._http = ParadexHttp(
            self._venue,
            self._base_url,
            transport=settings.transport,
            timeout=settings.timeout,
            max_body_bytes=settings.max_response_bytes,
            monotonic=monotonic,
            max_budget_wait=_number(options, "max_budget_wait_seconds", 5.0),
            requests_per_second=_number(options, "public_requests_per_second", 20.0),
        )
        self._data = ParadexMarketData(
            self._http,
            self._exchange,
            settings.symbol_overrides,
            monotonic=monotonic,
            markets_ttl=_number(options, "markets_ttl_seconds", 600.0),
        )

    def __repr__(self) -> str:
        return f"ParadexClient({self._venue}, {self._base_url}, market data only)"

    def _has_credentials(self) -> bool:
        return False

    def _secrets(self) -> Sequence[str]:
        return ()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return await self._data.fetch_markets()

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.fetch_funding_rates(symbols)

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return await self._data.fetch_order_book(symbol, depth)

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.fetch_funding_history(symbol, start, end)


def create(settings: VenueSettings) -> ParadexClient:
    """Venue factory registered as ``adapters.paradex.factory:create``."""
    return ParadexClient(settings)


__all__ = ["ParadexClient", "create"]
