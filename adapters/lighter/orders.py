"""Lighter order encoding (pure): client order indices and CreateOrder fields.

Client order ids: Lighter identifies our orders by an integer ``client_order_index`` in
``1 .. 2**48 - 1``. :func:`client_order_index` maps ``OrderRequest.client_order_id``
deterministically: the first 8 bytes of ``sha256(client_order_id)`` as a big-endian
integer, modulo ``2**48 - 1``, plus 1. The same id always gives the same index, so a retried
order is refused by Lighter as a duplicate (code 21728) instead of being placed twice, and
an order can be looked up or cancelled (cancel accepts the client index) from its id alone.
Two ids collide with probability about n**2 / 2**49 (1e-7 for 10,000 live ids).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from returns.result import Failure, Result, Success

from adapters.lighter.parsers import LighterMarket
from adapters.lighter.signer import CreateOrderTx
from atomic_fp.errors import InvalidRequest
from atomic_fp.models import OrderRequest, OrderType, Side, TimeInForce

CLIENT_ORDER_INDEX_MAX = 2**48 - 1
ORDER_LIMIT = 0
ORDER_MARKET = 1
TIF_IOC = 0
TIF_GTT = 1
TIF_POST_ONLY = 2
EXPIRY_28_DAYS = -1
"""``order_expiry = -1`` asks the signer for its 28-day default (lighter-sdk)."""
EXPIRY_IOC = 0


def client_order_index(client_order_id: str) -> int:
    """Deterministic Lighter ``client_order_index`` (1 .. 2**48-1) of a client order id."""
    digest = hashlib.sha256(client_order_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % CLIENT_ORDER_INDEX_MAX + 1


def _scaled(value: Decimal, decimals: int, what: str) -> Result[int, InvalidRequest]:
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value() or scaled <= 0:
        return Failure(
            InvalidRequest("lighter", f"{what} {value} is not a positive multiple of 1e-{decimals}")
        )
    return Success(int(scaled))


def build_create_order(
    request: OrderRequest, market: LighterMarket
) -> Result[CreateOrderTx, InvalidRequest]:
    """The CreateOrder fields of ``request`` (pure).

    ``base_amount = size * 10**size_decimals`` and ``price = px * 10**price_decimals`` must be
    integers (0.1 ETH -> 1000, $4050 -> 405000 with decimals 4/2, lighter-sdk examples). A
    "market" order is Lighter's MARKET type + IOC + expiry 0 with ``price`` the worst
    acceptable price, so it needs ``limit_price``. Lighter has no FOK.
    """
    if request.limit_price is None:
        return Failure(
            InvalidRequest("lighter", "Lighter orders need a limit_price (the worst price)")
        )
    if request.time_in_force is TimeInForce.FOK:
        return Failure(InvalidRequest("lighter", "Lighter has no fill-or-kill orders"))
    base = _scaled(request.size, market.size_decimals, "size")
    if isinstance(base, Failure):
        return Failure(base.failure())
    price = _scaled(request.limit_price, market.price_decimals, "price")
    if isinstance(price, Failure):
        return Failure(price.failure())
    if base.unwrap() >= 2**63:
        return Failure(InvalidRequest("lighter", f"size {request.size} out of range"))
    if price.unwrap() >= 2**32:
        return Failure(InvalidRequest("lighter", f"price {request.limit_price} out of range"))
    if request.order_type is OrderType.MARKET:
        order_type, tif, expiry = ORDER_MARKET, TIF_IOC, EXPIRY_IOC
    elif request.time_in_force is TimeInForce.IOC:
        order_type, tif, expiry = ORDER_LIMIT, TIF_IOC, EXPIRY_IOC
    elif request.time_in_force is TimeInForce.POST_ONLY:
        order_type, tif, expiry = ORDER_LIMIT, TIF_POST_ONLY, EXPIRY_28_DAYS
    else:
        order_type, tif, expiry = ORDER_LIMIT, TIF_GTT, EXPIRY_28_DAYS
    return Success(
        CreateOrderTx(
            market_index=market.market_id,
            client_order_index=client_order_index(request.client_order_id),
            base_amount=base.unwrap(),
            price=price.unwrap(),
            is_ask=request.side is Side.SELL,
            order_type=order_type,
            time_in_force=tif,
            reduce_only=request.reduce_only,
            order_expiry=expiry,
        )
    )


__all__ = ["CLIENT_ORDER_INDEX_MAX", "build_create_order", "client_order_index"]
