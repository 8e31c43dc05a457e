"""Limit prices and sizes on a venue's grid, always rounded in the safe direction."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from atomic_fp.models import Side


def floor_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def ceil_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def capped_limit_price(
    side: Side, reference: Decimal, slippage_cap: Decimal, tick: Decimal
) -> Decimal | None:
    """The worst price an IOC leg accepts: ``reference * (1 ± cap)``, rounded to the tick
    *towards the reference* (a buy rounds down, a sell up), so rounding never lets the
    order pay more slippage than the cap. ``None`` when that leaves no positive price."""
    if side is Side.BUY:
        price = floor_to(reference * (1 + slippage_cap), tick)
    else:
        price = ceil_to(reference * (1 - slippage_cap), tick)
    return price if price > 0 else None


__all__ = ["capped_limit_price", "ceil_to", "floor_to"]
