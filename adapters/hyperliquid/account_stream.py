"""Hyperliquid ``orderUpdates`` stream: order state changes of one user, pushed.

Wire format (Hyperliquid websocket docs "Subscriptions", type ``WsOrder``; official SDK
``utils/types.py``; fact sheet B4): subscribe ``{"method":"subscribe","subscription":
{"type":"orderUpdates","user":<address>}}``; frames ``{"channel":"orderUpdates","data":
[{"order":{"coin","side","limitPx","sz","oid","timestamp","origSz","cloid"?},
"status":"open|filled|canceled|...","statusTimestamp":ms}]}``. ``sz`` is the size still
open, so the filled size is ``origSz - sz``. Orders carry our client id as a 128-bit
``cloid`` (:func:`adapters.hyperliquid.signing.cloid_for`, a hash); ``client_id_of`` maps
it back when the caller knows the order, else the update keeps the cloid as its id and
the :class:`~atomic_fp.orchestration.order_updates.OrderUpdateBook` finds it through its
alias (``book.alias(venue, cloid_for)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from adapters._parse import ParseError, arr, dec_field, field, int_field, obj, str_field, ts_millis
from adapters.hyperliquid.parsers import order_status_from_venue
from adapters.streams.types import Decoded
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order_update import OrderUpdate

ClientIdOf = Callable[[str], str | None]


def _update(
    venue: str, row: Mapping[str, Any], path: str, client_id_of: ClientIdOf
) -> OrderUpdate | None:
    order = obj(field(row, "order", path), f"{path}.order")
    cloid = order.get("cloid")
    if not isinstance(cloid, str):
        return None
    client_id = client_id_of(cloid) or cloid
    original = dec_field(order, "origSz", f"{path}.order")
    remaining = dec_field(order, "sz", f"{path}.order")
    return OrderUpdate(
        exchange=ExchangeIdentifier(venue),
        client_order_id=client_id,
        status=order_status_from_venue(str_field(row, "status", path)),
        filled_size=max(original - remaining, Decimal(0)),
        at=ts_millis(int_field(row, "statusTimestamp", path), f"{path}.statusTimestamp"),
        venue_order_id=str(int_field(order, "oid", f"{path}.order")),
        size=original,
    )


def decode_order_updates_frame(venue: str, message: object, client_id_of: ClientIdOf) -> Decoded:
    try:
        body = obj(message)
        channel = body.get("channel")
        if channel == "subscriptionResponse":
            return Decoded(subscribed=True)
        if channel == "error":
            return Decoded(error=str(body.get("data"))[:200])
        if channel != "orderUpdates":
            return Decoded()
        rows = arr(field(body, "data", "$"), "$.data")
        updates = [
            _update(venue, obj(row, f"$.data[{i}]"), f"$.data[{i}]", client_id_of)
            for i, row in enumerate(rows)
        ]
        return Decoded(orders=tuple(u for u in updates if u is not None))
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])


def _unknown(cloid: str) -> str | None:
    return None


@attrs.frozen
class HyperliquidOrderUpdatesWire:
    user: str
    client_id_of: ClientIdOf = _unknown
    venue: str = "hyperliquid"
    url: str = "wss://api.hyperliquid.xyz/ws"

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return [
            {"method": "subscribe", "subscription": {"type": "orderUpdates", "user": self.user}}
        ]

    def heartbeat(self) -> object | None:
        return {"method": "ping"}

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_order_updates_frame(self.venue, message, self.client_id_of)
