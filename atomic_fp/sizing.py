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


def _scaled(value: Decimal) -> tuple[int, int]:
    """``value`` as ``(integer, exponent)`` with ``value == integer * 10**exponent``."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite Decimal: {value}")
    integer = int("".join(map(str, digits)) or "0")
    return (-integer if sign else integer), exponent


def _decimal(integer: int, exponent: int) -> Decimal:
    """``integer * 10**exponent`` as an exact Decimal (string construction never rounds).
    A positive exponent is multiplied out, so sizes never print as ``1E+3``."""
    if exponent > 0:
        return Decimal(integer * 10**exponent)
    return Decimal(f"{integer}E{exponent}")


def _common_scale(*values: Decimal) -> tuple[list[int], int]:
    """Integers ``n_i`` and one exponent ``e`` with ``values[i] == n_i * 10**e``."""
    pairs = [_scaled(value) for value in values]
    exponent = min(e for _, e in pairs)
    return [n * 10 ** (e - exponent) for n, e in pairs], exponent


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """``a * b`` without context rounding."""
    (na, ea), (nb, eb) = _scaled(a), _scaled(b)
    return _decimal(na * nb, ea + eb)


def base_lot(market: Market) -> Decimal:
    """A market's smallest size step in base units, exactly."""
    return exact_product(market.lot_size, market.contract_multiplier)


def base_min_size(market: Market) -> Decimal:
    """A market's minimum order size in base units, exactly."""
    return exact_product(market.min_size, market.contract_multiplier)


def common_base_step(markets: Iterable[Market]) -> Decimal:
    """The smallest base size that is a whole number of lots on every market (the LCM of
    their base lots). ``ValueError`` when ``markets`` is empty."""
    lots = [base_lot(market) for market in markets]
    if not lots:
        raise ValueError("common_base_step needs at least one market")
    integers, exponent = _common_scale(*lots)
    return _decimal(math.lcm(*integers), exponent)


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` (> 0) that is <= ``value`` (exact)."""
    if step <= 0:
        raise ValueError(f"step must be > 0, got {step}")
    (nv, ns), exponent = _common_scale(value, step)
    return _decimal((nv // ns) * ns, exponent)


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` (> 0) that is >= ``value`` (exact)."""
    return -floor_to_step(-value, step)


def is_multiple(value: Decimal, step: Decimal) -> bool:
    (nv, ns), _ = _common_scale(value, step)
    return nv % ns == 0


def venue_size(base_size: Decimal, market: Market) -> Decimal:
    """Venue units for a base size that is a whole number of the market's base lots
    (``ValueError`` otherwise: a size that is not valid on the venue is never sent)."""
    lot = base_lot(market)
    (nb, nl), _ = _common_scale(base_size, lot)
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
