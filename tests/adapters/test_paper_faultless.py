"""``faultless(faults)`` answers what the backtest venue's direct order call asked before
(``faults == PaperFaults(rng=faults.rng)``, attrs' own equality) for every knob setting,
and ``place_now`` still refuses an order while any knob is set.

Oracle: the old expression, evaluated on the same object.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.faults import PaperFaults, faultless
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

_KNOB_NAMES = [f.name for f in attrs.fields(PaperFaults) if f.name != "rng"]


def _values(default: object) -> st.SearchStrategy[Any]:
    """The default itself, an equal value of another type or exponent, and others."""
    if isinstance(default, bool):
        return st.sampled_from([default, not default, 0, 1])
    if isinstance(default, int):
        return st.sampled_from([default, 1, -1, 0.0, 2])
    if isinstance(default, float):
        return st.sampled_from([default, 0, -0.0, 0.5, float("nan"), 1e-300])
    if isinstance(default, Decimal):
        return st.sampled_from([default, Decimal("0.50"), Decimal("0.6"), 0.5, Decimal("NaN")])
    if isinstance(default, tuple):
        return st.sampled_from([default, (0, 3), [0.0, 3.0], (0.0, 2.0), (0.0, 3.0, 1.0)])
    raise AssertionError(f"no values for a knob of type {type(default).__name__}")


_DEFAULTS = PaperFaults()
_changes = st.fixed_dictionaries(
    {}, optional={name: _values(getattr(_DEFAULTS, name)) for name in _KNOB_NAMES}
)


class _Faults(PaperFaults):
    """A subclass: attrs' ``__eq__`` refuses to compare it with the base class."""


@given(changes=_changes, subclass=st.booleans(), seed=st.integers(0, 3))
def test_faultless_is_the_old_expression(
    changes: dict[str, object], subclass: bool, seed: int
) -> None:
    faults = (_Faults if subclass else PaperFaults)(rng=random.Random(seed))
    for name, value in changes.items():
        setattr(faults, name, value)
    differs = faults != PaperFaults(rng=faults.rng)  # backtest.place_now until s11
    assert faultless(faults) is (not differs)


def test_every_knob_counts() -> None:
    """The comparison covers every knob (one changed at a time), the rng excepted."""
    assert faultless(PaperFaults(rng=random.Random(7)))
    for name in _KNOB_NAMES:
        faults = PaperFaults()
        default = getattr(faults, name)
        changed: object = (
            (not default) if isinstance(default, bool)
            else (0.0, 9.0) if isinstance(default, tuple)
            else default + 1
        )  # fmt: skip
        setattr(faults, name, changed)
        assert not faultless(faults), name


def test_place_now_refuses_while_a_knob_is_set() -> None:
    venue = BacktestPaperVenue("paper", (), clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
    venue.list_market(
        Market(
            exchange=ExchangeIdentifier("paper"), symbol=Symbol("AAA"), venue_symbol="AAAUSDT",
            tick_size=Decimal("0.01"), lot_size=Decimal("0.001"),
            funding_interval=timedelta(hours=8),
        ),
        mark_price=Decimal(100), funding_rate=Decimal(0), half_spread=Decimal("0.0005"),
        depth=Decimal(10) ** 6,
    )  # fmt: skip

    def order(cid: str) -> OrderRequest:
        return OrderRequest(
            exchange=ExchangeIdentifier("paper"), symbol=Symbol("AAA"), side=Side.BUY,
            size=Decimal(1), client_order_id=cid, order_type=OrderType.MARKET,
            time_in_force=TimeInForce.IOC,
        )  # fmt: skip

    venue.faults.partial_fill_next = 1
    with pytest.raises(RuntimeError, match="order faults and deadlines need place_order"):
        venue.place_now(order("a"))
    venue.faults.partial_fill_next = 0
    assert venue.place_now(order("b")).unwrap().filled_size == Decimal(1)
