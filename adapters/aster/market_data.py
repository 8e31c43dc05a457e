"""Aster market data: markets, funding (now and settled), order books.

Aster serves Binance's public futures endpoints with Binance's bodies (research notes F;
CCXT ``aster.py`` api map), so the pure Binance parsers read them (imported, not copied):

==========================  =================================================================
``markets()``               ``GET /fapi/v1/exchangeInfo`` + ``GET /fapi/v1/fundingInfo`` (when
                            its cache is stale), concurrently: one round trip
``funding_rates()``         ``GET /fapi/v1/premiumIndex`` (``lastFundingRate``: a fraction per
                            interval) + ``fundingInfo`` (per-symbol ``fundingIntervalHours``;
                            Aster runs 4 h and 1 h symbols beside the 8 h default: live
                            sample ``"fundingIntervalHours":4`` in asterdex/api-docs#1)
``order_book()``            ``GET /fapi/v1/depth``
``funding_history()``       ``GET /fapi/v1/fundingRate`` pages (limit 1000)
==========================  =================================================================

A rate whose cached interval contradicts its ``nextFundingTime`` carries
``interval_doubt`` (:mod:`atomic_fp.intervals`) and is left out downstream; fundingInfo is
re-read every ``funding_info_ttl_seconds``.

Where Aster's wire differs, the Binance code is *not* used: Aster's ``fundingInfo`` rows carry
``fundingFeeCap``/``fundingFeeFloor`` (null on the recorded BTCUSDT row, ccxt fixture
``aster.json``), not Binance's ``adjustedFundingRateCap``/``Floor``, and their unit is not
documented, so no cap or floor is attached to Aster rates (none is guessed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta

import attrs
from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.aster.http import AsterHttp
from adapters.binance.parsers import (
    DEFAULT_INTERVAL_HOURS,
    BinanceMarket,
    SettledRow,
    SymbolMap,
    build_funding_history,
    parse_depth,
    parse_exchange_info,
    parse_funding_info,
    parse_funding_rate_rows,
    parse_premium_index,
)
from adapters.kit.cache import TtlCache
from adapters.kit.http import joined_failure
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PATH_EXCHANGE_INFO = "/fapi/v1/exchangeInfo"
PATH_PREMIUM_INDEX = "/fapi/v1/premiumIndex"
PATH_FUNDING_INFO = "/fapi/v1/fundingInfo"
PATH_DEPTH = "/fapi/v1/depth"
PATH_FUNDING_RATE = "/fapi/v1/fundingRate"

DEPTH_LIMITS = ((5, 2), (10, 2), (20, 2), (50, 2), (100, 5), (500, 10), (1000, 20))
"""``depth`` limits and weights (Aster's copy of Binance's "Order Book" table)."""
HISTORY_PAGE_LIMIT = 1000
MAX_PAGES = 1000
_MAX_INTERVAL = timedelta(hours=8)


@attrs.frozen
class MarketList:
    markets: tuple[BinanceMarket, ...]
    by_symbol: Mapping[Symbol, BinanceMarket]


def millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _depth_limit(depth: int) -> tuple[int, int]:
    for limit, weight in DEPTH_LIMITS:
        if depth <= limit:
            return limit, weight
    return DEPTH_LIMITS[-1]


def _checked(rate: FundingRate) -> FundingRate:
    doubt = interval_doubt(rate)
    return rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt)


class AsterMarketData:
    """Public market data of one Aster client (shares its :class:`AsterHttp`)."""

    def __init__(
        self,
        http: AsterHttp,
        exchange: ExchangeIdentifier,
        symbols: SymbolMap,
        *,
        funding_info_ttl: float,
        markets_ttl: float,
        monotonic: Callable[[], float],
    ) -> None:
        self._http = http
        self._exchange = exchange
        self._venue = str(exchange)
        self.symbols = symbols
        self._intervals: TtlCache[Mapping[str, int]] = TtlCache(
            funding_info_ttl, monotonic=monotonic
        )
        self._markets: TtlCache[MarketList] = TtlCache(markets_ttl, monotonic=monotonic)

    async def _read_intervals(self) -> Result[Mapping[str, int], VenueError]:
        body = await self._http.public(PATH_FUNDING_INFO, 1)
        if isinstance(body, Failure):
            return body
        parsed = parse_funding_info(self._venue, body.unwrap())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def intervals(self) -> Result[Mapping[str, int], VenueError]:
        """Funding interval hours per venue symbol (cached ``funding_info_ttl``)."""
        return await self._intervals.get(self._read_intervals)

    async def _load_markets(self) -> Result[MarketList, VenueError]:
        intervals, body = await both(self.intervals(), self._http.public(PATH_EXCHANGE_INFO, 1))
        if isinstance(intervals, Failure) or isinstance(body, Failure):
            return joined_failure(intervals, body)
        parsed = parse_exchange_info(
            self._exchange, body.unwrap(), self.symbols, intervals.unwrap()
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        markets = parsed.unwrap()
        return Success(MarketList(markets, {m.market.symbol: m for m in markets}))

    async def market(self, symbol: Symbol) -> Result[BinanceMarket, VenueError]:
        loaded = await self._markets.get(self._load_markets)
        if isinstance(loaded, Failure):
            return loaded
        market = loaded.unwrap().by_symbol.get(symbol)
        if market is None:
            return Failure(
                UnknownSymbol(self._venue, f"{symbol} is not a trading USD-quoted perpetual here")
            )
        return Success(market)

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        loaded = await self._markets.refresh(self._load_markets)
        if isinstance(loaded, Failure):
            return loaded
        return Success(tuple(m.market for m in loaded.unwrap().markets))

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        intervals, body = await both(self.intervals(), self._http.public(PATH_PREMIUM_INDEX, 10))
        if isinstance(intervals, Failure) or isinstance(body, Failure):
            return joined_failure(intervals, body)
        parsed = parse_premium_index(
            self._exchange, body.unwrap(), self.symbols, intervals.unwrap()
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        rates = parsed.unwrap()
        if symbols is not None:
            wanted = set(symbols)
            rates = tuple(rate for rate in rates if rate.symbol in wanted)
        return Success(tuple(_checked(rate) for rate in rates))

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        limit, weight = _depth_limit(depth)
        body = await self._http.public(
            PATH_DEPTH, weight, {"symbol": market.unwrap().venue_symbol, "limit": str(limit)}
        )
        if isinstance(body, Failure):
            return body
        book = parse_depth(self._exchange, body.unwrap(), symbol, depth)
        return Failure(book.failure()) if isinstance(book, Failure) else Success(book.unwrap())

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "history needs aware start < end"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        intervals = await self.intervals()
        if isinstance(intervals, Failure):
            return intervals
        venue_symbol = market.unwrap().venue_symbol
        fallback = intervals.unwrap().get(venue_symbol, DEFAULT_INTERVAL_HOURS)
        rows = await self._settled_rows(
            venue_symbol, millis(start - _MAX_INTERVAL), millis(end) - 1
        )
        if isinstance(rows, Failure):
            return rows
        built = build_funding_history(self._venue, self._exchange, rows.unwrap(), symbol, fallback)
        if isinstance(built, Failure):
            return Failure(built.failure())
        return Success(
            tuple(
                rate
                for rate in built.unwrap()
                if rate.funding_time is not None and start <= rate.funding_time < end
            )
        )

    async def _settled_rows(
        self, venue_symbol: str, cursor: int, last_ms: int
    ) -> Result[list[SettledRow], VenueError]:
        rows: list[SettledRow] = []
        for _ in range(MAX_PAGES):
            body = await self._http.public(
                PATH_FUNDING_RATE,
                1,
                {
                    "symbol": venue_symbol,
                    "startTime": str(cursor),
                    "endTime": str(last_ms),
                    "limit": str(HISTORY_PAGE_LIMIT),
                },
            )
            if isinstance(body, Failure):
                return body
            page = parse_funding_rate_rows(self._venue, body.unwrap(), venue_symbol)
            if isinstance(page, Failure):
                return Failure(page.failure())
            page_rows = page.unwrap()
            rows.extend(page_rows)
            if len(page_rows) < HISTORY_PAGE_LIMIT:
                return Success(rows)
            newest = max(row.funding_time_ms for row in page_rows)
            if newest < cursor:
                return Failure(
                    MalformedResponse(self._venue, "fundingRate pagination did not advance")
                )
            cursor = newest + 1
            if cursor > last_ms:
                return Success(rows)
        return Failure(MalformedResponse(self._venue, f"fundingRate: over {MAX_PAGES} pages"))


__all__ = ["AsterMarketData", "millis"]
