"""Bybit v5 market data: the instrument cache, funding now and settled, the order book.

Requests per call (what an offline replay must serve):

==========================  ==============================================================
``markets``                 ``GET /v5/market/instruments-info?category=linear&limit=1000``
                            (cursor pages), cached ``markets_ttl_seconds`` (600)
``funding_rates``           ``GET /v5/market/tickers?category=linear`` and, when the cache is
                            cold or stale, the instruments, both in flight at once (one
                            round trip). A cached interval that contradicts a ticker's
                            ``nextFundingTime`` (:mod:`atomic_fp.intervals`) re-reads the
                            instruments at once; a rate still in doubt carries
                            ``interval_doubt`` and is left out downstream.
``order_book``              ``GET /v5/market/orderbook?category=linear`` (limit 1..500)
``funding_history``         ``GET /v5/market/funding/history`` pages of 200, newest first,
                            walking ``endTime`` back
==========================  ==============================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.bybit.http import BybitHttp
from adapters.bybit.parsing import (
    BybitMarket,
    merge_pages,
    parse_instruments,
    parse_next_cursor,
    parse_orderbook,
    parse_tickers,
)
from adapters.bybit.parsing_funding import SettledRow, build_history, parse_history_rows
from adapters.kit import TtlCache, joined_failure
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PATH_INSTRUMENTS = "/v5/market/instruments-info"
PATH_TICKERS = "/v5/market/tickers"
PATH_ORDERBOOK = "/v5/market/orderbook"
PATH_FUNDING_HISTORY = "/v5/market/funding/history"

FUNDING_RATES_PATHS = (PATH_TICKERS, PATH_INSTRUMENTS)
"""Every path ``fetch_funding_rates`` may request."""
LINEAR = ("category", "linear")
INSTRUMENT_PAGE_LIMIT = 1000
HISTORY_PAGE_LIMIT = 200
MAX_PAGES = 1000
MAX_BOOK_DEPTH = 500
_LOOKBACK = timedelta(hours=24)
"""One longest interval before ``start``, so the first row in range has a predecessor."""


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _checked(rate: FundingRate) -> FundingRate:
    doubt = interval_doubt(rate)
    return rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt)


class BybitMarketData:
    """Public market data of one Bybit venue (no credentials needed)."""

    def __init__(
        self,
        exchange: ExchangeIdentifier,
        http: BybitHttp,
        overrides: Mapping[str, tuple[Symbol, Decimal]],
        *,
        markets_ttl_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._exchange = exchange
        self._venue = str(exchange)
        self._http = http
        self._overrides = overrides
        self._cache: TtlCache[tuple[BybitMarket, ...]] = TtlCache(
            markets_ttl_seconds, monotonic=monotonic
        )
        self._by_symbol: dict[Symbol, BybitMarket] = {}

    # ------------------------------------------------------------------ instruments

    @property
    def by_venue_symbol(self) -> Mapping[str, BybitMarket]:
        """The last instruments read, however old (account rows are named from them)."""
        return {m.venue_symbol: m for m in self._cache.last or ()}

    async def _read_instruments(self) -> Result[tuple[BybitMarket, ...], VenueError]:
        pages: list[tuple[BybitMarket, ...]] = []
        cursor = ""
        for _ in range(MAX_PAGES):
            params = [LINEAR, ("limit", str(INSTRUMENT_PAGE_LIMIT))]
            if cursor:
                params.append(("cursor", cursor))
            body = await self._http.public(PATH_INSTRUMENTS, params)
            if isinstance(body, Failure):
                return body
            page = parse_instruments(self._exchange, body.unwrap(), self._overrides)
            following = parse_next_cursor(self._venue, body.unwrap())
            if isinstance(page, Failure):
                return Failure(page.failure())
            if isinstance(following, Failure):
                return Failure(following.failure())
            pages.append(page.unwrap())
            if not following.unwrap() or following.unwrap() == cursor:
                break
            cursor = following.unwrap()
        else:
            return Failure(MalformedResponse(self._venue, f"instruments: over {MAX_PAGES} pages"))
        markets = merge_pages(pages)
        self._by_symbol = {m.market.symbol: m for m in markets}
        return Success(markets)

    async def instruments(self, force: bool = False) -> Result[tuple[BybitMarket, ...], VenueError]:
        """The cached instruments, read once by concurrent callers when cold or stale;
        ``force`` reads them now (a venue answer proved the cache wrong)."""
        if force:
            return await self._cache.refresh(self._read_instruments)
        return await self._cache.get(self._read_instruments)

    async def market(self, symbol: Symbol) -> Result[BybitMarket, VenueError]:
        loaded = await self.instruments()
        if isinstance(loaded, Failure):
            return loaded
        market = self._by_symbol.get(symbol)
        if market is None:
            return Failure(
                UnknownSymbol(self._venue, f"{symbol} is not a trading USDT perpetual here")
            )
        return Success(market)

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        loaded = await self.instruments()
        if isinstance(loaded, Failure):
            return loaded
        return Success(tuple(m.market for m in loaded.unwrap()))

    # ------------------------------------------------------------------ funding now

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        was_cached = self._cache.fresh() is not None
        markets, body = await both(self.instruments(), self._http.public(PATH_TICKERS, [LINEAR]))
        if isinstance(markets, Failure) or isinstance(body, Failure):
            return joined_failure(markets, body)
        parsed = parse_tickers(self._exchange, body.unwrap(), markets.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        rates = parsed.unwrap()
        if symbols is not None:
            wanted = set(symbols)
            rates = tuple(rate for rate in rates if rate.symbol in wanted)
        if was_cached and any(interval_doubt(rate) for rate in rates):
            # A cached fundingInterval contradicts nextFundingTime (Bybit changed the
            # symbol's interval): read the instruments again now, whatever the TTL says.
            fresh = await self.instruments(force=True)
            if isinstance(fresh, Failure):
                return fresh
            reparsed = parse_tickers(self._exchange, body.unwrap(), fresh.unwrap())
            if isinstance(reparsed, Failure):
                return Failure(reparsed.failure())
            kept = {rate.symbol for rate in rates}
            rates = tuple(rate for rate in reparsed.unwrap() if rate.symbol in kept)
        return Success(tuple(_checked(rate) for rate in rates))

    # ------------------------------------------------------------------ book

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        params = [
            LINEAR,
            ("symbol", market.unwrap().venue_symbol),
            ("limit", str(min(depth, MAX_BOOK_DEPTH))),
        ]
        body = await self._http.public(PATH_ORDERBOOK, params)
        if isinstance(body, Failure):
            return body
        book = parse_orderbook(self._exchange, body.unwrap(), symbol, depth)
        return Failure(book.failure()) if isinstance(book, Failure) else Success(book.unwrap())

    # ------------------------------------------------------------------ history

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "history needs aware start < end"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        venue_symbol = market.unwrap().venue_symbol
        first_ms = _millis(start - _LOOKBACK)
        cursor_ms = _millis(end) - 1
        rows: list[SettledRow] = []
        for _ in range(MAX_PAGES):
            params: list[tuple[str, Any]] = [
                LINEAR,
                ("symbol", venue_symbol),
                ("startTime", str(first_ms)),
                ("endTime", str(cursor_ms)),
                ("limit", str(HISTORY_PAGE_LIMIT)),
            ]
            body = await self._http.public(PATH_FUNDING_HISTORY, params)
            if isinstance(body, Failure):
                return body
            page = parse_history_rows(self._venue, body.unwrap(), venue_symbol)
            if isinstance(page, Failure):
                return Failure(page.failure())
            page_rows = page.unwrap()
            rows.extend(page_rows)
            if len(page_rows) < HISTORY_PAGE_LIMIT:
                break
            oldest = min(row.funding_time_ms for row in page_rows)
            if oldest > cursor_ms:
                return Failure(
                    MalformedResponse(self._venue, "funding/history pagination did not advance")
                )
            cursor_ms = oldest - 1
            if cursor_ms < first_ms:
                break
        else:
            return Failure(
                MalformedResponse(self._venue, f"funding/history: over {MAX_PAGES} pages")
            )
        built = build_history(
            self._exchange, rows, symbol, venue_symbol, market.unwrap().market.funding_interval
        )
        return Success(
            tuple(
                rate
                for rate in built
                if rate.funding_time is not None and start <= rate.funding_time < end
            )
        )


__all__ = [
    "FUNDING_RATES_PATHS",
    "PATH_FUNDING_HISTORY",
    "PATH_INSTRUMENTS",
    "PATH_ORDERBOOK",
    "PATH_TICKERS",
    "BybitMarketData",
]
