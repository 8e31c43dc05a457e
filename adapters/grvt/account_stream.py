"""GRVT ``v1.order`` stream: the account's order updates, pushed (trading host).

Wire format (GRVT api-spec ``src/codegen/apispec.json`` structs ``WSOrderFeedSelectorV1``
and ``WSOrderFeedDataV1``; ``Order`` as in ``artifacts/apidocs/trading_api.md``; MIT;
fact sheet section 9):

- URL ``wss://trades.grvt.io/ws/full`` (trading host). The connection is authenticated
  at the handshake: the API-key session's ``Cookie: gravity=<token>`` and
  ``X-Grvt-Account-Id`` headers, as on every trading call (grvt-pysdk
  ``grvt_ccxt_ws.py`` sends them with the websocket connect; fact sheet section 7); a
  reconnect logs in again when the session is near expiry (:class:`GrvtAuth`).
- subscribe (JSON-RPC) ``{"jsonrpc":"2.0","method":"subscribe","params":{"stream":
  "v1.order","selectors":["<sub_account_id>"]},"id":1}``: a bare sub-account id is every
  instrument ("specify an empty instrument (eg. 2345123)", ``WSOrderFeedSelectorV1``);
  answered by ``{"jsonrpc":"2.0","result":{"stream":..,"subs":[..],..},"id":1}``.
- feed ``{"stream":"v1.order","selector":..,"sequence_number":"..",
  "prev_sequence_number":"..","feed":<Order>}``: the order's ``state`` carries the
  cumulative ``traded_size[0]``, ``avg_fill_price[0]``, ``status`` (PENDING, OPEN,
  FILLED, REJECTED, CANCELLED) and ``update_time`` (ns); ``metadata.client_order_id`` is
  GRVT's numeric client id (:func:`adapters.grvt.client.venue_client_id` of ours: the
  update keeps it, and the order book finds it through ``book.alias``).

The order feed, not ``v1.fill``, is what settles a leg: a fill message is one trade, while
the order's state says when the order is final and its cumulative fill.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from adapters._parse import (
    ParseError,
    arr,
    dec,
    dec_field,
    field,
    integer,
    obj,
    str_field,
    string,
    ts_nanos,
)
from adapters.grvt.parsers import _STATUS
from adapters.streams.types import Decoded, SequenceMark
from atomic_fp.models import OrderStatus
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order_update import OrderUpdate

ORDER_STREAM = "v1.order"
DEFAULT_ACCOUNT_STREAM_URL = "wss://trades.grvt.io/ws/full"

Headers = Callable[[], Awaitable[Mapping[str, str]]]


def _first(values: object, path: str) -> Any:
    items = arr(values, path)
    if not items:
        raise ParseError(f"{path}: empty")
    return items[0]


def _order_update(venue: str, order: Mapping[str, Any], at: datetime) -> OrderUpdate:
    state = obj(field(order, "state", "$.feed"), "$.feed.state")
    raw = str_field(state, "status", "$.feed.state")
    if raw not in _STATUS:
        raise ParseError(f"$.feed.state.status: unknown status {raw[:40]!r}")
    status = _STATUS[raw]
    filled = dec(_first(field(state, "traded_size", "$.feed.state"), "$.feed.state.traded_size"))
    if status is OrderStatus.OPEN and filled > 0:
        status = OrderStatus.PARTIALLY_FILLED
    average = None
    if filled > 0 and "avg_fill_price" in state:
        average = dec(_first(state["avg_fill_price"], "$.feed.state.avg_fill_price"))
    legs = arr(field(order, "legs", "$.feed"), "$.feed.legs")
    size = dec_field(obj(legs[0], "$.feed.legs[0]"), "size", "$.feed.legs[0]") if legs else None
    metadata = obj(field(order, "metadata", "$.feed"), "$.feed.metadata")
    order_id = order.get("order_id")
    update = state.get("update_time")
    return OrderUpdate(
        exchange=ExchangeIdentifier(venue),
        client_order_id=str_field(metadata, "client_order_id", "$.feed.metadata"),
        status=status,
        filled_size=filled,
        at=ts_nanos(update, "$.feed.state.update_time") if update else at,
        average_price=average,
        venue_order_id=string(order_id, "$.feed.order_id") if order_id else None,
        size=size,
    )


def decode_order_frame(venue: str, message: object, received_at: datetime) -> Decoded:
    """One frame of the trading host's order stream -> what it meant (never raises)."""
    try:
        body = obj(message)
        if "error" in body:
            return Decoded(error=str(body["error"])[:200])
        if "code" in body and "message" in body and "stream" not in body:
            return Decoded(error=f"{body.get('code')}: {body.get('message')}"[:200])
        if "result" in body:
            return Decoded(subscribed=True)
        if body.get("stream") != ORDER_STREAM:
            return Decoded()
        selector = str_field(body, "selector", "$")
        mark = SequenceMark(
            channel=f"{ORDER_STREAM}:{selector}",
            number=integer(field(body, "sequence_number", "$"), "$.sequence_number"),
            previous=(
                integer(body["prev_sequence_number"], "$.prev_sequence_number")
                if "prev_sequence_number" in body
                else None
            ),
        )
        update = _order_update(venue, obj(field(body, "feed", "$"), "$.feed"), received_at)
        return Decoded(orders=(update,), sequences=(mark,))
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])


@attrs.frozen
class GrvtOrderWire:
    """The account's ``v1.order`` stream; ``headers`` gives the session headers for each
    (re)connect (logging in when needed), never printed."""

    sub_account_id: str = attrs.field(repr=False)
    headers: Headers = attrs.field(repr=False)
    venue: str = "grvt"
    url: str = DEFAULT_ACCOUNT_STREAM_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return [
            {
                "jsonrpc": "2.0",
                "method": "subscribe",
                "params": {"stream": ORDER_STREAM, "selectors": [self.sub_account_id]},
                "id": 1,
            }
        ]

    async def handshake_headers(self) -> Mapping[str, str]:
        return await self.headers()

    def heartbeat(self) -> object | None:
        return None  # a websocket ping, as on the market host

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_order_frame(self.venue, message, received_at)
