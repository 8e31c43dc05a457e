"""The backtest venue's synthetic book, built from the models' slots, is exactly the book
the live paper venue's code builds (``PaperMatching._book``: the oracle, the same code
``execute --paper`` runs), or the same refusal, for any mark, half spread, tick and depth
a driver can set, under any clock; and the clock is read as often.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.matching import PaperMatching
from atomic_fp.models import ExchangeIdentifier, Market, OrderBook, Symbol

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOL = Symbol("AAA")
VENUE = ExchangeIdentifier("paper")


class _Sub(Decimal):
    pass


_mark = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=0, max_value=10**6, places=8),
    st.sampled_from(["0", "-0", "0.004", "1E-8", "5E-9", "1E+27", "1E+60", "-3"]).map(Decimal),
    st.sampled_from(["100", "0.01"]).map(_Sub),
)
_spread = st.one_of(
    st.sampled_from(["0.0001", "0", "-0.0001", "0.5", "1", "2", "1E-30", "NaN"]).map(Decimal),
    st.decimals(min_value=0, max_value=1, places=6),
)
_tick = st.one_of(
    st.sampled_from(["0.01", "1E-8", "1", "0.05", "0.25", "1E+3", "10", "0.010"]).map(Decimal),
    st.decimals(min_value=Decimal("1E-6"), max_value=100, places=6).filter(lambda d: d > 0),
)
_depth = st.one_of(
    st.sampled_from(["1E+15", "1", "0", "-1", "Infinity", "NaN", "0.001"]).map(Decimal),
    st.sampled_from(["5"]).map(_Sub),
)
_now = st.sampled_from(
    [
        START,
        START.astimezone(timezone(timedelta(hours=2))),
        START.replace(tzinfo=None),
    ]
)


class _CountingClock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        return self.now


def _venue(clock: _CountingClock, tick: Decimal) -> BacktestPaperVenue:
    venue = BacktestPaperVenue("paper", (), clock=clock, auto_funding=False)
    venue.list_market(
        Market(
            exchange=VENUE, symbol=SYMBOL, venue_symbol="AAAUSDT", tick_size=tick,
            lot_size=Decimal("0.001"), funding_interval=timedelta(hours=8),
        ),
        mark_price=Decimal(100), funding_rate=Decimal(0), half_spread=Decimal("0.0005"),
        depth=Decimal(10) ** 6,
    )  # fmt: skip
    return venue


def _outcome(build: Any) -> tuple[str, ...]:
    try:
        book = build()
    except (ValueError, TypeError, ArithmeticError) as error:
        return "raised", type(error).__name__, str(error)
    assert type(book) is OrderBook
    return "built", repr(book), str(hash(book))


@settings(max_examples=400, deadline=None)
@given(mark=_mark, spread=_spread, tick=_tick, depth=_depth, now=_now)
@example(  # bid + tick rounds back to the bid at 28 digits: a locked book, refused
    mark=Decimal("1E+27"), spread=Decimal(0), tick=Decimal("0.01"), depth=Decimal(1), now=START
)
def test_the_synthetic_book_is_the_live_codes(
    mark: Decimal, spread: Decimal, tick: Decimal, depth: Decimal, now: datetime
) -> None:
    clock = _CountingClock(now)
    venue = _venue(clock, tick)
    state = venue._markets[SYMBOL]
    state.mark_price, state.half_spread, state.depth = mark, spread, depth  # unchecked
    before = clock.reads
    expected = _outcome(lambda: PaperMatching._book(venue, SYMBOL))
    old_reads = clock.reads - before
    got = _outcome(lambda: venue._synthetic_book(SYMBOL, state))
    assert got == expected
    assert clock.reads - before - old_reads == old_reads  # the clock read as often
    if expected[0] == "built":
        assert venue._synthetic_book(SYMBOL, state) == PaperMatching._book(venue, SYMBOL)


def test_the_slot_built_book_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property above means something: a backtest's mark move builds the book
    without ``OrderBook.__init__``; a value its validators would refuse goes to it."""
    clock = _CountingClock(START)
    venue = _venue(clock, Decimal("0.01"))
    built: list[str] = []
    original = OrderBook.__init__

    def counting(self: OrderBook, *args: Any, **kwargs: Any) -> None:
        built.append("book")
        original(self, *args, **kwargs)

    monkeypatch.setattr(OrderBook, "__init__", counting)
    for price in ("101", "99.5", "1E+2"):
        venue.set_mark_price(SYMBOL, Decimal(price))
        book = venue.book(SYMBOL)
        assert book.best_bid is not None and book.best_bid < Decimal(price) < book.asks[0].price
    assert built == []
    venue._markets[SYMBOL].depth = Decimal(0)
    venue.set_mark_price(SYMBOL, Decimal(102))
    with pytest.raises(ValueError, match="size must be > 0"):
        venue.book(SYMBOL)
