"""Turning an :class:`~atomic_fp.models.OrderRequest` into ``POST /fapi/v1/order`` params.

Pure. The request is checked against the market's filters *before* anything is sent, so
a size off the lot step or a price off the tick is refused locally
(:class:`~atomic_fp.errors.InvalidRequest`) instead of being rounded behind the caller's
back: sizes and prices are never changed here.

- ``LIMIT`` orders carry ``price`` (= ``limit_price``, the slippage cap of an IOC "market"
  order) and ``timeInForce`` (IOC, GTC, FOK, or GTX for post-only); their size is checked
  against ``LOT_SIZE``.
- ``MARKET`` orders carry no price; their size is checked against ``MARKET_LOT_SIZE``.
- ``reduceOnly=true`` is sent only when asked (one-way mode; hedge mode rejects it).
- ``newClientOrderId`` = the request's client id, which must match Binance's
  ``^[.A-Z:/a-z0-9_-]{1,36}$``; ``newOrderRespType=RESULT`` so an IOC order answers with
  its final status and filled quantity.
- ``MIN_NOTIONAL`` is checked for limit orders that are not reduce-only (Binance exempts
  reduce-only orders; a market order has no price to check against, the venue answers
  ``-4164`` if it is too small).
"""

from __future__ import annotations

import re
from decimal import Decimal

from returns.result import Failure, Result, Success

from adapters.binance.parsers import BinanceMarket
from atomic_fp.errors import InvalidRequest
from atomic_fp.models import OrderRequest, OrderType, Side, TimeInForce
from atomic_fp.rounding import is_multiple

CLIENT_ORDER_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")

_TIME_IN_FORCE = {
    TimeInForce.IOC: "IOC",
    TimeInForce.GTC: "GTC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "GTX",
}


def decimal_text(value: Decimal) -> str:
    """Plain decimal notation without exponent or trailing zeros (``1E+1`` -> ``10``)."""
    text = format(value.normalize(), "f")
    return text


def _on_step(value: Decimal, step: Decimal) -> bool:
    """On the grid, exactly (the core's rounding; ``%`` would round past 28 digits)."""
    return step > 0 and is_multiple(value, step)


def order_params(
    venue: str, request: OrderRequest, market: BinanceMarket
) -> Result[list[tuple[str, str]], InvalidRequest]:
    """Query parameters of the new-order request, or why it must not be sent."""

    def refuse(reason: str) -> Result[list[tuple[str, str]], InvalidRequest]:
        return Failure(InvalidRequest(venue, f"order {request.client_order_id}: {reason}"))

    if not CLIENT_ORDER_ID.match(request.client_order_id):
        return refuse("client order id must match ^[.A-Z:/a-z0-9_-]{1,36}$")
    is_market = request.order_type is OrderType.MARKET
    step = market.market_step if is_market else market.limit_step
    max_qty = market.market_max_qty if is_market else market.limit_max_qty
    size = request.size
    if not _on_step(size, step):
        return refuse(f"size {size} is not a multiple of the lot step {step}")
    if size < market.market.min_size:
        return refuse(f"size {size} is below the minimum {market.market.min_size}")
    if max_qty is not None and max_qty > 0 and size > max_qty:
        return refuse(f"size {size} is above the maximum {max_qty}")
    params: list[tuple[str, str]] = [
        ("symbol", market.venue_symbol),
        ("side", "BUY" if request.side is Side.BUY else "SELL"),
        ("type", "MARKET" if is_market else "LIMIT"),
        ("quantity", decimal_text(size)),
    ]
    if not is_market:
        price = request.limit_price
        if price is None:
            return refuse("a limit order needs a limit price")
        if not _on_step(price, market.market.tick_size):
            return refuse(f"price {price} is not a multiple of the tick {market.market.tick_size}")
        notional = size * price
        if not request.reduce_only and notional < market.market.min_notional:
            return refuse(f"notional {notional} is below the minimum {market.market.min_notional}")
        params += [
            ("price", decimal_text(price)),
            ("timeInForce", _TIME_IN_FORCE[request.time_in_force]),
        ]
    if request.reduce_only:
        params.append(("reduceOnly", "true"))
    params += [
        ("newClientOrderId", request.client_order_id),
        ("newOrderRespType", "RESULT"),
    ]
    return Success(params)
