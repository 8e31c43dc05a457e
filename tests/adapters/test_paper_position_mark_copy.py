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

import attrs
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


def _constructed(venue: Any, pos: Any, state: Any, now: datetime) -> Position:
    """The oracle: ``Position(...)`` with the arguments the plain paper venue's
    ``PaperMarginAccount._raw_positions`` passes."""
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


def _compare(mark: Decimal, now: datetime, side: Side, size: str) -> None:
    clock, venue = _held(side, size)
    pos = venue._positions[SYMBOL]
    state = venue._markets[SYMBOL]
    first = venue._raw_position(SYMBOL, pos, state, START)  # the memo's last position
    state.mark_price = mark  # a driver's value, unchecked (the constructor checks it)
    venue._holdings_changed()
    clock.set(now)

    def plain() -> Position:
        return _constructed(venue, pos, state, now)

    expected = _outcome(plain)
    got = _outcome(lambda: venue._raw_position(SYMBOL, pos, state, now))
    assert got == expected
    if expected[1] == "Position":
        copied = venue._raw_position(SYMBOL, pos, state, now)
        assert copied == plain()
        assert copied is not first


_valid_leg = st.fixed_dictionaries(
    {
        "size": st.sampled_from(["1", "-0.001", "2.500", "-3"]).map(Decimal),
        "entry": st.sampled_from(["100.05", "99.95", "1E+2", "0"]).map(Decimal),
        "mark": st.sampled_from(["100", "101.5", "0", "1E+2"]).map(Decimal),
        "multiplier": st.sampled_from(["1", "0.001", "10"]).map(Decimal),
        "leverage": st.sampled_from(["10", "5.0", "0"]).map(Decimal),
        "now": st.just(START),
    }
)
_odd_number = st.one_of(_marks, st.sampled_from([None, 1, 2.5, "3"]))
_odd_leg_field = st.one_of(
    *(st.tuples(st.just(name), _odd_number) for name in ("size", "entry", "mark")),
    st.tuples(st.just("multiplier"), _odd_number),
    st.tuples(st.just("leverage"), _odd_number),
    st.tuples(st.just("now"), _times),
)


@settings(max_examples=500, deadline=None)
@given(fields=_valid_leg, odd=st.lists(_odd_leg_field, max_size=2))
def test_a_new_leg_is_what_the_constructor_builds(
    fields: dict[str, Any], odd: list[tuple[str, Any]]
) -> None:
    """A leg read for the first time (or after its size, entry, market or leverage
    moved) is built from its slots: valid values with up to two odd ones, set around
    the venue's own checks, give what the constructor gives."""
    for name, value in odd:
        fields[name] = value
    clock, venue = _held(Side.BUY, "1")
    pos = venue._positions[SYMBOL]
    state = venue._markets[SYMBOL]
    market = attrs.evolve(state.market)
    object.__setattr__(market, "contract_multiplier", fields["multiplier"])
    state.market = market
    pos.size, pos.entry_price, state.mark_price = fields["size"], fields["entry"], fields["mark"]
    venue.leverage = fields["leverage"]
    venue._holdings_changed()
    now = fields["now"]
    clock.set(now)

    def plain() -> Position:
        return _constructed(venue, pos, state, now)

    expected = _outcome(plain)
    venue._raw_memo.clear()
    assert _outcome(lambda: venue._raw_position(SYMBOL, pos, state, now)) == expected


def test_the_copy_and_the_slots_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The properties above mean something: a mark-only move builds no position, a new
    size builds one from its slots, and a value the validators refuse goes to the
    constructor."""
    clock, venue = _held(Side.BUY, "1")
    venue.position_now(SYMBOL)
    built: list[str] = []
    original = Position.__init__
    original_build = BacktestPaperVenue._built_position

    def counting(self: Position, *args: Any, **kwargs: Any) -> None:
        built.append("constructor")
        original(self, *args, **kwargs)

    def counting_build(self: BacktestPaperVenue, *args: Any) -> Position:
        built.append("build")
        return original_build(self, *args)

    monkeypatch.setattr(Position, "__init__", counting)
    monkeypatch.setattr(BacktestPaperVenue, "_built_position", counting_build)
    for hour, price in enumerate(("101", "99.5", "1E+2"), start=1):
        clock.set(START + timedelta(hours=hour))
        venue.set_mark_price(SYMBOL, Decimal(price))
        held = venue.position_now(SYMBOL).unwrap()
        assert held is not None
        assert repr(held.mark_price) == repr(Decimal(price))
    assert built == []
    venue._positions[SYMBOL].size = Decimal(2)  # as a fill sets it
    venue._holdings_changed()
    assert venue.position_now(SYMBOL).unwrap() is not None
    assert built == ["build"]
    venue.set_mark_price(SYMBOL, Decimal(-1))  # refused by the constructor, not copied
    with pytest.raises(ValueError, match="mark_price must be >= 0"):
        venue.position_now(SYMBOL)
    assert built == ["build", "build", "constructor"]


def test_a_copy_keeps_the_symbol_it_is_read_with() -> None:
    """``Symbol`` equality ignores the quote: a leg read once as ``AAA/USDT`` and then,
    after a mark move, as the ``AAA`` it was bought with is built with ``AAA`` (quote
    USD), as the plain venue builds it, not copied with the other read's ``AAA/USDT``
    (review of s11-P3)."""
    usd, usdt = Symbol("AAA"), Symbol("AAA", "USDT")
    clock = ManualClock(START)
    venue = BacktestPaperVenue(
        "paper",
        (),
        fees=VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005")),
        balances={"USD": Decimal(100000)},
        clock=clock,
        auto_funding=False,
        ledger_retention=0,
    )
    venue.list_market(
        Market(
            exchange=VENUE,
            symbol=usd,
            venue_symbol="AAAUSDT",
            tick_size=Decimal("0.01"),
            lot_size=Decimal("0.001"),
            funding_interval=timedelta(hours=8),
            settle_asset="USD",
        ),
        mark_price=Decimal(100),
        funding_rate=Decimal("0.0001"),
        half_spread=Decimal("0.0005"),
        depth=Decimal(10) ** 6,
    )
    venue.place_now(
        OrderRequest(
            exchange=VENUE,
            symbol=usd,
            side=Side.BUY,
            size=Decimal(1),
            client_order_id="o1",
            order_type=OrderType.MARKET,
            time_in_force=TimeInForce.IOC,
        )
    ).unwrap()
    clock.set(START + timedelta(hours=1))
    read = venue.position_now(usdt).unwrap()
    assert read is not None and read.symbol.quote == "USDT"
    venue.set_mark_price(usd, Decimal(101))
    clock.set(START + timedelta(hours=2))
    (leg,) = venue.positions_now().unwrap()
    assert leg.mark_price == Decimal(101)
    assert leg.symbol.quote == "USD"
    assert [margin_leg.position.symbol.quote for margin_leg in venue.margin("USD").legs] == ["USD"]


def test_position_init_is_the_one_the_slot_build_was_written_for() -> None:
    """A tripwire (review of s11-P3): ``restamp.slot_builder`` compares a model's attrs
    fields, validators and converters, but cannot see a hand-written ``__init__``, and
    ``Position`` has one (it converts each number by ``exact_decimal``). If this fails,
    ``Position.__init__`` changed: re-check that the checks of
    ``adapters/paper/backtest_positions.py`` (``_built_position``, the mark copy) still
    accept only what it leaves unchanged, then update the digest."""
    import hashlib
    import inspect

    source = inspect.getsource(Position.__init__)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "1e7f4efd7a475f02"
