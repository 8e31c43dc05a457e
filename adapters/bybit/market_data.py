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
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.bybit.http import BybitHttp
from adapters.bybit.parsing import (
    BybitMarket,
    merge_pages,
    parse_instruments,
    parse_orderbook,
    parse_tickers,
    with_cursor,
)
from adapters.bybit.parsing_funding import SettledRow, build_history, parse_history_rows
from adapters.kit import joined_failure
from adapters.kit.catalog import MarketCatalog
from adapters.kit.pages import walk_back, walk_cursor
from adapters.kit.rates import for_symbols, millis, range_refusal, settled_within, with_doubt
from atomic_fp.errors import InvalidRequest, VenueError
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import FundingRate, OrderBook, Symbol
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


def _cursor(cursor: str) -> list[tuple[str, str]]:
    return [("cursor", cursor)] if cursor else []


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
        self.catalog = MarketCatalog(
            self._venue,
            self._read_instruments,
            markets_ttl_seconds,
            missing="is not a trading USDT perpetual here",
            monotonic=monotonic,
        )
        # the catalog's own methods: market(symbol), fetch_markets(), instruments(force)
        self.market = self.catalog.market
        self.fetch_markets = self.catalog.markets
        self.instruments = self.catalog.all

    # ------------------------------------------------------------------ instruments

    @property
    def by_venue_symbol(self) -> Mapping[str, BybitMarket]:
        """The last instruments read, however old (account rows are named from them)."""
        return self.catalog.by_venue_symbol

    async def _read_instruments(self) -> Result[tuple[BybitMarket, ...], VenueError]:
        async def page(cursor: str) -> Result[tuple[Sequence[BybitMarket], str], VenueError]:
            params = [LINEAR, ("limit", str(INSTRUMENT_PAGE_LIMIT)), *_cursor(cursor)]
            body = await self._http.public(PATH_INSTRUMENTS, params)
            if isinstance(body, Failure):
                return Failure(body.failure())
            found = parse_instruments(self._exchange, body.unwrap(), self._overrides)
            return with_cursor(self._venue, body.unwrap(), found)

        rows = await walk_cursor(self._venue, page, max_pages=MAX_PAGES, what="instruments")
        return rows.map(lambda found: merge_pages([tuple(found)]))

    # ------------------------------------------------------------------ funding now

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        was_cached = self.catalog.cache.fresh() is not None
        markets, body = await both(self.instruments(), self._http.public(PATH_TICKERS, [LINEAR]))
        if isinstance(markets, Failure) or isinstance(body, Failure):
            return joined_failure(markets, body)
        parsed = parse_tickers(self._exchange, body.unwrap(), markets.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        rates = for_symbols(parsed.unwrap(), symbols)
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
        return Success(tuple(with_doubt(rate) for rate in rates))

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
        return body.bind(lambda b: parse_orderbook(self._exchange, b, symbol, depth))

    # ------------------------------------------------------------------ history

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        refused = range_refusal(self._venue, start, end, "history")
        if refused is not None:
            return refused
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        venue_symbol = market.unwrap().venue_symbol
        first_ms = millis(start - _LOOKBACK)

        async def page(before_ms: int) -> Result[Sequence[SettledRow], VenueError]:
            params = [
                LINEAR,
                ("symbol", venue_symbol),
                ("startTime", str(first_ms)),
                ("endTime", str(before_ms)),
                ("limit", str(HISTORY_PAGE_LIMIT)),
            ]
            body = await self._http.public(PATH_FUNDING_HISTORY, params)
            return body.bind(lambda b: parse_history_rows(self._venue, b, venue_symbol))

        walked = await walk_back(
            self._venue,
            page,
            start=millis(end) - 1,
            floor=first_ms - 1,
            limit=HISTORY_PAGE_LIMIT,
            oldest=lambda row: row.funding_time_ms,
            next_cursor=lambda oldest: oldest - 1,
            max_pages=MAX_PAGES,
            what="funding/history",
        )
        if isinstance(walked, Failure):
            return Failure(walked.failure())
        rows = walked.unwrap()
        built = build_history(
            self._exchange, rows, symbol, venue_symbol, market.unwrap().market.funding_interval
        )
        return Success(settled_within(built, start, end))


__all__ = [
    "FUNDING_RATES_PATHS",
    "PATH_FUNDING_HISTORY",
    "PATH_INSTRUMENTS",
    "PATH_ORDERBOOK",
    "PATH_TICKERS",
    "BybitMarketData",
]
