"""Paradex public market data: markets (cached), current funding, funding history, books.

Requests (public, unsigned; relative to ``https://api.prod.paradex.trade/v1``):

=================  ====================================================================
markets            ``GET /markets``; cached for ``markets_ttl_seconds`` (600)
funding rates      ``GET /markets/summary?market=ALL`` (every market in one answer,
                   about 1.6 MB; research fact sheet section C), sent together with
                   ``GET /markets`` when the cache is cold: one round trip either way
funding history    ``GET /funding/data?market=&start_at=&end_at=&page_size=`` walked
                   with its ``next`` cursor until it is null (API reference "Funding
                   data history": ``cursor`` "Returns the 'next' paginated page",
                   ``page_size`` default 100)
order book         ``GET /orderbook/{market}?depth=``
=================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.kit import TtlCache, joined_failure
from adapters.paradex.http import ParadexHttp
from adapters.paradex.parsing import (
    FundingSample,
    ParadexMarket,
    build_funding_history,
    parse_book,
    parse_funding_page,
    parse_markets,
    parse_summaries,
)
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PATH_MARKETS = "markets"
PATH_SUMMARY = "markets/summary"
PATH_FUNDING_DATA = "funding/data"
PATH_ORDERBOOK = "orderbook"
SUMMARY_PARAMS = (("market", "ALL"),)
HISTORY_PAGE_SIZE = 100
MAX_PAGES = 1000
MAX_BOOK_DEPTH = 100


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


class ParadexMarketData:
    """The public half of a Paradex client: one market cache."""

    def __init__(
        self,
        http: ParadexHttp,
        exchange: ExchangeIdentifier,
        overrides: Mapping[str, tuple[Symbol, Any]],
        *,
        monotonic: Callable[[], float],
        markets_ttl: float,
    ) -> None:
        self._http = http
        self._exchange = exchange
        self._venue = str(exchange)
        self._overrides: dict[str, tuple[Symbol, Decimal]] = dict(overrides)
        self._cache: TtlCache[tuple[ParadexMarket, ...]] = TtlCache(
            markets_ttl, monotonic=monotonic
        )
        self._by_name: dict[str, ParadexMarket] = {}
        self._by_symbol: dict[Symbol, ParadexMarket] = {}

    async def _load(self) -> Result[tuple[ParadexMarket, ...], VenueError]:
        body = await self._http.public(PATH_MARKETS)
        if isinstance(body, Failure):
            return body
        parsed = parse_markets(self._exchange, body.unwrap(), self._overrides)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        markets = parsed.unwrap()
        self._by_name = {m.market.venue_symbol: m for m in markets}
        self._by_symbol = {m.market.symbol: m for m in markets}
        return Success(markets)

    async def markets(self) -> Result[tuple[ParadexMarket, ...], VenueError]:
        return await self._cache.get(self._load)

    async def market(self, symbol: Symbol) -> Result[ParadexMarket, VenueError]:
        loaded = await self.markets()
        if isinstance(loaded, Failure):
            return loaded
        found = self._by_symbol.get(symbol)
        if found is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol} is not a Paradex perpetual"))
        return Success(found)

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        loaded = await self.markets()
        if isinstance(loaded, Failure):
            return loaded
        return Success(tuple(m.market for m in loaded.unwrap()))

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        loaded, body = await both(self.markets(), self._http.public(PATH_SUMMARY, SUMMARY_PARAMS))
        if isinstance(loaded, Failure) or isinstance(body, Failure):
            return joined_failure(loaded, body)
        parsed = parse_summaries(self._exchange, body.unwrap(), self._by_name)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        rates = parsed.unwrap()
        if symbols is not None:
            wanted = set(symbols)
            rates = tuple(rate for rate in rates if rate.symbol in wanted)
        return Success(rates)

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        name = market.unwrap().market.venue_symbol
        body = await self._http.public(
            f"{PATH_ORDERBOOK}/{name}", (("depth", str(min(depth, MAX_BOOK_DEPTH))),)
        )
        if isinstance(body, Failure):
            return body
        book = parse_book(self._exchange, body.unwrap(), symbol, depth)
        return Failure(book.failure()) if isinstance(book, Failure) else Success(book.unwrap())

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """Samples of the continuous rate with ``start <= created_at < end``, oldest
        first (see :mod:`adapters.paradex.parsing`). Every page follows the previous
        page's ``next`` cursor; a cursor seen twice or more than ``MAX_PAGES`` pages is
        a malformed answer, never a silently short history."""
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "history needs aware start < end"))
        found = await self.market(symbol)
        if isinstance(found, Failure):
            return found
        market = found.unwrap().market
        name = market.venue_symbol
        base = (
            ("market", name),
            ("start_at", str(_millis(start))),
            ("end_at", str(_millis(end))),
            ("page_size", str(HISTORY_PAGE_SIZE)),
        )
        samples: list[FundingSample] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            params = base if cursor is None else (*base, ("cursor", cursor))
            body = await self._http.public(PATH_FUNDING_DATA, params)
            if isinstance(body, Failure):
                return body
            page = parse_funding_page(self._venue, body.unwrap(), name)
            if isinstance(page, Failure):
                return Failure(page.failure())
            samples.extend(page.unwrap().rows)
            cursor = page.unwrap().next_cursor
            if cursor is None:
                break
            if cursor in seen:
                return Failure(
                    MalformedResponse(self._venue, "funding/data: the next cursor repeated")
                )
            seen.add(cursor)
        else:
            return Failure(MalformedResponse(self._venue, f"funding/data: over {MAX_PAGES} pages"))
        return Success(build_funding_history(self._exchange, samples, market, start, end))


__all__ = [
    "HISTORY_PAGE_SIZE",
    "PATH_FUNDING_DATA",
    "PATH_MARKETS",
    "PATH_ORDERBOOK",
    "PATH_SUMMARY",
    "ParadexMarketData",
]
