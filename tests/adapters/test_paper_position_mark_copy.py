"""A held leg whose mark alone moved is copied with the new mark, PnL and time
(``BacktestAccountReads._raw_position``) instead of built again: the copy must be exactly
what ``Position(...)`` builds from the same values, and every value the constructor
refuses (a NaN, an infinity, a negative mark, a Decimal subclass it converts) must still
be refused by the constructor itself, with its own error.

Oracle: ``Position(...)`` called with the arguments the paper venue's plain code
(``PaperMarginAccount._raw_positions``) passes, compared by value and ``repr``, or by the
exception's type and message.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal, Overflow, localcontext
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import BacktestPaperVenue
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    ExchangeIdentifier,
    Market,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
    VenueFees,
)

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOL = Symbol("AAA")
VENUE = ExchangeIdentifier("paper")


class _Sub(Decimal):
    """A Decimal subclass: the constructor keeps it (``exact_decimal``), the copy must
    leave it to the constructor."""


_marks = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**9, places=6),
    st.sampled_from(["0", "-0", "0E-8", "1E+2", "100.0", "-1", "9E+999999", "sNaN"]).map(Decimal),
    st.sampled_from(["100", "0", "-3"]).map(_Sub),
)
_times = st.sampled_from(
    [
        START + timedelta(hours=1),
        START,
        (START + timedelta(hours=2)).astimezone(timezone(timedelta(hours=3))),
    ]
)


def _outcome(build: Any) -> tuple[str, str]:
    try:
        built = build()
    except (ValueError, TypeError, ArithmeticError) as error:
        return type(error).__name__, str(error)
    return repr(built), type(built).__name__


def _held(side: Side, size: str) -> tuple[ManualClock, BacktestPaperVenue]:
    clock = ManualClock(START)
    venue = BacktestPaperVenue(
        "paper", (), fees=VenueFees(maker=Decimal(0), taker=Decimal("0.0005")),
        balances={"USD": Decimal(10) ** 9}, clock=clock, auto_funding=False,
        ledger_retention=0,
    )  # fmt: skip
    venue.list_market(
        Market(
            exchange=VENUE, symbol=SYMBOL, venue_symbol="AAAUSDT", tick_size=Decimal("0.01"),
            lot_size=Decimal("0.001"), funding_interval=timedelta(hours=8),
        ),
        mark_price=Decimal(100), funding_rate=Decimal(0), half_spread=Decimal("0.0005"),
        depth=Decimal(10) ** 6,
    )  # fmt: skip
    order = OrderRequest(
        exchange=VENUE, symbol=SYMBOL, side=side, size=Decimal(size), client_order_id="o",
        order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC,
    )  # fmt: skip
    assert venue.place_now(order).unwrap().filled_size == Decimal(size)
    return clock, venue


@settings(max_examples=300, deadline=None)
@given(
    mark=_marks,
    now=_times,
    side=st.sampled_from([Side.BUY, Side.SELL]),
    size=st.sampled_from(["1", "0.001", "2.500"]),
    overflow_trapped=st.booleans(),
)
@example(mark=Decimal("9E+999999"), now=START, side=Side.BUY, size="2.500", overflow_trapped=False)
@example(mark=Decimal("9E+999999"), now=START, side=Side.BUY, size="2.500", overflow_trapped=True)
def test_a_mark_only_move_copies_what_the_constructor_builds(
    mark: Decimal, now: datetime, side: Side, size: str, overflow_trapped: bool
) -> None:
    """Untrapped, an overflowing PnL is an infinity (``9E+999999 x 2.5``), which the
    constructor refuses; trapped (the default), the subtraction raises first."""
    with localcontext() as context:
        context.traps[Overflow] = overflow_trapped
        _compare(mark, now, side, size)


def _compare(mark: Decimal, now: datetime, side: Side, size: str) -> None:
    clock, venue = _held(side, size)
    pos = venue._positions[SYMBOL]
    state = venue._markets[SYMBOL]
    first = venue._raw_position(SYMBOL, pos, state, START)  # the memo's last position
    state.mark_price = mark  # a driver's value, unchecked (the constructor checks it)
    venue._holdings_changed()
    clock.set(now)

    def plain() -> Position:
        return Position(
            exchange=VENUE,
            symbol=SYMBOL,
            size=pos.size,
            observed_at=now,
            contract_multiplier=state.market.contract_multiplier,
            entry_price=pos.entry_price,
            mark_price=state.mark_price,
            unrealized_pnl=(state.mark_price - pos.entry_price) * pos.size,
            leverage=state.market.max_leverage or venue.leverage,
        )

    expected = _outcome(plain)
    got = _outcome(lambda: venue._raw_position(SYMBOL, pos, state, now))
    assert got == expected
    if expected[1] == "Position":
        copied = venue._raw_position(SYMBOL, pos, state, now)
        assert copied == plain()
        assert copied is not first


def test_the_copy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property above means something: a mark-only move builds no position, a new
    size does."""
    clock, venue = _held(Side.BUY, "1")
    venue.position_now(SYMBOL)
    built: list[str] = []
    original = Position.__init__

    def counting(self: Position, *args: Any, **kwargs: Any) -> None:
        built.append("position")
        original(self, *args, **kwargs)

    monkeypatch.setattr(Position, "__init__", counting)
    for hour, price in enumerate(("101", "99.5", "1E+2"), start=1):
        clock.set(START + timedelta(hours=hour))
        venue.set_mark_price(SYMBOL, Decimal(price))
        held = venue.position_now(SYMBOL).unwrap()
        assert held is not None
        assert repr(held.mark_price) == repr(Decimal(price))
    assert built == []
    venue.set_mark_price(SYMBOL, Decimal(-1))  # refused by the constructor, not copied
    with pytest.raises(ValueError, match="mark_price must be >= 0"):
        venue.position_now(SYMBOL)
    assert built == ["position"]
