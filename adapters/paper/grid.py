"""The paper venue's synthetic book rounded onto the tick, fast where the tick allows.

:func:`floor_to_tick` and :func:`ceil_to_tick` answer exactly what
:func:`atomic_fp.rounding.floor_to_step` and :func:`~atomic_fp.rounding.ceil_to_step`
answer (the same value, exponent and sign; the same error for a bad input), with one
exception no price reaches: where the result has more than 4,300 digits (a mark of
``1E+4298`` at tick ``0.01``), ``atomic_fp.rounding`` stops at Python's integer-string
limit (``ValueError``) and this returns the value. A tick that
is a power of ten at or below 1 (``0.01``, ``1E-8``: every tick the backtest and the
venues' fact sheets use) is one ``quantize`` in a context that never rounds: its result
is ``k`` ticks with the tick's exponent, which is what ``floor_to_step`` builds from the
integers. Anything else (another tick, a zero result, whose sign ``quantize`` would take
from the value, a value that is not finite) goes to ``atomic_fp.rounding``. The synthetic
book is rebuilt at every mark move, and scaling both sides to integers was most of it.
``tests/adapters/test_paper_grid.py`` checks both against ``atomic_fp.rounding``.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_CEILING, ROUND_FLOOR, Context, Decimal

from atomic_fp.rounding import ceil_to_step, floor_to_step

_UNROUNDED = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""``quantize`` in it never rounds a coefficient nor raises for a finite value."""


_LAST_STEP: tuple[Decimal | None, bool] = (None, False)
"""The last step asked and its answer: a backtest asks of the same tick object at every
book build. Held here, so its id cannot be reused; replaced as one tuple, so a thread
never reads one step's answer for another."""


def _power_of_ten_at_most_one(step: Decimal) -> bool:
    global _LAST_STEP
    last = _LAST_STEP
    if step is last[0]:  # the same immutable object: the same answer
        return last[1]
    sign, digits, exponent = step.as_tuple()
    answer = sign == 0 and digits == (1,) and isinstance(exponent, int) and exponent <= 0
    _LAST_STEP = (step, answer)
    return answer


def floor_to_tick(value: Decimal, tick: Decimal) -> Decimal:
    """:func:`atomic_fp.rounding.floor_to_step` (see the module docstring)."""
    if _power_of_ten_at_most_one(tick) and value.is_finite():
        rounded = value.quantize(tick, rounding=ROUND_FLOOR, context=_UNROUNDED)
        if rounded:
            return rounded
    return floor_to_step(value, tick)


def ceil_to_tick(value: Decimal, tick: Decimal) -> Decimal:
    """:func:`atomic_fp.rounding.ceil_to_step` (see the module docstring)."""
    if _power_of_ten_at_most_one(tick) and value.is_finite():
        rounded = value.quantize(tick, rounding=ROUND_CEILING, context=_UNROUNDED)
        if rounded:
            return rounded
    return ceil_to_step(value, tick)


__all__ = ["ceil_to_tick", "floor_to_tick"]
