"""Binance market data: markets, funding (now and settled), order books.

==========================  =================================================================
``markets()``               ``GET /fapi/v1/exchangeInfo`` (+ ``/fapi/v1/fundingInfo`` when its
                            cache is stale, concurrently: one round trip)
``funding_rates()``         ``GET /fapi/v1/premiumIndex`` (all symbols, weight 10) and, when
                            the cached intervals are older than ``funding_info_ttl_seconds``
                            (default 600), ``GET /fapi/v1/fundingInfo``, both in flight at
                            once (one round trip). No exchangeInfo. A cached interval that
                            contradicts ``nextFundingTime`` (:mod:`atomic_fp.intervals`)
                            re-reads fundingInfo at once; a rate still in doubt carries
                            ``interval_doubt`` and is left out downstream.
``order_book()``            ``GET /fapi/v1/depth`` (+ markets when not cached)
``funding_history()``       ``GET /fapi/v1/fundingRate`` pages (+ markets, fundingInfo)
==========================  =================================================================

Markets and fundingInfo are the kit's :class:`~adapters.kit.cache.TtlCache` values: one
load for concurrent callers, failures never cached.

Aster serves the same endpoints with the same bodies: :class:`adapters.aster.market_data.
AsterMarketData` is this class with the two differences its wire needs switched off
(``READS_FUNDING_CAPS``, ``REREADS_DOUBTFUL_INTERVALS``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Protocol

import attrs
from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.binance.parsers import (
    DEFAULT_INTERVAL_HOURS,
    BinanceMarket,
    SettledRow,
    SymbolMap,
    build_funding_history,
    parse_depth,
    parse_exchange_info,
    parse_funding_caps,
    parse_funding_info,
    parse_funding_rate_rows,
    parse_premium_index,
)
from adapters.binance.weights import depth_limit_and_weight
from adapters.kit.cache import TtlCache
from adapters.kit.http import joined_failure
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier

PATH_EXCHANGE_INFO = "/fapi/v1/exchangeInfo"
PATH_PREMIUM_INDEX = "/fapi/v1/premiumIndex"
PATH_FUNDING_INFO = "/fapi/v1/fundingInfo"
PATH_DEPTH = "/fapi/v1/depth"
PATH_FUNDING_RATE = "/fapi/v1/fundingRate"

FUNDING_RATES_PATHS = (PATH_PREMIUM_INDEX, PATH_FUNDING_INFO)
"""Every path ``fetch_funding_rates`` may request."""
MARKETS_PATHS = (PATH_EXCHANGE_INFO, PATH_FUNDING_INFO)
"""Every path ``fetch_markets`` may request."""

HISTORY_PAGE_LIMIT = 1000
MAX_PAGES = 1000
_MAX_INTERVAL = timedelta(hours=8)


class PublicReads(Protocol):
    """The unsigned GET a market-data reader needs (``BinanceHttp``, ``AsterHttp``, or
    :class:`adapters.binance.http.FundingLimitedReads` for Binance's funding endpoints)."""

    async def public(
        self, path: str, weight: int, params: Mapping[str, str] | None = None
    ) -> Result[Any, VenueError]: ...


@attrs.frozen
class FundingInfo:
    """``fundingInfo``: interval hours and (adjusted) cap/floor per venue symbol."""

    intervals: Mapping[str, int]
    caps: Mapping[str, tuple[Decimal, Decimal]]


@attrs.frozen
class MarketList:
    markets: tuple[BinanceMarket, ...]
    by_symbol: Mapping[Symbol, BinanceMarket]


def millis(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(value.timestamp() * 1000)


def _marked(rate: FundingRate, doubt: str | None) -> FundingRate:
    return rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt)


_RATE_FIELDS = (
    "exchange",
    "symbol",
    "rate",
    "interval",
    "kind",
    "observed_at",
    "next_funding_time",
    "funding_time",
    "mark_price",
    "index_price",
    "venue_symbol",
    "cap",
    "floor",
    "open_interest",
    "volume_24h",
    "interval_doubt",
)
_ONE_BUILD = tuple(f.name for f in attrs.fields(FundingRate)) == _RATE_FIELDS
""":func:`_finished` names every field of :class:`FundingRate` (else it evolves)."""


def _finished(
    rate: FundingRate, bounds: tuple[Decimal, Decimal] | None, doubt: str | None
) -> FundingRate:
    """``_marked(_with_cap(rate, caps), doubt)`` built once (issue 20: ``attrs.evolve`` twice
    per adjusted symbol, ~13 us each): the same fields, validated by the same constructor
    (``checked_funding_rate`` is exactly ``FundingRate(...)``). The cap does not move the
    interval or the next funding, so ``doubt`` is that of ``rate`` as of the capped one.
    Equal: tests/adapters/binance/test_funding_caps_once.py."""
    if bounds is None and doubt is None:
        return rate
    if not _ONE_BUILD:  # a field this list does not know: the two evolves
        capped = rate if bounds is None else attrs.evolve(rate, cap=bounds[0], floor=bounds[1])
        return _marked(capped, doubt)
    cap, floor = (rate.cap, rate.floor) if bounds is None else bounds
    return checked_funding_rate(
        exchange=rate.exchange,
        symbol=rate.symbol,
        rate=rate.rate,
        interval=rate.interval,
        kind=rate.kind,
        observed_at=rate.observed_at,
        next_funding_time=rate.next_funding_time,
        funding_time=rate.funding_time,
        mark_price=rate.mark_price,
        index_price=rate.index_price,
        venue_symbol=rate.venue_symbol,
        cap=cap,
        floor=floor,
        open_interest=rate.open_interest,
        volume_24h=rate.volume_24h,
        interval_doubt=rate.interval_doubt if doubt is None else doubt,
    )


class BinanceMarketData:
    """Public market data of one Binance client (shares its :class:`BinanceHttp`).
    ``funding_reads`` sends ``fundingInfo`` and ``fundingRate`` (Binance: through its
    separate funding-endpoint budget)."""

    READS_FUNDING_CAPS: ClassVar[bool] = True
    """Attach ``fundingInfo``'s adjusted cap/floor to the rates."""
    REREADS_DOUBTFUL_INTERVALS: ClassVar[bool] = True
    """Re-read ``fundingInfo`` at once when a cached interval contradicts ``nextFundingTime``."""

    def __init__(
        self,
        http: PublicReads,
        exchange: ExchangeIdentifier,
        symbols: SymbolMap,
        *,
        funding_reads: PublicReads,
        funding_info_ttl: float,
        markets_ttl: float,
        monotonic: Callable[[], float],
    ) -> None:
        self._http = http
        self._funding_reads = funding_reads
        self._exchange = exchange
        self._venue = str(exchange)
        self.symbols = symbols
        self._info: TtlCache[FundingInfo] = TtlCache(funding_info_ttl, monotonic=monotonic)
        self._markets: TtlCache[MarketList] = TtlCache(markets_ttl, monotonic=monotonic)

    # ------------------------------------------------------------------ caches

    async def _read_funding_info(self) -> Result[FundingInfo, VenueError]:
        body = await self._funding_reads.public(PATH_FUNDING_INFO, 1)
        if isinstance(body, Failure):
            return body
        parsed = parse_funding_info(self._venue, body.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        if not self.READS_FUNDING_CAPS:
            return Success(FundingInfo(parsed.unwrap(), {}))
        caps = parse_funding_caps(self._venue, body.unwrap())
        if isinstance(caps, Failure):
            return Failure(caps.failure())
        return Success(FundingInfo(parsed.unwrap(), caps.unwrap()))

    async def intervals(self) -> Result[Mapping[str, int], VenueError]:
        """Funding interval hours per venue symbol (cached ``funding_info_ttl``)."""
        info = await self._info.get(self._read_funding_info)
        if isinstance(info, Failure):
            return Failure(info.failure())
        return Success(info.unwrap().intervals)

    async def _load_markets(self) -> Result[MarketList, VenueError]:
        # Independent requests, joined after both answer: one round trip, not two.
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
        """``symbol``'s market (the market list cached ``markets_ttl``)."""
        loaded = await self._markets.get(self._load_markets)
        if isinstance(loaded, Failure):
            return loaded
        market = loaded.unwrap().by_symbol.get(symbol)
        if market is None:
            return Failure(
                UnknownSymbol(self._venue, f"{symbol} is not a trading USD-quoted perpetual here")
            )
        return Success(market)

    # ------------------------------------------------------------------ calls

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        loaded = await self._markets.refresh(self._load_markets)
        if isinstance(loaded, Failure):
            return loaded
        return Success(tuple(m.market for m in loaded.unwrap().markets))

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        # Independent requests, joined after both answer: one round trip, not two.
        read_before = self._info.generation
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
        cached = self._info.generation == read_before  # fundingInfo not read in this call
        doubts: list[str | None] | None = list(map(interval_doubt, rates))
        if cached and any(doubts or ()) and self.REREADS_DOUBTFUL_INTERVALS:
            # A cached fundingInfo interval contradicts premiumIndex's nextFundingTime (the
            # venue changed it): read fundingInfo again now, whatever its TTL says.
            fresh = await self._info.refresh(self._read_funding_info)
            if isinstance(fresh, Failure):
                return Failure(fresh.failure())
            reparsed = parse_premium_index(
                self._exchange, body.unwrap(), self.symbols, fresh.unwrap().intervals
            )
            if isinstance(reparsed, Failure):
                return Failure(reparsed.failure())
            wanted_symbols = {rate.symbol for rate in rates}
            rates = tuple(rate for rate in reparsed.unwrap() if rate.symbol in wanted_symbols)
            doubts = None  # other rates: checked again below
        info = self._info.last
        caps = info.caps if info is not None else {}
        if doubts is None:  # rates re-read: their doubts computed afresh
            doubts = list(map(interval_doubt, rates))
        # per rate: _finished(rate, caps.get(rate.venue_symbol or ""), doubt), its loop in C
        # (~500 rates a scan, issue 20)
        bounds = map(caps.get, [rate.venue_symbol or "" for rate in rates])
        return Success(tuple(map(_finished, rates, bounds, doubts)))

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        limit, weight = depth_limit_and_weight(depth)
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
        # One maximal interval earlier, so the first row in range has its predecessor
        # and its interval comes from a real gap.
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
            body = await self._funding_reads.public(
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


__all__ = [
    "FUNDING_RATES_PATHS",
    "MARKETS_PATHS",
    "BinanceMarketData",
    "FundingInfo",
    "PublicReads",
    "millis",
]
