"""OKX public market data: instruments (cached), current funding, settled funding, books.

Requests (public, unsigned; all on ``https://www.okx.com``):

=========================  ==========================================================
markets                    ``GET /api/v5/public/instruments?instType=SWAP`` and
                           ``GET /api/v5/public/funding-rate?instId=ANY`` in flight at
                           once (the second gives each symbol's interval); cached for
                           ``markets_ttl_seconds`` (600)
funding rates              ``GET /api/v5/public/funding-rate?instId=ANY`` (every swap in
                           one answer: "ANY to return the funding rate info of all swap
                           symbols", OKX v5 docs as quoted by the ``venues`` Rust crate's
                           ``GetFundingRateRequest``) and ``GET /api/v5/public/mark-price?
                           instType=SWAP`` together; with a cold market cache, the same
                           two requests as markets beside the marks: one round trip
                           either way. Marks are optional: when that request fails the
                           rates carry no mark (unknown), the rates themselves stand
funding history            ``GET /api/v5/public/funding-rate-history`` pages of 100,
                           newest first, walked back with ``after`` (OKX keeps about
                           three months)
order book                 ``GET /api/v5/market/books?instId=&sz=`` (sz <= 400)
=========================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.kit import joined_failure
from adapters.kit.catalog import MarketCatalog
from adapters.kit.pages import walk_back
from adapters.kit.rates import for_symbols, millis, range_refusal, settled_within, with_doubt
from adapters.okx.http import OkxHttp
from adapters.okx.parsing import (
    DEFAULT_INTERVAL,
    OkxMarket,
    SettledRow,
    build_funding_history,
    parse_book,
    parse_funding_history_rows,
    parse_funding_rates,
    parse_instruments,
    parse_mark_prices,
)
from atomic_fp.errors import InvalidRequest, VenueError
from atomic_fp.models import FundingRate, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PATH_INSTRUMENTS = "/api/v5/public/instruments"
PATH_FUNDING_RATE = "/api/v5/public/funding-rate"
PATH_FUNDING_HISTORY = "/api/v5/public/funding-rate-history"
PATH_BOOKS = "/api/v5/market/books"
PATH_MARK_PRICE = "/api/v5/public/mark-price"
INSTRUMENTS_PARAMS = (("instType", "SWAP"),)
FUNDING_PARAMS = (("instId", "ANY"),)
MARK_PARAMS = (("instType", "SWAP"),)
HISTORY_PAGE_LIMIT = 100
_PAGE_LIMIT = str(HISTORY_PAGE_LIMIT)
MAX_BOOK_DEPTH = 400
MAX_PAGES = 1000
_MAX_INTERVAL = timedelta(hours=8)


class OkxMarketData:
    """The public half of an OKX client: one market cache, shared by execution."""

    def __init__(
        self,
        http: OkxHttp,
        exchange: ExchangeIdentifier,
        overrides: Mapping[str, tuple[Symbol, Any]],
        *,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        markets_ttl: float,
    ) -> None:
        self._http = http
        self._exchange = exchange
        self._venue = str(exchange)
        self._overrides = dict(overrides)
        self._now = now
        self._monotonic = monotonic
        self.catalog = MarketCatalog(
            self._venue,
            self._load,
            markets_ttl,
            missing="is not a live USDT-margined swap here",
            monotonic=monotonic,
        )
        # the catalog's own methods: market(symbol), fetch_markets()
        self.market = self.catalog.market
        self.fetch_markets = self.catalog.markets
        self._loaded_funding: Any = None

    # ------------------------------------------------------------------ markets cache

    async def _load(self) -> Result[tuple[OkxMarket, ...], VenueError]:
        """Instruments and current funding, sent together (one round trip); the funding
        body is kept so a funding read that loaded the markets needs nothing more."""
        instruments, funding = await both(
            self._http.public(PATH_INSTRUMENTS, INSTRUMENTS_PARAMS),
            self._http.public(PATH_FUNDING_RATE, FUNDING_PARAMS),
        )
        if isinstance(instruments, Failure) or isinstance(funding, Failure):
            return joined_failure(instruments, funding)
        plain = parse_instruments(self._exchange, instruments.unwrap(), self._overrides, {})
        if isinstance(plain, Failure):
            return Failure(plain.failure())
        by_inst = {m.inst_id: m.market for m in plain.unwrap()}
        rates = parse_funding_rates(self._exchange, funding.unwrap(), by_inst, self._now())
        if isinstance(rates, Failure):
            return Failure(rates.failure())
        intervals = {
            r.venue_symbol or "": r.interval for r in rates.unwrap() if r.interval_doubt is None
        }
        parsed = parse_instruments(self._exchange, instruments.unwrap(), self._overrides, intervals)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        self._loaded_funding = funding.unwrap()
        return parsed

    async def _ensure(self) -> Result[Any, VenueError]:
        """Load the markets when stale; the funding body read alongside when this call
        caused (or waited for) a load, else ``None``."""
        before = self.catalog.cache.generation
        loaded = await self.catalog.all()
        if isinstance(loaded, Failure):
            return loaded
        return Success(self._loaded_funding if self.catalog.cache.generation != before else None)

    async def by_instrument(self) -> Result[Mapping[str, OkxMarket], VenueError]:
        loaded = await self.catalog.all()
        return loaded.map(lambda _: self.catalog.by_venue_symbol)

    # ------------------------------------------------------------------ queries

    async def _marks(self) -> dict[str, Decimal]:
        body = await self._http.public(PATH_MARK_PRICE, MARK_PARAMS)
        if isinstance(body, Failure):
            return {}
        marks = parse_mark_prices(self._venue, body.unwrap())
        return marks.unwrap() if isinstance(marks, Success) else {}

    async def _current_funding(self) -> Result[Any, VenueError]:
        ensured = await self._ensure()
        if isinstance(ensured, Failure) or ensured.unwrap() is not None:
            return ensured
        return await self._http.public(PATH_FUNDING_RATE, FUNDING_PARAMS)

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        body, marks = await both(self._current_funding(), self._marks())
        if isinstance(body, Failure):
            return body
        by_inst = {inst: m.market for inst, m in self.catalog.by_venue_symbol.items()}
        parsed = parse_funding_rates(self._exchange, body.unwrap(), by_inst, self._now())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        rates = for_symbols(parsed.unwrap(), symbols)
        return Success(
            tuple(
                with_doubt(attrs.evolve(rate, mark_price=marks.get(rate.venue_symbol or "")))
                for rate in rates
            )
        )

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        size = min(depth, MAX_BOOK_DEPTH)
        body = await self._http.public(
            PATH_BOOKS, (("instId", market.unwrap().inst_id), ("sz", str(size)))
        )
        ct_val = market.unwrap().contract_value
        return body.bind(lambda b: parse_book(self._exchange, b, symbol, depth, ct_val))

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """Settled rates with ``start <= funding_time < end``, oldest first. Pages walk
        back from ``end`` with ``after`` (rows strictly older than it) until a page is
        short or reaches one maximal interval before ``start`` (so the first row in range
        has its predecessor, and its interval comes from a real gap)."""
        refused = range_refusal(self._venue, start, end, "history")
        if refused is not None:
            return refused
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        inst_id = market.unwrap().inst_id

        async def page(after_ms: int) -> Result[Sequence[SettledRow], VenueError]:
            params = (("instId", inst_id), ("after", str(after_ms)), ("limit", _PAGE_LIMIT))
            body = await self._http.public(PATH_FUNDING_HISTORY, params)
            return body.bind(lambda b: parse_funding_history_rows(self._venue, b, inst_id))

        collected = await walk_back(
            self._venue,
            page,
            start=millis(end),
            floor=millis(start - _MAX_INTERVAL),
            limit=HISTORY_PAGE_LIMIT,
            oldest=lambda row: row.funding_time_ms,
            max_pages=MAX_PAGES,
            what="funding-rate-history",
        )
        if isinstance(collected, Failure):
            return Failure(collected.failure())
        built = build_funding_history(
            self._exchange,
            collected.unwrap(),
            symbol,
            inst_id,
            market.unwrap().market.funding_interval or DEFAULT_INTERVAL,
        )
        if isinstance(built, Failure):
            return Failure(built.failure())
        return Success(settled_within(built.unwrap(), start, end))


__all__ = [
    "FUNDING_PARAMS",
    "INSTRUMENTS_PARAMS",
    "PATH_BOOKS",
    "PATH_FUNDING_HISTORY",
    "PATH_FUNDING_RATE",
    "PATH_INSTRUMENTS",
    "OkxMarketData",
]
