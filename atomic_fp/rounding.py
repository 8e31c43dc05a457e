"""Exact rounding onto a venue's grid: the one lot/tick rounding of the project.

Prices snap to a tick, sizes to a lot; both must land on the grid the venue accepts, in
the direction that is safe for the caller (a buy's limit rounds down, a size rounds down
so it never exceeds what was decided). The arithmetic scales Decimals to integers first,
so no result depends on the Decimal context's precision and nothing is rounded by
accident (``Decimal("1e30") / Decimal("0.1")`` would be, at 28 digits).

A result is ``k * step`` with ``step``'s own exponent (``floor_to_step(1.239, 0.01)`` is
``1.23``, not ``1.230``), which is also what the division-based copies this replaces
(``orchestration/pricing.py``, ``adapters/paper/venue.py``) returned for any value that
fits the context.

Used by :mod:`atomic_fp.sizing` (hedge sizes), :mod:`atomic_fp.orchestration.pricing`
(limit prices), the paper venue, and every venue adapter that snaps a price or size
(the venue kit, ``adapters/kit``, points venues here rather than to a copy).
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

_UNROUNDED = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""A context no coefficient can overflow: ``scaleb`` in it only moves the exponent."""


def scaled(value: Decimal) -> tuple[int, int]:
    """``value`` as ``(integer, exponent)`` with ``value == integer * 10**exponent``.

    The coefficient is read by shifting the exponent to 0 in :data:`_UNROUNDED` (exact,
    and twice as fast as joining the digit tuple; a hot path of sizing and the paper
    venue's books); ``tests/core/test_rounding.py`` checks it against the digits."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite Decimal: {value}")
    return int(value.scaleb(-exponent, _UNROUNDED)), exponent


def from_scaled(integer: int, exponent: int) -> Decimal:
    """``integer * 10**exponent`` as an exact Decimal (string construction never rounds).
    A positive exponent is multiplied out, so sizes never print as ``1E+3``."""
    if exponent > 0:
        return Decimal(integer * 10**exponent)
    return Decimal(f"{integer}E{exponent}")


def common_scale(*values: Decimal) -> tuple[list[int], int]:
    """Integers ``n_i`` and one exponent ``e`` with ``values[i] == n_i * 10**e``."""
    pairs = [scaled(value) for value in values]
    exponent = min(e for _, e in pairs)
    return [n * 10 ** (e - exponent) for n, e in pairs], exponent


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """``a * b`` without context rounding."""
    (na, ea), (nb, eb) = scaled(a), scaled(b)
    return from_scaled(na * nb, ea + eb)


def _steps(value: Decimal, step: Decimal) -> tuple[int, int]:
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step}")
    (nv, ns), _ = common_scale(value, step)
    return nv, ns


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` (> 0) that is <= ``value`` (exact)."""
    nv, ns = _steps(value, step)
    return exact_product(Decimal(nv // ns), step)


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` (> 0) that is >= ``value`` (exact)."""
    nv, ns = _steps(value, step)
    return exact_product(Decimal(-(-nv // ns)), step)


def is_multiple(value: Decimal, step: Decimal) -> bool:
    """Whether ``value`` lies on the grid of ``step`` (> 0)."""
    nv, ns = _steps(value, step)
    return nv % ns == 0


__all__ = [
    "ceil_to_step",
    "common_scale",
    "exact_product",
    "floor_to_step",
    "from_scaled",
    "is_multiple",
    "scaled",
]
