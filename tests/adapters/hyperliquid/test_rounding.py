"""Price (5 significant figures, at most 6 - szDecimals decimals) and size rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.hyperliquid.rounding import (
    finest_tick,
    is_valid_price,
    lot_size,
    round_price,
    round_size,
    to_wire,
)


@pytest.mark.parametrize(
    ("price", "sz_decimals", "up", "expected"),
    [
        (Decimal("1670.123"), 4, False, Decimal("1670.1")),  # ETH: 5 sig figs
        (Decimal("1670.123"), 4, True, Decimal("1670.2")),
        (Decimal("110427.7"), 5, False, Decimal("110427")),  # integers always valid
        (Decimal("110427.2"), 5, True, Decimal("110428")),
        (Decimal("0.0123456"), 0, False, Decimal("0.012345")),  # DOGE-like: 6 decimals
        (Decimal("0.0123456"), 2, False, Decimal("0.0123")),  # 6 - 2 = 4 decimals
        (Decimal("2.11111"), 1, False, Decimal("2.1111")),
        (Decimal("99999.5"), 5, True, Decimal("100000")),  # carry into a new magnitude
        (Decimal("100"), 1, False, Decimal("100")),
    ],
)
def test_round_price(price: Decimal, sz_decimals: int, up: bool, expected: Decimal) -> None:
    rounded = round_price(price, sz_decimals, up=up)
    assert rounded == expected
    assert is_valid_price(rounded, sz_decimals)


def test_ticks_and_lots() -> None:
    assert finest_tick(5) == Decimal("0.1")
    assert finest_tick(0) == Decimal("0.000001")
    assert finest_tick(7) == Decimal(1)
    assert lot_size(5) == Decimal("0.00001")
    assert lot_size(0) == Decimal(1)
    assert round_size(Decimal("0.123456"), 4) == Decimal("0.1234")
    assert round_size(Decimal("7.9"), 0) == Decimal(7)


def test_wire_format() -> None:
    assert to_wire(Decimal("100.000")) == "100"
    assert to_wire(Decimal("1E+2")) == "100"
    assert to_wire(Decimal("0.0147")) == "0.0147"
    assert to_wire(Decimal("-0.0")) == "0"
    assert to_wire(Decimal("0.00000001")) == "0.00000001"
    with pytest.raises(ValueError):
        to_wire(Decimal("0.000000001"))
    with pytest.raises(ValueError):
        to_wire(Decimal("NaN"))


@settings(max_examples=500, deadline=None)
@given(
    price=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("10000000"), places=8),
    sz_decimals=st.integers(0, 6),
    up=st.booleans(),
)
def test_rounded_prices_are_valid_and_conservative(
    price: Decimal, sz_decimals: int, up: bool
) -> None:
    if price <= 0:
        return
    if not up and price < finest_tick(sz_decimals):
        with pytest.raises(ValueError):
            round_price(price, sz_decimals, up=up)
        return
    rounded = round_price(price, sz_decimals, up=up)
    assert is_valid_price(rounded, sz_decimals)
    assert (rounded >= price) if up else (rounded <= price)
    assert abs(rounded - price) <= max(price * Decimal("0.0001"), finest_tick(sz_decimals))
    assert "E" not in to_wire(rounded)
