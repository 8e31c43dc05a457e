"""The one lot/tick rounding (``atomic_fp/rounding.py``), used by sizing, limit pricing,
the paper venue and the venue adapters. Properties against exact integer arithmetic and
against the division formula the three former copies used."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.rounding import ceil_to_step, floor_to_step, is_multiple, scaled

values = st.decimals(min_value=-(10**9), max_value=10**9, places=8, allow_nan=False)
steps = st.sampled_from(
    [Decimal(s) for s in ("0.00000001", "0.001", "0.01", "0.5", "1", "2.5", "10", "25", "1E+2")]
)


@given(values, steps)
def test_floor_and_ceil_bracket_the_value_on_the_grid(value: Decimal, step: Decimal) -> None:
    low, high = floor_to_step(value, step), ceil_to_step(value, step)
    assert low <= value <= high
    assert high - low in (0, step)
    assert is_multiple(low, step) and is_multiple(high, step)
    assert (low == high) == is_multiple(value, step)


@given(values, steps)
def test_same_as_the_former_division_copies(value: Decimal, step: Decimal) -> None:
    """``(value / step).to_integral_value(...) * step``, the formula of
    ``orchestration/pricing.py`` and ``paper/venue.py`` before, in a wide context."""
    with localcontext() as ctx:
        ctx.prec = 60
        floor = (value / step).to_integral_value(rounding=ROUND_FLOOR) * step
        ceil = (value / step).to_integral_value(rounding=ROUND_CEILING) * step
    assert floor_to_step(value, step) == floor and ceil_to_step(value, step) == ceil


def test_results_carry_the_steps_exponent() -> None:
    assert str(floor_to_step(Decimal("1.239"), Decimal("0.01"))) == "1.23"
    assert str(ceil_to_step(Decimal("1.231"), Decimal("0.01"))) == "1.24"
    assert str(floor_to_step(Decimal("1234"), Decimal("1E+2"))) == "1200"


def test_exact_where_context_division_would_round() -> None:
    value = Decimal("123456789012345678901234567890.123")
    assert floor_to_step(value, Decimal("0.01")) == Decimal("123456789012345678901234567890.12")


def test_a_non_positive_step_is_refused() -> None:
    with pytest.raises(ValueError, match="step must be > 0"):
        floor_to_step(Decimal(1), Decimal(0))
    with pytest.raises(ValueError, match="step must be > 0"):
        is_multiple(Decimal(1), Decimal(-1))


@given(
    st.decimals(allow_nan=False, allow_infinity=False)
    | st.builds(
        lambda digits, exponent, negative: Decimal((int(negative), digits, exponent)),
        st.lists(st.integers(0, 9), min_size=1, max_size=60).map(tuple),
        st.integers(-400, 400),
        st.booleans(),
    )
)
def test_scaled_reads_the_coefficient_and_exponent_exactly(value: Decimal) -> None:
    """Against the digit tuple itself (up to 60 digits, beyond any context's default
    precision; signed zeros; exponents far outside the default context)."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    integer = int("".join(map(str, digits)))
    assert scaled(value) == ((-integer if sign else integer), exponent)


def test_scaled_refuses_what_is_not_finite() -> None:
    for text in ("NaN", "Infinity", "-Infinity", "sNaN"):
        with pytest.raises(ValueError, match="not a finite Decimal"):
            scaled(Decimal(text))
