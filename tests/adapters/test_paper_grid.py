"""The paper venue's fast tick rounding (``adapters/paper/grid.py``) answers exactly what
``atomic_fp.rounding`` answers: the same value, exponent and sign (compared by ``repr``
and ``as_tuple``), and the same error type for a bad input."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from adapters.paper.grid import ceil_to_tick, floor_to_tick
from atomic_fp.rounding import ceil_to_step, floor_to_step

_PAIRS = [(floor_to_tick, floor_to_step), (ceil_to_tick, ceil_to_step)]

_values = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(
        lambda n, e: Decimal(n).scaleb(e),
        st.integers(-(10**40), 10**40),
        st.integers(-40, 40),
    ),
    st.sampled_from(["0", "-0", "0E-12", "-0E+3", "1E-8", "-1E-8", "123.456789015"]).map(Decimal),
)
_ticks = st.one_of(
    st.integers(-30, 3).map(lambda e: Decimal(1).scaleb(e)),
    st.sampled_from(["0.01", "0.010", "1", "1.0", "10", "1E+1", "0.5", "0.25", "5E-7"]).map(
        Decimal
    ),
    st.decimals(min_value=Decimal("1e-12"), max_value=Decimal(1000), allow_nan=False),
)


def _answer(function: Callable[[Decimal, Decimal], Decimal], value: Decimal, tick: Decimal) -> str:
    try:
        result = function(value, tick)
    except (ValueError, ArithmeticError) as error:
        return f"raises {type(error).__name__}"
    return f"{result!r} {result.as_tuple()}"


@given(value=_values, tick=_ticks)
@example(value=Decimal("-0.000000001"), tick=Decimal("1E-8"))
@example(value=Decimal("0.000000001"), tick=Decimal("1E-8"))
@example(value=Decimal("100"), tick=Decimal("0.01"))
def test_the_fast_rounding_equals_atomic_fp_rounding(value: Decimal, tick: Decimal) -> None:
    for fast, reference in _PAIRS:
        assert _answer(fast, value, tick) == _answer(reference, value, tick)


@pytest.mark.parametrize(
    "value, tick",
    [
        (Decimal("NaN"), Decimal("0.01")),
        (Decimal("Infinity"), Decimal("0.01")),
        (Decimal("1.5"), Decimal(0)),
        (Decimal("1.5"), Decimal("-0.01")),
        (Decimal("1.5"), Decimal("NaN")),
    ],
)
def test_bad_input_is_refused_as_before(value: Decimal, tick: Decimal) -> None:
    for fast, reference in _PAIRS:
        assert _answer(fast, value, tick) == _answer(reference, value, tick)
        assert _answer(fast, value, tick).startswith("raises")
