"""A venue's market list: loaded once for concurrent callers, fresh for a TTL, indexed.

Every venue keeps its markets (lot, tick, interval, and whatever else its orders and
parsers need: Bybit's caps, OKX's ``ctVal``) in a :class:`~adapters.kit.cache.TtlCache`,
finds one by canonical symbol (an unlisted symbol is :class:`UnknownSymbol`, never a
guess) and names account rows by venue symbol. :class:`MarketCatalog` does that once over
any venue market type that carries its :class:`~atomic_fp.models.Market` as ``.market``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Generic, Protocol, TypeVar

from returns.result import Failure, Result, Success

from adapters.kit.cache import Loader, TtlCache
from atomic_fp.errors import UnknownSymbol, VenueError
from atomic_fp.models import Market, Symbol


class VenueMarket(Protocol):
    @property
    def market(self) -> Market: ...


M = TypeVar("M", bound=VenueMarket)


class MarketCatalog(Generic[M]):
    """The markets ``load`` reads, cached ``ttl`` seconds; ``missing`` completes the
    :class:`UnknownSymbol` message ("BTC {missing}")."""

    def __init__(
        self,
        venue: str,
        load: Loader[tuple[M, ...]],
        ttl: float,
        *,
        missing: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._venue = venue
        self._load = load
        self._missing = missing
        self.cache: TtlCache[tuple[M, ...]] = TtlCache(ttl, monotonic=monotonic)
        self._index: tuple[int, dict[Symbol, M], dict[str, M]] = (-1, {}, {})

    async def all(self, force: bool = False) -> Result[tuple[M, ...], VenueError]:
        """The cached markets, read once by concurrent callers when cold or stale;
        ``force`` reads them now (a venue answer proved the cache wrong)."""
        if force:
            return await self.cache.refresh(self._load)
        return await self.cache.get(self._load)

    def _indexed(self) -> tuple[dict[Symbol, M], dict[str, M]]:
        generation, by_symbol, by_venue = self._index
        if generation != self.cache.generation:
            markets = self.cache.last or ()
            by_symbol = {m.market.symbol: m for m in markets}
            by_venue = {m.market.venue_symbol: m for m in markets}
            self._index = (self.cache.generation, by_symbol, by_venue)
        return by_symbol, by_venue

    @property
    def by_venue_symbol(self) -> Mapping[str, M]:
        """The last markets read, however old, by venue symbol (account rows are named
        from them)."""
        return self._indexed()[1]

    async def market(self, symbol: Symbol) -> Result[M, VenueError]:
        loaded = await self.all()
        if isinstance(loaded, Failure):
            return Failure(loaded.failure())
        market = self._indexed()[0].get(symbol)
        if market is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol} {self._missing}"))
        return Success(market)

    async def markets(self) -> Result[tuple[Market, ...], VenueError]:
        """The markets as the core's :class:`Market` models."""
        loaded = await self.all()
        return loaded.map(lambda found: tuple(m.market for m in found))


__all__ = ["MarketCatalog", "VenueMarket"]
