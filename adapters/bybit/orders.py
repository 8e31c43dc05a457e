"""Turning an :class:`~atomic_fp.models.OrderRequest` into a ``POST /v5/order/create`` body.

Pure. The request is checked against the instrument's rules *before* anything is sent: a
size off ``qtyStep``, a price off ``tickSize``, a size under ``minOrderQty`` or over
``maxOrderQty`` (limit) / ``maxMktOrderQty`` (market), or a limit order under
``minNotionalValue`` (reduce-only orders are exempt, as Bybit exempts closing orders) is
refused locally (:class:`~atomic_fp.errors.InvalidRequest`), never rounded behind the
caller's back.

Body (Bybit v5 "Place Order"): ``category=linear``, ``symbol``, ``side`` ``Buy``/``Sell``,
``orderType`` ``Limit``/``Market``, ``qty`` and ``price`` as decimal strings,
``timeInForce`` ``IOC``/``GTC``/``FOK``/``PostOnly``, ``orderLinkId`` (our client id: at
most 36 of ``[A-Za-z0-9_-]``), ``reduceOnly`` only when asked, ``positionIdx`` 0 (one-way
mode).
"""

from __future__ import annotations

import re
from typing import Any

from returns.result import Failure, Result, Success

from adapters.bybit.parsing import BybitMarket
from adapters.kit.order_rules import decimal_text, order_refusal
from atomic_fp.errors import InvalidRequest
from atomic_fp.models import OrderRequest, OrderType, Side, TimeInForce

ORDER_LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")

_TIME_IN_FORCE = {
    TimeInForce.IOC: "IOC",
    TimeInForce.GTC: "GTC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "PostOnly",
}


def order_body(
    venue: str, request: OrderRequest, market: BybitMarket
) -> Result[dict[str, Any], InvalidRequest]:
    """The JSON body of the new-order request, or why it must not be sent."""

    def refuse(reason: str) -> Result[dict[str, Any], InvalidRequest]:
        return Failure(InvalidRequest(venue, f"order {request.client_order_id}: {reason}"))

    if not ORDER_LINK_ID.match(request.client_order_id):
        return refuse("client order id must match ^[A-Za-z0-9_-]{1,36}$ (Bybit orderLinkId)")
    is_market = request.order_type is OrderType.MARKET
    largest = market.max_market_qty if is_market else market.max_order_qty
    refusal = order_refusal(request, market.market, largest)
    if refusal is not None:
        return refuse(refusal)
    body: dict[str, Any] = {
        "category": "linear",
        "symbol": market.venue_symbol,
        "side": "Buy" if request.side is Side.BUY else "Sell",
        "orderType": "Market" if is_market else "Limit",
        "qty": decimal_text(request.size),
    }
    if request.limit_price is not None and not is_market:
        body["price"] = decimal_text(request.limit_price)
    body["timeInForce"] = "IOC" if is_market else _TIME_IN_FORCE[request.time_in_force]
    if request.reduce_only:
        body["reduceOnly"] = True
    body["orderLinkId"] = request.client_order_id
    body["positionIdx"] = 0
    return Success(body)


__all__ = ["ORDER_LINK_ID", "decimal_text", "order_body"]
