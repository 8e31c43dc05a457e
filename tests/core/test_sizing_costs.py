"""Exact lot arithmetic and cost amortisation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from math import gcd, lcm

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp import costs, sizing
from tests.core.builders import config, market

decimals = st.decimals(
    min_value=Decimal("0.000001"), max_value=Decimal(10**6), places=6, allow_nan=False
).filter(lambda d: d > 0)


def test_common_step_of_1000pepe_kpepe_and_pepe() -> None:
    binance = market("binance", lot="1", multiplier="1000")
    hyperliquid = market("hl", lot="1", multiplier="1000")
    plain = market("x", lot="100", multiplier="1")
    assert sizing.common_base_step([binance, hyperliquid]) == 1000
    assert sizing.common_base_step([binance, plain]) == 1000
    assert sizing.common_base_step([market("a", lot="0.003"), market("b", lot="0.002")]) == Decimal(
        "0.006"
    )
    assert sizing.venue_size(Decimal(5000), binance) == 5
    assert sizing.venue_size(Decimal(5000), plain) == 5000
    with pytest.raises(ValueError, match="not a multiple"):
        sizing.venue_size(Decimal(50), binance)
    with pytest.raises(ValueError, match="at least one market"):
        sizing.common_base_step([])


@settings(max_examples=200, deadline=None)
@given(
    lots=st.lists(decimals, min_size=1, max_size=4),
    multipliers=st.lists(
        st.sampled_from(["1", "10", "1000", "1000000", "0.1"]), min_size=4, max_size=4
    ),
)
def test_common_step_is_the_exact_lcm_of_base_lots(
    lots: list[Decimal], multipliers: list[str]
) -> None:
    markets = [
        market(f"v{i}", lot=str(lot), multiplier=m)
        for i, (lot, m) in enumerate(zip(lots, multipliers, strict=False))
    ]
    step = sizing.common_base_step(markets)
    fractions = [Fraction(m.lot_size) * Fraction(m.contract_multiplier) for m in markets]
    expected = Fraction(
        lcm(*(f.numerator for f in fractions)), gcd(*(f.denominator for f in fractions))
    )
    assert Fraction(step) == expected
    for rules in markets:
        assert sizing.is_multiple(step, sizing.base_lot(rules))


@settings(max_examples=200, deadline=None)
@given(
    value=st.decimals(min_value=-(10**9), max_value=10**9, places=8, allow_nan=False), step=decimals
)
def test_floor_and_ceil_to_step(value: Decimal, step: Decimal) -> None:
    down, up = sizing.floor_to_step(value, step), sizing.ceil_to_step(value, step)
    assert down <= value <= up
    assert value - down < step and up - value < step
    assert sizing.is_multiple(down, step) and sizing.is_multiple(up, step)


def test_fee_apr_of_the_worked_example_and_amortisation() -> None:
    cfg = config()
    assert costs.round_trip_fee_fraction(cfg, "a", "b") == Decimal("0.0020")
    assert costs.fee_apr(cfg, "a", "b") == Decimal("0.0020") * 8760 / 168
    assert costs.amortised_apr(Decimal("0.01"), timedelta(days=365)) == Decimal("0.01")
    assert costs.amortised_apr(Decimal("0.01"), timedelta(hours=8760)) == Decimal("0.01")


def test_entry_gap_is_adverse_only() -> None:
    assert costs.entry_gap_fraction(Decimal(101), Decimal(99)) == Decimal(2) / 100
    assert costs.entry_gap_fraction(Decimal(99), Decimal(101)) == 0
    assert costs.entry_gap_apr(Decimal(101), Decimal(99), timedelta(days=365)) == Decimal("0.02")


def test_sizes_never_print_in_exponent_notation() -> None:
    coarse = market("a", lot="1E+3")
    assert str(sizing.common_base_step([coarse])) == "1000"
    assert str(sizing.floor_to_step(Decimal(2500), Decimal("1E+3"))) == "2000"
    assert str(sizing.venue_size(Decimal(2000), coarse)) == "2000"
