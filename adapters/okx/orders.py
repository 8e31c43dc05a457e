"""Turning an :class:`~atomic_fp.models.OrderRequest` into a ``POST /api/v5/trade/order``
body. Pure, and checked before anything is sent: a size that is not a whole number of
lots, a price off the tick or an id OKX would refuse is :class:`InvalidRequest`, never
rounded behind the caller's back.

- ``sz`` is in contracts: the request's base size / ``ctVal`` (see
  :mod:`adapters.okx.parsing`, "Units").
- ``ordType``: ``market``; or, for a limit price, ``ioc`` / ``fok`` / ``post_only`` /
  ``limit`` (GTC) from the time in force (OKX v5 "Place order": ``ordType``).
- ``tdMode``: ``cross`` by default (option ``td_mode``: ``cross`` or ``isolated``).
- ``clOrdId``: OKX takes "a combination of case-sensitive alphanumerics, all numbers, or
  all letters of up to 32 characters" (``^[A-Za-z0-9]{1,32}$``); atomic-fp's ids
  (``afp`` + 16 hex + 4 digits) fit.
- ``reduceOnly`` is sent only when asked. Net position mode is assumed (no ``posSide``);
  an account in long/short mode gets OKX's own refusal.
"""

from __future__ import annotations

import re

from returns.result import Failure, Result, Success

from adapters.kit.order_rules import decimal_text, order_refusal
from adapters.okx.parsing import OkxMarket
from atomic_fp.errors import InvalidRequest
from atomic_fp.models import OrderRequest, OrderType, Side, TimeInForce

CLIENT_ORDER_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
TD_MODES = ("cross", "isolated")

_LIMIT_TYPES = {
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
    TimeInForce.POST_ONLY: "post_only",
    TimeInForce.GTC: "limit",
}


def order_body(
    venue: str, request: OrderRequest, market: OkxMarket, td_mode: str = "cross"
) -> Result[dict[str, str | bool], InvalidRequest]:
    """The JSON body of the new-order request, or why it must not be sent."""

    def refuse(reason: str) -> Result[dict[str, str | bool], InvalidRequest]:
        return Failure(InvalidRequest(venue, f"order {request.client_order_id}: {reason}"))

    if not CLIENT_ORDER_ID.match(request.client_order_id):
        return refuse("client order id must match ^[A-Za-z0-9]{1,32}$ on OKX")
    is_market = request.order_type is OrderType.MARKET
    largest = market.max_market_size if is_market else market.max_limit_size
    refusal = order_refusal(request, market.market, largest)
    if refusal is not None:
        return refuse(refusal)
    body: dict[str, str | bool] = {
        "instId": market.inst_id,
        "tdMode": td_mode,
        "side": "buy" if request.side is Side.BUY else "sell",
        "ordType": "market" if is_market else _LIMIT_TYPES[request.time_in_force],
        "sz": decimal_text(market.to_contracts(request.size)),
    }
    if request.limit_price is not None and not is_market:
        body["px"] = decimal_text(request.limit_price)
    if request.reduce_only:
        body["reduceOnly"] = True
    body["clOrdId"] = request.client_order_id
    return Success(body)


__all__ = ["CLIENT_ORDER_ID", "TD_MODES", "decimal_text", "order_body"]
