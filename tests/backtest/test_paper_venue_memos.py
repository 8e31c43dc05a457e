"""The backtest paper venue's memoised reads answer exactly what the plain paper venue
answers, at every instant of a random sequence of market events.

``BacktestPaperVenue`` keeps each market's rate, book, margin and positions, and when only
the clock moved copies them with the new time (``adapters/paper/restamp.py``) instead of
building them again. Reference: a plain :class:`PaperVenue` driven through the same
events (marks, rates of several exponents, interval changes, fills, funding settlements,
deposits, liquidations under tight margin). Every read is compared by value *and* by
``repr`` (an equal Decimal of another exponent would print differently in a report).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import BacktestPaperVenue, retimed_margin
from adapters.paper.margin import PaperMarginRules
from adapters.paper.margin_account import PaperMarginAccount
from adapters.paper.restamp import restamped, retimed
from adapters.paper.venue import PaperVenue
from atomic_fp.backtest.replay_state import call_now
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    ExchangeIdentifier,
    FundingRate,
    Market,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
    VenueFees,
)
from atomic_fp.models.margin import AccountMargin

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOLS = (Symbol("AAA"), Symbol("BBB"), Symbol("CCC"))
VENUE = ExchangeIdentifier("paper")

_price = st.sampled_from(["100", "100.0", "99.5", "101.25", "80", "130", "1E+2"]).map(Decimal)
_rate = st.sampled_from(["0.0001", "0.00010", "-0.0002", "0", "0E-8", "0.0003"]).map(Decimal)
_symbol = st.integers(0, len(SYMBOLS) - 1)
_event = st.one_of(
    st.tuples(st.just("clock"), st.integers(1, 9000)),
    st.tuples(st.just("mark"), _symbol, _price),
    st.tuples(st.just("rate"), _symbol, _rate, st.sampled_from([None, 1, 4, 8])),
    st.tuples(st.just("order"), _symbol, st.sampled_from([Side.BUY, Side.SELL]), st.integers(1, 3)),
    st.tuples(st.just("settle"), _symbol),
    st.tuples(st.just("deposit"), st.sampled_from(["-50", "25.5", "0.10"]).map(Decimal)),
    st.tuples(st.just("leverage"), st.sampled_from(["5", "5.0", "20"]).map(Decimal)),
)


def _venues(tight: bool) -> tuple[ManualClock, PaperVenue, BacktestPaperVenue]:
    clock = ManualClock(START)
    rules = PaperMarginRules(maintenance_rate=Decimal("0.3")) if tight else PaperMarginRules()
    made = []
    for cls in (PaperVenue, BacktestPaperVenue):
        venue = cls(
            "paper", (), fees=VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005")),
            balances={"USD": Decimal(300) if tight else Decimal(100000)}, clock=clock,
            auto_funding=False, ledger_retention=0, margin_rules=rules,
        )  # fmt: skip
        for symbol in SYMBOLS:
            venue.list_market(
                Market(
                    exchange=VENUE, symbol=symbol, venue_symbol=f"{symbol.base}USDT",
                    tick_size=Decimal("0.01"), lot_size=Decimal("0.001"),
                    funding_interval=timedelta(hours=8),
                ),
                mark_price=Decimal(100), funding_rate=Decimal("0.0001"),
                half_spread=Decimal("0.0005"), depth=Decimal(10) ** 6,
            )  # fmt: skip
        made.append(venue)
    plain, fast = made
    assert isinstance(fast, BacktestPaperVenue)
    return clock, plain, fast


def _same(a: object, b: object) -> None:
    assert a == b
    assert repr(a) == repr(b)


def _compare(plain: PaperVenue, fast: BacktestPaperVenue) -> None:
    _same(plain._rates_now(None).unwrap(), fast.funding_rates_now().unwrap())
    _same(plain._rates_now([SYMBOLS[1]]).unwrap(), fast.funding_rates_now([SYMBOLS[1]]).unwrap())
    _same(plain._positions_now().unwrap(), fast.positions_now().unwrap())
    held = {p.symbol: p for p in plain._positions_now().unwrap()}
    for symbol in SYMBOLS:  # one symbol's position, as the backtest's decisions read it
        _same(held.get(symbol), fast.position_now(symbol).unwrap())
    _same(plain.margin("USD"), fast.margin("USD"))
    _same(plain._raw_positions("USD"), fast._raw_positions("USD"))
    _same(plain._raw_positions("USDC"), fast._raw_positions("USDC"))
    for symbol in SYMBOLS:
        _same(plain.book(symbol), fast.book(symbol))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(_event, min_size=1, max_size=40), tight=st.booleans())
def test_memoised_reads_equal_the_plain_venue(events: list[tuple[Any, ...]], tight: bool) -> None:
    clock, plain, fast = _venues(tight)
    orders = 0
    for event in events:
        kind = event[0]
        if kind == "clock":
            clock.set(clock() + timedelta(seconds=int(event[1])))
        for venue in (plain, fast):
            if kind == "mark":
                venue.set_mark_price(SYMBOLS[event[1]], event[2])
            elif kind == "rate":
                hours = event[3]
                venue.set_funding_rate(
                    SYMBOLS[event[1]],
                    event[2],
                    None if hours is None else timedelta(hours=hours),
                )
            elif kind == "settle":
                venue.settle_funding(SYMBOLS[event[1]], clock())
            elif kind == "deposit":
                venue.deposit(event[1])
            elif kind == "leverage":
                venue.leverage = event[1]
            elif kind == "order":
                request = OrderRequest(
                    exchange=VENUE, symbol=SYMBOLS[event[1]], side=event[2],
                    size=Decimal(event[3]), client_order_id=f"o{orders}",
                    order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC,
                )  # fmt: skip
                if venue is fast:
                    placed = fast.place_now(request)
                else:
                    placed = call_now(plain.place_order(request))
                assert placed.unwrap().filled_size == Decimal(event[3])
        if kind == "order":
            orders += 1
        _compare(plain, fast)
        _compare(plain, fast)  # a second read at the same instant: the memo's own answer


def test_the_memos_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above means something: at a new instant with nothing else changed,
    the fast venue copies its last answers rather than building them again."""
    clock, _, fast = _venues(tight=False)
    fast.place_now(
        OrderRequest(
            exchange=VENUE, symbol=SYMBOLS[0], side=Side.BUY, size=Decimal(1),
            client_order_id="o", order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC,
        )
    )  # fmt: skip
    first_rate = fast.funding_rates_now([SYMBOLS[0]]).unwrap()[0]
    first_margin = fast.margin("USD")
    first_positions = fast.positions_now().unwrap()
    assert fast.margin("USD") is first_margin  # same instant: the same object
    assert fast.positions_now().unwrap() is first_positions
    clock.set(START + timedelta(hours=1))
    calls: list[str] = []
    original = PaperVenue.margin

    def counting(self: PaperVenue, asset: str | None = None) -> AccountMargin:
        calls.append("margin")
        return original(self, asset)

    monkeypatch.setattr(PaperVenue, "margin", counting)
    later = fast.margin("USD")
    rate = fast.funding_rates_now([SYMBOLS[0]]).unwrap()[0]
    assert calls == []  # copied, not recomputed
    assert later.observed_at == START + timedelta(hours=1) != first_margin.observed_at
    assert later.legs[0].position.observed_at == later.observed_at
    assert rate.observed_at == START + timedelta(hours=1)
    assert rate.rate is first_rate.rate


def test_held_positions_are_copied_when_only_the_wallet_moved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A funding payment changes the wallet, so the margin is rebuilt; its legs'
    positions (same size, entry, mark, market, leverage) are copied with the new time,
    not built again -- and follow a mark move: copied with the new mark and PnL (checked
    as the constructor checks them, ``tests/adapters/test_paper_position_mark_copy.py``),
    the same position the plain venue builds; built again once the size moves (by
    ``Position(...)`` or, since s11, from its slots by ``_built_position``: both counted)."""
    clock, _, fast = _venues(tight=False)
    fast.place_now(
        OrderRequest(
            exchange=VENUE, symbol=SYMBOLS[0], side=Side.BUY, size=Decimal(1),
            client_order_id="o", order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC,
        )
    )  # fmt: skip
    first = fast.margin("USD").legs[0].position
    built: list[str] = []
    original = Position.__init__
    original_build = BacktestPaperVenue._built_position

    def counting(self: Position, *args: Any, **kwargs: Any) -> None:
        built.append("position")
        original(self, *args, **kwargs)

    def counting_build(self: BacktestPaperVenue, *args: Any) -> Position:
        # since s11 a valid new leg is built from its slots, without Position.__init__
        built.append("position")
        return original_build(self, *args)

    monkeypatch.setattr(Position, "__init__", counting)
    monkeypatch.setattr(BacktestPaperVenue, "_built_position", counting_build)
    clock.set(START + timedelta(hours=8))
    fast.settle_funding(SYMBOLS[0], clock())
    margin = fast.margin("USD")
    assert built == []
    assert margin.legs[0].position.observed_at == START + timedelta(hours=8)
    fast.set_mark_price(SYMBOLS[0], Decimal(101))
    marked = fast.margin("USD")
    assert built == []  # copied with the new mark (until s11: built again)
    assert marked.legs[0].position.mark_price == Decimal(101)
    assert first.entry_price is not None
    assert marked.legs[0].position.unrealized_pnl == Decimal(101) - first.entry_price
    # what the plain venue's constructor builds (counted: one build, then reset)
    _same(marked.legs[0].position, PaperMarginAccount._raw_positions(fast, "USD")[0])
    assert built == ["position"]
    built.clear()
    fast.place_now(
        OrderRequest(
            exchange=VENUE, symbol=SYMBOLS[0], side=Side.BUY, size=Decimal(1),
            client_order_id="o2", order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC,
        )
    )  # fmt: skip
    fast.margin("USD")
    assert built == ["position"]  # another size: built again


def test_restamped_equals_evolve_and_retimed_refuses_what_the_models_would_convert() -> None:
    clock, _, fast = _venues(tight=False)
    rate = fast.funding_rates_now([SYMBOLS[0]]).unwrap()[0]
    later = START + timedelta(hours=3)
    _same(retimed(rate, observed_at=later), attrs.evolve(rate, observed_at=later))
    _same(
        restamped(rate, venue_symbol="X", observed_at=later),
        attrs.evolve(rate, venue_symbol="X", observed_at=later),
    )
    assert isinstance(retimed(rate, observed_at=later), FundingRate)
    other_zone = later.astimezone(timezone(timedelta(hours=2)))
    with pytest.raises(ValueError, match="observed_at"):
        retimed(rate, observed_at=other_zone)
    with pytest.raises(ValueError, match="observed_at"):
        retimed(rate, observed_at=later.replace(tzinfo=None))
    margin = fast.margin("USD")
    clock.set(later)
    _same(retimed_margin(margin, later), PaperVenue.margin(fast, "USD"))
