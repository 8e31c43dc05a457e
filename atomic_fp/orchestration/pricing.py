"""Limit prices and sizes on a venue's grid, always rounded in the safe direction."""

from __future__ import annotations

from decimal import Decimal

from atomic_fp.models import Side
from atomic_fp.rounding import ceil_to_step as ceil_to
from atomic_fp.rounding import floor_to_step as floor_to


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
