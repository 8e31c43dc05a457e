"""Hyperliquid price and size rules, in Decimal.

Facts (HL docs "Tick and lot size"; HL-SDK ``examples/rounding.py`` and
``Exchange._slippage_price``):

- a perp size has at most ``szDecimals`` decimals (the lot is ``10**-szDecimals``);
- a perp price has at most 5 significant figures **and** at most ``6 - szDecimals``
  decimals; an integer price is always valid, however many digits it has;
- numbers travel as strings with no trailing zeros (``float_to_wire``): ``"100"``, not
  ``"100.0"``; a trailing zero changes the msgpack bytes and so the signature.

The venue has no fixed tick: at 5 significant figures the step grows with the price.
:func:`finest_tick` is the smallest step the decimals rule allows, which is what
``Market.tick_size`` reports; :func:`round_price` applies both rules. The snapping onto
a step is the core's exact one (:mod:`atomic_fp.rounding`); only the choice of step is
Hyperliquid's.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from atomic_fp.rounding import ceil_to_step, floor_to_step, is_multiple

PERP_MAX_DECIMALS = 6
SIGNIFICANT_FIGURES = 5
WIRE_MAX_DECIMALS = 8


def price_decimals(sz_decimals: int) -> int:
    """Most decimals a perp price may have: ``6 - szDecimals`` (never below 0)."""
    return max(0, PERP_MAX_DECIMALS - sz_decimals)


def finest_tick(sz_decimals: int) -> Decimal:
    """The smallest price step the decimals rule allows (``10**-(6 - szDecimals)``)."""
    return Decimal(1).scaleb(-price_decimals(sz_decimals))


def lot_size(sz_decimals: int) -> Decimal:
    """The size step: ``10**-szDecimals``."""
    return Decimal(1).scaleb(-sz_decimals)


def allowed_price_decimals(price: Decimal, sz_decimals: int) -> int:
    """Decimals a price of this magnitude may carry under both rules.

    Five significant figures leave ``4 - exponent`` decimals (``exponent`` of the leading
    digit: 1670.1 -> 3 -> 1 decimal; 0.012345 -> -2 -> 6 decimals); prices of 100000 and
    more keep 0 decimals (integers are always valid).
    """
    if price == 0:
        return price_decimals(sz_decimals)
    exponent = price.adjusted()
    by_figures = max(0, SIGNIFICANT_FIGURES - 1 - exponent)
    return min(price_decimals(sz_decimals), by_figures)


def round_price(price: Decimal, sz_decimals: int, *, up: bool) -> Decimal:
    """Round a positive price onto the venue's grid, towards ``+inf`` (``up``) or ``-inf``.

    Callers pick the direction that keeps a limit conservative: a buy's cap rounds down,
    a sell's floor rounds up, so the rounded order is never worse than the one asked for.
    Rounding up can carry into a new magnitude (99999.5 -> 100000), so the result is
    re-checked until it is on the grid.
    """
    if not price.is_finite() or price <= 0:
        raise ValueError(f"price must be a positive finite number, got {price}")
    snap = ceil_to_step if up else floor_to_step
    current = price
    for _ in range(3):
        decimals = allowed_price_decimals(current, sz_decimals)
        rounded = snap(current, Decimal(1).scaleb(-decimals))
        if rounded == current:
            break
        current = rounded
    if current <= 0:
        raise ValueError(f"price {price} is below the finest tick {finest_tick(sz_decimals)}")
    return _plain(current)


def is_valid_price(price: Decimal, sz_decimals: int) -> bool:
    if not price.is_finite() or price <= 0:
        return False
    decimals = allowed_price_decimals(price, sz_decimals)
    return is_multiple(price, Decimal(1).scaleb(-decimals))


def round_size(size: Decimal, sz_decimals: int) -> Decimal:
    """Round a size down to ``szDecimals`` decimals (never sends more than asked)."""
    if not size.is_finite() or size < 0:
        raise ValueError(f"size must be a non-negative finite number, got {size}")
    return _plain(floor_to_step(size, lot_size(sz_decimals)))


def is_valid_size(size: Decimal, sz_decimals: int) -> bool:
    return size.is_finite() and size > 0 and size == round_size(size, sz_decimals)


def to_wire(value: Decimal) -> str:
    """A number as Hyperliquid signs it: fixed-point, no trailing zeros, ``-0`` -> ``0``.

    The Decimal twin of the SDK's ``float_to_wire`` (which formats with 8 decimals and
    refuses values that would round). A value with more than 8 decimals is refused here
    too rather than silently rounded.
    """
    if not value.is_finite():
        raise ValueError(f"cannot put {value} on the wire")
    if value != value.quantize(Decimal(1).scaleb(-WIRE_MAX_DECIMALS), rounding=ROUND_DOWN):
        raise ValueError(f"{value} has more than {WIRE_MAX_DECIMALS} decimals")
    if value == 0:
        return "0"
    return f"{value.normalize():f}"


def _plain(value: Decimal) -> Decimal:
    """Strip trailing zeros without switching to exponent notation (1E+2 -> 100)."""
    normalized = value.normalize()
    if normalized.as_tuple().exponent > 0:  # type: ignore[operator]
        return normalized.quantize(Decimal(1))
    return normalized
