"""Lighter ``account_all_orders`` stream: every order of one account, pushed.

Wire format (Lighter WebSocket reference, apidocs.lighter.xyz/docs/websocket-reference,
"Account All Orders"; "Account data & positions": "Add auth to the subscribe message for
private channels"; fact sheet section 9):

- subscribe ``{"type":"subscribe","channel":"account_all_orders/{ACCOUNT_ID}",
  "auth":"{AUTH_TOKEN}"}``; the auth token is the API key's
  ``"{deadline}:{account_index}:{api_key_index}:{sig}"`` made by the SDK's native signer
  (``CreateAuthToken``, at most 8 h: :meth:`LighterSigner.create_auth_token`); a fresh
  one is made for each (re)connect, so an expired token never outlives a connection
  by more than its own lifetime.
- frames ``{"channel":"account_all_orders:{ACCOUNT_ID}","orders":{"{MARKET_INDEX}":
  [Order]},"type":"update/account_all_orders"}`` (``subscribed/account_all_orders`` for
  the first, the snapshot). ``Order`` is the REST ``Order`` of the OpenAPI spec
  (lighter-python ``openapi.json``, Apache-2.0): ``client_order_index``,
  ``order_index``, ``initial_base_amount``, ``filled_base_amount``,
  ``filled_quote_amount``, ``status`` (``open``, ``filled``, ``in-progress``,
  ``pending``, ``canceled-*``), read with the REST parser's status rule.
- heartbeat ``{"type":"ping"}`` (silent connections are closed after two minutes); a
  server ``ping`` is answered with ``{"type":"pong"}``.

Our orders carry ``client_order_index`` (:func:`adapters.lighter.client.client_order_index`
of our client id, a hash): updates keep it as their client id, and the order book finds
them through ``book.alias``. Update times are the receive time (the order's own
``updated_at`` unit differs between the spec's example and the REST answers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    int_field,
    obj,
    opt_dec,
    str_field,
)
from adapters.lighter.parsers import _order_status
from adapters.lighter.ws import DEFAULT_WS_URL
from adapters.streams.types import Decoded
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order_update import OrderUpdate

CHANNEL = "account_all_orders"

AuthToken = Callable[[], str]


def _update(venue: str, row: Mapping[str, Any], path: str, received_at: datetime) -> OrderUpdate:
    filled = opt_dec(row, "filled_base_amount", path) or Decimal(0)
    quote = opt_dec(row, "filled_quote_amount", path)
    return OrderUpdate(
        exchange=ExchangeIdentifier(venue),
        client_order_id=str(int_field(row, "client_order_index", path)),
        status=_order_status(str_field(row, "status", path), filled),
        filled_size=filled,
        at=received_at,
        average_price=quote / filled if quote is not None and filled > 0 else None,
        venue_order_id=str(int_field(row, "order_index", path)),
        size=dec_field(row, "initial_base_amount", path),
    )


def decode_account_orders_frame(venue: str, message: object, received_at: datetime) -> Decoded:
    """One frame of the account stream -> what it meant (never raises)."""
    try:
        body = obj(message)
        kind = body.get("type")
        if kind == "ping":
            return Decoded(reply={"type": "pong"})
        if kind == "error" or ("code" in body and "message" in body and "orders" not in body):
            return Decoded(error=f"{body.get('code')}: {body.get('message')}"[:200])
        if kind not in (f"update/{CHANNEL}", f"subscribed/{CHANNEL}"):
            return Decoded()
        orders = obj(body.get("orders") or {}, "$.orders")
        updates = tuple(
            _update(
                venue, obj(row, f"$.orders.{market}[{i}]"), f"$.orders.{market}[{i}]", received_at
            )
            for market, rows in orders.items()
            for i, row in enumerate(arr(rows, f"$.orders.{market}"))
        )
        return Decoded(orders=updates, subscribed=kind.startswith("subscribed/"))
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])


@attrs.frozen
class LighterAccountOrdersWire:
    """``account_all_orders/{account_index}`` with a fresh auth token per subscription."""

    account_index: int
    auth_token: AuthToken = attrs.field(repr=False)
    venue: str = "lighter"
    url: str = DEFAULT_WS_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return [
            {
                "type": "subscribe",
                "channel": f"{CHANNEL}/{self.account_index}",
                "auth": self.auth_token(),
            }
        ]

    def heartbeat(self) -> object | None:
        return {"type": "ping"}

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_account_orders_frame(self.venue, message, received_at)
