"""Order updates pushed by account streams, waited on by executions.

An account stream (Binance user data ``ORDER_TRADE_UPDATE``, Hyperliquid ``orderUpdates``,
GRVT ``v1.order``, Lighter account orders) pushes each order's state as it changes; the
stream adapter turns frames into :class:`OrderUpdate` values and calls
:meth:`OrderUpdateBook.push`. An execution whose order is ambiguous (a timeout, a 5xx)
waits on the book during the delay it would otherwise sleep before its first lookup by
client id: a terminal update that arrives first settles the leg at once, and the lookups
remain the safety net when no stream speaks (no stream, a dropped connection, a venue that
never pushed). Updates are matched by venue and client order id only, and only terminal
ones settle anything: an ``OPEN`` push says nothing about the final fill.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio
import attrs

from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order_update import OrderUpdate


@attrs.define
class OrderUpdateBook:
    """The latest pushed update per (venue, client order id), with waiters."""

    _latest: dict[tuple[ExchangeIdentifier, str], OrderUpdate] = attrs.field(factory=dict)
    _aliases: dict[ExchangeIdentifier, Callable[[str], str]] = attrs.field(factory=dict)
    _changed: anyio.Event = attrs.field(factory=anyio.Event)
    pushes: int = 0

    def push(self, update: OrderUpdate) -> None:
        key = (update.exchange, update.client_order_id)
        held = self._latest.get(key)
        if held is not None and held.status.is_terminal and not update.status.is_terminal:
            return  # a late non-final push never undoes a final one
        self._latest[key] = update
        self.pushes += 1
        self._changed.set()
        self._changed = anyio.Event()

    def alias(self, exchange: ExchangeIdentifier, venue_id_of: Callable[[str], str]) -> None:
        """Also find an order under the id the venue derives from our client id (e.g.
        Hyperliquid's 128-bit ``cloid``, a hash): a stream that cannot map it back pushes
        updates under the venue's id."""
        self._aliases[exchange] = venue_id_of

    def latest(self, exchange: ExchangeIdentifier, client_order_id: str) -> OrderUpdate | None:
        found = self._latest.get((exchange, client_order_id))
        alias = self._aliases.get(exchange)
        if found is None and alias is not None:
            found = self._latest.get((exchange, alias(client_order_id)))
        return found

    async def wait_terminal(
        self, exchange: ExchangeIdentifier, client_order_id: str
    ) -> OrderUpdate:
        """The first terminal update of this order (at once if it already came)."""
        while True:
            update = self.latest(exchange, client_order_id)
            if update is not None and update.status.is_terminal:
                return update
            await self._changed.wait()
