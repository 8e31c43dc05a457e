"""An order checked against its market's published rules before anything is signed.

Venues refuse an order off the lot or tick grid, under the minimum size or notional or
over the maximum (Bybit v5 ``lotSizeFilter``/``priceFilter``, OKX ``lotSz``/``tickSz``/
``minSz``/``maxLmtSz``/``maxMktSz``); refusing it here keeps a request that can only be
rejected off the wire and says why in our words. Sizes are in base units (a venue quoting
contracts converts after the check). :func:`decimal_text` is how a venue's JSON carries a
decimal.
"""

from __future__ import annotations

from decimal import Decimal

from atomic_fp.models import Market, OrderRequest, OrderType
from atomic_fp.rounding import is_multiple


def decimal_text(value: Decimal) -> str:
    """Plain decimal notation without exponent or trailing zeros (``1E+1`` -> ``10``)."""
    return format(value.normalize(), "f")


def _on_step(value: Decimal, step: Decimal) -> bool:
    return step > 0 and is_multiple(value, step)


def order_refusal(request: OrderRequest, rules: Market, largest: Decimal | None) -> str | None:
    """Why ``request`` breaks ``rules`` (``largest``: the venue's maximum size for its order
    type, if published), or ``None``. The minimum notional binds opening limit orders (a
    reduce-only order may close a position smaller than it)."""
    size = request.size
    if not _on_step(size, rules.lot_size):
        return f"size {size} is not a multiple of the lot step {rules.lot_size}"
    if size < rules.min_size:
        return f"size {size} is below the minimum {rules.min_size}"
    if largest is not None and largest > 0 and size > largest:
        return f"size {size} is above the maximum {largest}"
    if request.order_type is OrderType.MARKET:
        return None
    price = request.limit_price
    if price is None:
        return "a limit order needs a limit price"
    if not _on_step(price, rules.tick_size):
        return f"price {price} is not a multiple of the tick {rules.tick_size}"
    notional = size * price
    if not request.reduce_only and notional < rules.min_notional:
        return f"notional {notional} is below the minimum {rules.min_notional}"
    return None


__all__ = ["decimal_text", "order_refusal"]
