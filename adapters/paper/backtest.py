"""The paper venue as the backtest's simulated venue (injected into
:func:`atomic_fp.backtest.engine.run_backtest` by the shell).

:class:`BacktestPaperVenue` is the same :class:`PaperVenue` (same books, fills, fees,
funding, margin and liquidations) plus three synchronous calls, the
:class:`atomic_fp.backtest.venue.DirectVenue` protocol: the engine calls the venue
in-process tens of thousands of times per simulated year, and going through the
``FutureResult`` of each async call (coroutine, call log, fault checks, result wrapping)
cost about a fifth of a run. They answer what the async calls answer on a venue with no
faults and no latency, which is how a backtest venue is built; with a fault set they
refuse (a drill must use the async calls, which model the fault).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from returns.result import Result, Success

from adapters.paper.backtest_account import retimed_margin
from adapters.paper.backtest_bookings import BacktestBookings
from adapters.paper.faults import OrderFault, faultless
from adapters.paper.grid import ceil_to_tick, floor_to_tick
from adapters.paper.restamp import copier, retimed, slot_builder, utc_instant
from adapters.paper.venue import PaperMarketState, next_boundary
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    BookLevel,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
    VenueFees,
)
from atomic_fp.models._validators import positive, to_utc, utc_datetime
from atomic_fp.models.book import _levels


class BacktestPaperVenue(BacktestBookings):
    """A paper venue with synchronous reads and order placement for in-process drivers.

    Memos, each keyed by everything its answer is computed from except the clock, the
    objects compared by identity (all immutable; an equal Decimal of another exponent
    prints differently, so it counts as a change), so a stale answer is impossible, not
    merely unlikely. When only the clock moved, the answer is copied with the new time
    (:mod:`adapters.paper.restamp`: the same object the constructor would build, without
    re-running every validator). ``tests/backtest/test_paper_venue_memos.py`` compares
    every read with the plain paper venue's (by value and ``repr``) over random events;
    ``tests/backtest/test_fast_path_equivalence.py`` every booking of a run.

    - the account reads (margin, positions, the liquidation floor):
      :mod:`adapters.paper.backtest_account`; one symbol's position and each held leg's
      (copied with the new mark when only the mark moved):
      :mod:`adapters.paper.backtest_positions`;
    - the liquidation check's "not due" on mark moves: :mod:`adapters.paper.backtest_marks`;
    - each market's current rate, by its rate, mark and market objects, and the next
      funding boundary per interval and instant;
    - the synthetic book's levels per symbol, by mark, spread, tick and depth (rounding
      both sides to the tick for every read was); the book is re-stamped with the
      current time, which the decisions judge staleness by.

    Models built anew (a moved mark's book, a new leg's position, the account, each
    fill's order and each settlement's payment) are built from their slots when their
    values pass the validators' common case, checked in one expression, and by their
    constructors otherwise (:func:`adapters.paper.restamp.slot_builder`,
    :mod:`adapters.paper.backtest_bookings`); each against the live venue's
    constructor-built answer in ``tests/adapters/test_paper_*_built.py``,
    ``test_paper_book_build.py`` and ``test_paper_position_mark_copy.py``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._levels_memo: dict[Symbol, tuple[tuple[Hashable, ...], OrderBook]] = {}
        self._rates_memo: dict[Symbol, tuple[Decimal, Decimal, Market, FundingRate]] = {}
        self._boundaries: dict[timedelta, tuple[datetime, datetime]] = {}

    def _next_funding(self, state: PaperMarketState, now: datetime) -> datetime:
        """:meth:`PaperVenue._next_funding`, the boundary computed once per interval and
        instant (every market of one interval reports the same one)."""
        if state.next_funding_time is not None:
            return state.next_funding_time
        interval = state.market.funding_interval
        cached = self._boundaries.get(interval)
        if cached is not None and cached[0] == now:
            return cached[1]
        boundary = next_boundary(now, interval)
        self._boundaries[interval] = (now, boundary)
        return boundary

    def _rates_now(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """:meth:`PaperVenue._rates_now`, each market's rate built once per rate, interval,
        mark and venue symbol (compared by identity: an equal Decimal of another exponent
        is built anew) and copied with the new observation and next funding times."""
        now = self.now()
        if not utc_instant(now):
            return super()._rates_now(symbols)
        markets = self._markets
        wanted = markets if symbols is None else [s for s in symbols if s in markets]
        memo = self._rates_memo
        rates = []
        for symbol in wanted:
            state = markets[symbol]
            market = state.market
            next_time = self._next_funding(state, now)
            cached = memo.get(symbol)
            if (
                cached is not None
                and cached[0] is state.funding_rate
                and cached[1] is state.mark_price
                and cached[2] is market
                and utc_instant(next_time)
            ):
                rate = cached[3]
                if rate.observed_at != now or rate.next_funding_time != next_time:
                    # both times checked above (utc_instant)
                    rate = (
                        _RATE_RETIMED(rate, now, next_time)
                        if type(rate) is FundingRate
                        else retimed(rate, observed_at=now, next_funding_time=next_time)
                    )
                    memo[symbol] = (cached[0], cached[1], cached[2], rate)
            else:
                rate = self._funding_rate(symbol, now)
                memo[symbol] = (state.funding_rate, state.mark_price, market, rate)
            rates.append(rate)
        return Success(tuple(rates))

    def _book(self, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return state.book
        memo = self._levels_memo
        mark, spread, tick, depth = (
            state.mark_price,
            state.half_spread,
            state.market.tick_size,
            state.depth,
        )
        cached = memo.get(symbol)
        if cached is None or not (  # _same_objects of the key, in line (~19,000 reads a year)
            (known := cached[0])[0] is mark
            and known[1] is spread
            and known[2] is tick
            and known[3] is depth
        ):
            book = self._synthetic_book(symbol, state)
            memo[symbol] = ((mark, spread, tick, depth), book)
            return book
        book = cached[1]
        now = self.now()
        if book.timestamp == now:
            return book
        if utc_instant(now):
            book = (
                _BOOK_RETIMED(book, now)
                if type(book) is OrderBook
                else retimed(book, timestamp=now)
            )
        else:
            book = OrderBook(
                exchange=book.exchange, symbol=symbol, bids=book.bids, asks=book.asks, timestamp=now
            )
        memo[symbol] = (known, book)
        return book

    def _synthetic_book(self, symbol: Symbol, state: PaperMarketState) -> OrderBook:
        """:meth:`PaperMatching._book`'s synthetic book (no explicit book is set): the
        same sides by the same operations, the clock read once after them, and the
        models built from their slots (:func:`~adapters.paper.restamp.slot_builder`)
        when every value is what their validators accept unchanged: finite ``Decimal``
        prices and depth > 0, the bid below the ask (``OrderBook``'s crossed-book check;
        one level a side is sorted), an aware UTC time. Otherwise the old code builds it
        (and refuses what it refused). A backtest rebuilds the book at every mark move
        that a read follows (``tests/adapters/test_paper_book_build.py``)."""
        tick = state.market.tick_size
        mark = state.mark_price
        offset = mark * state.half_spread
        bid = floor_to_tick(mark - offset, tick)
        ask = ceil_to_tick(mark + offset, tick)
        if ask <= bid:
            ask = bid + tick
        depth = state.depth
        if not (
            type(bid) is Decimal
            and type(ask) is Decimal
            and type(depth) is Decimal
            and bid.is_finite()
            and ask.is_finite()
            and depth.is_finite()
            and depth > 0
            and ask > 0
            and bid < ask
        ):
            return super()._book(symbol)
        now = self.now()
        if _LEVEL is None or _BOOK is None or not utc_instant(now):
            return OrderBook(
                exchange=self._exchange,
                symbol=symbol,
                bids=(BookLevel(bid, depth),) if bid > 0 else (),
                asks=(BookLevel(ask, depth),),
                timestamp=now,
            )
        bids = (_LEVEL(bid, depth),) if bid > 0 else ()
        return _BOOK(self._exchange, symbol, bids, (_LEVEL(ask, depth),), now)

    def _require_faultless(self, call: str) -> None:
        faults = self.faults
        if faults.down or faults.latency or faults.response_latency or faults.order_latency:
            raise RuntimeError(f"{call}: the direct calls model no faults or latency")
        if faults.read_failure_probability:
            raise RuntimeError(f"{call}: the direct calls model no faults or latency")

    def funding_rates_now(
        self, symbols: Collection[Symbol] | None = None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """What ``fetch_funding_rates(symbols)`` answers."""
        self._require_faultless("funding_rates_now")
        self._tick()
        return self._rates_now(symbols)

    def positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        """What ``fetch_positions()`` answers (with liquidation prices)."""
        self._require_faultless("positions_now")
        self._tick()
        return self._positions_now()

    def position_now(self, symbol: Symbol) -> Result[Position | None, VenueError]:
        """What ``fetch_positions()`` answers for ``symbol`` (``None``: flat), without
        building the other legs' liquidation estimates
        (:meth:`~adapters.paper.backtest_account.BacktestAccountReads._held_position`)."""
        self._require_faultless("position_now")
        self._tick()
        return Success(self._held_position(symbol))

    def place_now(self, request: OrderRequest) -> Result[Order, VenueError]:
        """What ``place_order(request)`` answers, for an order without ``expires_at``."""
        self._require_faultless("place_now")
        if not faultless(self.faults) or request.expires_at is not None:
            raise RuntimeError("place_now: order faults and deadlines need place_order")
        self._tick()
        result = self._accept(request, OrderFault.NONE)
        self._save()
        return result


_RATE_RETIMED = copier(FundingRate, "observed_at", "next_funding_time")
_BOOK_RETIMED = copier(OrderBook, "timestamp")
_LEVEL = slot_builder(BookLevel, (("price", positive, None), ("size", positive, None)))
_BOOK = slot_builder(
    OrderBook,
    (
        ("exchange", None, None),
        ("symbol", None, None),
        ("bids", OrderBook._bids_sorted, _levels),
        ("asks", OrderBook._asks_sorted, _levels),
        ("timestamp", utc_datetime, to_utc),
    ),
    OrderBook.__attrs_post_init__,
)
"""Built for the checks of :meth:`BacktestPaperVenue._synthetic_book`; ``None`` (the
constructor builds) if the models changed since."""


def backtest_venue(
    name: str, *, fees: VenueFees, balance: Decimal, clock: Callable[[], datetime]
) -> BacktestPaperVenue:
    """A :class:`~atomic_fp.backtest.venue.SimulatedVenueFactory`: a paper venue with no
    markets yet, no automatic funding (the engine settles at each venue's real settlement
    times) and no ledger history kept (the engine records its own)."""
    return BacktestPaperVenue(
        name,
        (),
        fees=fees,
        balances={"USD": balance},
        clock=clock,
        auto_funding=False,
        ledger_retention=0,
    )


__all__ = ["BacktestPaperVenue", "backtest_venue", "retimed_margin"]
