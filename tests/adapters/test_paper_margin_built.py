"""The backtest venue's cross-margin account, its ``AccountMargin`` and ``LegMargin``
built from their slots (``BacktestAccountReads._built_margin``), is exactly what the
live paper venue's code builds through the constructors (``PaperMarginAccount.margin``:
``account_margin`` and ``build_account_margin``, the oracle), or the same refusal, for
the values a driver can set: wallets, marks, entries and maintenance rates valid or not.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.paper import backtest_account
from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.margin import PaperMarginRules
from adapters.paper.margin_account import PaperMarginAccount
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    ExchangeIdentifier,
    Market,
    OrderRequest,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.margin import AccountMargin, LegMargin

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOLS = (Symbol("AAA"), Symbol("BBB"), Symbol("CCC"))
VENUE = ExchangeIdentifier("paper")

_odd = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["0", "-0", "-1", "1E+2", "100.0", "0E-8", "1E+999990"]).map(Decimal),
)
_field = st.one_of(
    st.tuples(st.just("wallet"), _odd),
    st.tuples(st.just("mark"), st.integers(0, 2), _odd),
    st.tuples(st.just("entry"), st.integers(0, 2), _odd),
    st.tuples(st.just("rate"), st.sampled_from(["0.3", "-0.1", "0", "NaN", "2"]).map(Decimal)),
)


def _venue(legs: list[tuple[Side, str]]) -> tuple[ManualClock, BacktestPaperVenue]:
    clock = ManualClock(START)
    venue = BacktestPaperVenue(
        "paper", (), balances={"USD": Decimal(1000)}, clock=clock, auto_funding=False,
        ledger_retention=0,
    )  # fmt: skip
    for symbol in SYMBOLS:
        venue.list_market(
            Market(
                exchange=VENUE, symbol=symbol, venue_symbol=f"{symbol.base}USDT",
                tick_size=Decimal("0.01"), lot_size=Decimal("0.001"),
                funding_interval=timedelta(hours=8),
            ),
            mark_price=Decimal(100), funding_rate=Decimal(0), half_spread=Decimal("0.0005"),
            depth=Decimal(10) ** 6,
        )  # fmt: skip
    for index, (side, size) in enumerate(legs):
        order = OrderRequest(
            exchange=VENUE, symbol=SYMBOLS[index], side=side, size=Decimal(size),
            client_order_id=f"o{index}", order_type=OrderType.MARKET,
            time_in_force=TimeInForce.IOC,
        )  # fmt: skip
        assert venue.place_now(order).unwrap().filled_size == Decimal(size)
    return clock, venue


def _outcome(build: Any) -> tuple[str, ...]:
    try:
        built = build()
    except (ValueError, TypeError, ArithmeticError) as error:
        return "raised", type(error).__name__, str(error)
    return "built", repr(built), str(hash(built))


@settings(max_examples=400, deadline=None)
@given(
    legs=st.lists(
        st.tuples(st.sampled_from([Side.BUY, Side.SELL]), st.sampled_from(["1", "0.5", "3"])),
        max_size=3,
    ),
    odd=st.lists(_field, max_size=2),
    hour=st.integers(0, 3),
    zone=st.sampled_from([timezone.utc, timezone(timedelta(hours=2))]),
)
def test_the_account_is_what_the_constructors_build(
    legs: list[tuple[Side, str]], odd: list[tuple[Any, ...]], hour: int, zone: timezone
) -> None:
    clock, venue = _venue(legs)
    for change in odd:
        if change[0] == "wallet":
            venue._balances["USD"] = change[1]
        elif change[0] == "mark":
            venue._markets[SYMBOLS[change[1]]].mark_price = change[2]
        elif change[0] == "entry" and SYMBOLS[change[1]] in venue._positions:
            venue._positions[SYMBOLS[change[1]]].entry_price = change[2]
        elif change[0] == "rate":
            venue.margin_rules = PaperMarginRules(maintenance_rate=change[1])
    venue._holdings_changed()
    now = (START + timedelta(hours=hour)).astimezone(zone)
    clock.set(now)
    expected = _outcome(lambda: PaperMarginAccount.margin(venue, "USD"))
    assert _outcome(lambda: venue._built_margin("USD", now)) == expected
    if expected[0] == "built":
        mine = venue._built_margin("USD", now)
        theirs = PaperMarginAccount.margin(venue, "USD")
        assert mine == theirs
        assert mine.maintenance_rates is not venue._listed_rates(
            "USD", venue.margin_rules.maintenance_rate
        )


def test_the_slots_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property above means something: the account of held legs is built without
    the models' constructors; a value their validators refuse goes to them."""
    assert backtest_account._LEG is not None and backtest_account._MARGIN is not None
    _, venue = _venue([(Side.BUY, "1"), (Side.SELL, "3")])
    built: list[str] = []
    for cls in (AccountMargin, LegMargin):
        original = cls.__init__

        def counting(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    margin = venue._built_margin("USD", START)
    assert len(margin.legs) == 2 and margin.maintenance_margin
    assert built == []
    venue.margin_rules = PaperMarginRules(maintenance_rate=Decimal("-0.1"))
    with pytest.raises(ValueError, match="maintenance_margin must be >= 0"):
        venue._built_margin("USD", START)
    assert built == ["LegMargin"]  # the first leg's, refused by its validator
