"""Binance USD-M user-data stream: order updates as they happen.

Setup (Binance docs "User Data Streams"; fact sheet A1): ``POST /fapi/v1/listenKey`` with
the API key header (no signature) returns ``{"listenKey": ...}``; keep it alive with
``PUT /fapi/v1/listenKey`` at least every 60 min (we renew every 30); connect to the
``/private`` route ``wss://fstream.binance.com/private/ws?listenKey=<key>&events=
ORDER_TRADE_UPDATE`` (the legacy root is retired).

Frames (Binance docs "Event: Order Update"): ``{"e":"ORDER_TRADE_UPDATE","E":ms,"T":ms,
"o":{"s":"BTCUSDT","c":<client order id>,"S":"BUY","q":orig qty,"ap":avg price,
"X":<order status>,"i":<order id>,"z":<cumulative filled qty>,"T":ms,...}}``; the status
names are those of REST orders (``NEW``, ``PARTIALLY_FILLED``, ``FILLED``, ``CANCELED``,
``EXPIRED``, ``EXPIRED_IN_MATCH``). ``listenKeyExpired`` means the key must be renewed: it
is reported as an error, the feed reconnects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import httpx

from adapters._parse import ParseError, dec_field, int_field, obj, opt_dec, str_field, ts_millis
from adapters.streams.types import Decoded
from atomic_fp.models import OrderStatus
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order_update import OrderUpdate

PRIVATE_STREAM_URL = "wss://fstream.binance.com/private/ws"
LISTEN_KEY_PATH = "/fapi/v1/listenKey"
KEEPALIVE_SECONDS = 30 * 60

_STATUS: Mapping[str, OrderStatus] = {
    "NEW": OrderStatus.OPEN,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
}


def _positive_or_none(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def _order_update(venue: str, body: Mapping[str, Any]) -> OrderUpdate:
    order = obj(body.get("o"), "$.o")
    status_text = str_field(order, "X", "$.o")
    if status_text not in _STATUS:
        raise ParseError(f"$.o.X: unknown order status {status_text[:40]!r}")
    stamp = order.get("T", body.get("E"))
    return OrderUpdate(
        exchange=ExchangeIdentifier(venue),
        client_order_id=str_field(order, "c", "$.o"),
        status=_STATUS[status_text],
        filled_size=dec_field(order, "z", "$.o"),
        at=ts_millis(stamp, "$.o.T"),
        average_price=_positive_or_none(opt_dec(order, "ap", "$.o")),
        venue_order_id=str(int_field(order, "i", "$.o")),
        size=dec_field(order, "q", "$.o"),
    )


def decode_user_data_frame(venue: str, message: object, received_at: datetime) -> Decoded:
    try:
        body = obj(message)
        event = body.get("e")
        if event == "ORDER_TRADE_UPDATE":
            return Decoded(orders=(_order_update(venue, body),))
        if event == "listenKeyExpired":
            return Decoded(error="listenKeyExpired: the listen key must be renewed")
        if "error" in body:
            return Decoded(error=str(body["error"])[:200])
        return Decoded()  # ACCOUNT_UPDATE, MARGIN_CALL...: not used here
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])


@attrs.frozen
class BinanceUserDataWire:
    listen_key: str = attrs.field(repr=False)
    venue: str = "binance"
    base_url: str = PRIVATE_STREAM_URL

    @property
    def url(self) -> str:
        return f"{self.base_url}?listenKey={self.listen_key}&events=ORDER_TRADE_UPDATE"

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return []  # the URL names the stream

    def heartbeat(self) -> object | None:
        return None

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_user_data_frame(self.venue, message, received_at)


async def listen_key(http: httpx.AsyncClient, rest_url: str, api_key: str) -> str:
    """Create (or, on Binance, return the live) listen key; raises on failure (the caller
    keeps the lookups as its safety net and retries later)."""
    response = await http.post(f"{rest_url}{LISTEN_KEY_PATH}", headers={"X-MBX-APIKEY": api_key})
    response.raise_for_status()
    return str_field(obj(response.json()), "listenKey")


async def keep_alive(http: httpx.AsyncClient, rest_url: str, api_key: str) -> None:
    response = await http.put(f"{rest_url}{LISTEN_KEY_PATH}", headers={"X-MBX-APIKEY": api_key})
    response.raise_for_status()
