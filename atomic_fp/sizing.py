"""Order sizes that every venue of a hedge accepts, computed exactly.

Venues quote sizes in their own units: one unit of Binance ``1000PEPEUSDT`` or Hyperliquid
``kPEPE`` is 1000 PEPE, one unit of a plain ``PEPE`` market is 1 PEPE. A hedge must carry
the *same base exposure* on both legs, so its size is chosen in base units as a multiple of
every venue's base lot (``lot_size * contract_multiplier``): the least common multiple of
those lots. All arithmetic here scales Decimals to integers first, so nothing depends on
the Decimal context's precision and nothing is ever rounded by accident.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

from atomic_fp.models import Market
from atomic_fp.rounding import (
    ceil_to_step,
    common_scale,
    exact_product,
    floor_to_step,
    from_scaled,
    is_multiple,
)

_BASE_LOTS: dict[int, tuple[Market, Decimal]] = {}
""":func:`base_lot` per market object (by identity; the entry holds the market, so its id
cannot be reused while it is here). A decision asks it several times per market (its
lot, its common step with each partner, each leg's venue size): 30,000 exact products a
benchmark backtest year for a handful of markets."""
_BASE_LOTS_KEPT = 4096


def base_lot(market: Market) -> Decimal:
    """A market's smallest size step in base units, exactly."""
    cached = _BASE_LOTS.get(id(market))
    if cached is not None and cached[0] is market:
        return cached[1]
    lot = exact_product(market.lot_size, market.contract_multiplier)
    if len(_BASE_LOTS) >= _BASE_LOTS_KEPT:
        _BASE_LOTS.clear()
    _BASE_LOTS[id(market)] = (market, lot)
    return lot


def base_min_size(market: Market) -> Decimal:
    """A market's minimum order size in base units, exactly."""
    return exact_product(market.min_size, market.contract_multiplier)


def common_base_step(markets: Iterable[Market]) -> Decimal:
    """The smallest base size that is a whole number of lots on every market (the LCM of
    their base lots). ``ValueError`` when ``markets`` is empty."""
    lots = [base_lot(market) for market in markets]
    if not lots:
        raise ValueError("common_base_step needs at least one market")
    integers, exponent = common_scale(*lots)
    return from_scaled(math.lcm(*integers), exponent)


def venue_size(base_size: Decimal, market: Market) -> Decimal:
    """Venue units for a base size that is a whole number of the market's base lots
    (``ValueError`` otherwise: a size that is not valid on the venue is never sent)."""
    lot = base_lot(market)
    (nb, nl), _ = common_scale(base_size, lot)
    lots, remainder = divmod(nb, nl)
    if remainder:
        raise ValueError(f"{base_size} is not a multiple of {market.exchange}'s base lot {lot}")
    return exact_product(Decimal(lots), market.lot_size)


def common_base_size(base_size: Decimal, markets: Iterable[Market]) -> Decimal:
    """``base_size`` rounded down to a size valid on every market (may be 0)."""
    return floor_to_step(base_size, common_base_step(markets))


__all__ = [
    "base_lot",
    "base_min_size",
    "ceil_to_step",
    "common_base_size",
    "common_base_step",
    "exact_product",
    "floor_to_step",
    "is_multiple",
    "venue_size",
]
