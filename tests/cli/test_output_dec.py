"""``scripts.output.dec``: every number of ``scan``'s JSON, CSV and tables leaves through it.

It reads the common case off the value's fixed-point text (issue 20: ~6,000 calls in a
200-opportunity JSON scan, where ``as_tuple()`` was the dearest step). The reference is
the function as it was (``quantize`` past 12 places, then ``normalize`` and ``format``),
kept here; hypothesis feeds both every shape of Decimal: any sign, coefficient and
exponent, trailing zeros, zeros of every exponent, more significant digits than the
context's precision, NaN and infinities (the same refusal), and a smaller precision.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scripts.output import dec

_MAX_PLACES = Decimal("1e-12")


def reference_dec(value: Decimal | None) -> str | None:
    """``dec`` before issue 20's fast path (d7c9c6c..2fc3f03)."""
    if value is None:
        return None
    if value.as_tuple().exponent < -12:  # type: ignore[operator]
        value = value.quantize(_MAX_PLACES)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _outcome(function: object, value: object) -> tuple[str, object]:
    try:
        return "ok", function(value)  # type: ignore[operator]
    except Exception as error:
        return "refused", (type(error), str(error))


decimals = st.builds(
    lambda sign, coefficient, exponent: Decimal(
        (sign, tuple(map(int, str(coefficient))), exponent)
    ),
    st.integers(0, 1),
    st.one_of(st.integers(0, 10**6), st.integers(0, 10**40)),
    st.integers(-40, 30),
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(decimals, st.decimals(), st.sampled_from([None, 0, 1.5, "1"])))
@example(Decimal("12345678901234567890.000000000000"))
@example(Decimal("1234567890123456789012345678.9"))
@example(Decimal("-0.000"))
@example(Decimal("0E+5"))
@example(Decimal("100.0"))
@example(Decimal("0.1095000000000"))
@example(Decimal("0.0000000000005"))
@example(Decimal("sNaN"))
@example(Decimal("-Infinity"))
def test_dec_equals_the_full_path(value: object) -> None:
    assert _outcome(dec, value) == _outcome(reference_dec, value)


@pytest.mark.parametrize("precision", [5, 12])
@settings(max_examples=500, deadline=None)
@given(value=decimals)
def test_dec_equals_the_full_path_under_a_smaller_precision(precision: int, value: Decimal) -> None:
    with localcontext() as context:
        context.prec = precision
        assert _outcome(dec, value) == _outcome(reference_dec, value)
