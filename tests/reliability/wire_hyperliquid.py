"""A fault-injecting Hyperliquid on 127.0.0.1, for the mixed-venue wire fault matrix.

The venue logic (signature recovery like the venue, nonces, book matching, IOC partial
fills, orders by cloid, positions) is the Hyperliquid adapter tests' ``FakeHyperliquid``
on the fake-venue harness; this subclass only misbehaves on the next order action sent to
``/exchange``, through the harness's ``before``/``after`` hooks:

====================  ===============================================================
``reject``            ``{"status": "ok", ... "statuses": [{"error": "Insufficient
                      margin ..."}]}`` (not acted on)
``rate_limited``      HTTP 429 (not acted on)
``hang``              never acted on; an answer comes only after the client gave up
``ambiguous_503``     acted on, then HTTP 503
``late_answer``       acted on; the answer comes after the client gave up
``partial``           acted on against a book holding only half the order's size
====================  ===============================================================

Orders are keyed by *cloid* at the venue; :class:`HyperliquidView` maps them back to our
client order ids (an order whose cloid maps to no id we know shows under its cloid, so a
stray fill is still visible to the invariants).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from adapters.hyperliquid.signing import cloid_for
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid.fake_venue import FakeHyperliquid
from tests.harness import Reply, Request

COIN = "BTC"


class FaultyHyperliquid(FakeHyperliquid):
    def __init__(self) -> None:
        super().__init__(mainnet=True)
        self.faults: list[str] = []
        self.repeat_fault: str | None = None
        self.hang_seconds = 1.0
        self.posted: Counter[str] = Counter()
        self._current = threading.local()
        """The fault of the request this handler thread is serving."""

    def _take_fault(self, request: Request) -> str | None:
        if request.path != "/exchange":
            return None
        try:
            action = request.json().get("action")
        except (ValueError, AttributeError):
            return None
        if not isinstance(action, dict) or action.get("type") != "order":
            return None
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
            return self.repeat_fault

    def _order(self, wire: dict[str, Any]) -> Any:
        self.posted[str(wire.get("c"))] += 1
        return super()._order(wire)

    def before(self, request: Request) -> Reply | None:
        fault = self._take_fault(request)
        self._current.fault = fault
        if fault == "reject":
            error = {"error": "Insufficient margin to place order. asset=0"}
            data = {"statuses": [error for _ in request.json()["action"]["orders"]]}
            return Reply(200, {"status": "ok", "response": {"type": "order", "data": data}})
        if fault == "rate_limited":
            return Reply(429, None)
        if fault == "hang":
            return Reply(
                200, {"status": "err", "response": "request expired"}, delay=self.hang_seconds
            )
        return None

    def handle(self, request: Request) -> Reply:
        if getattr(self._current, "fault", None) != "partial":
            return super().handle(request)
        saved = self.books[COIN]
        self.books[COIN] = [
            [dict(level, sz=str(Decimal(level["sz"]) / 1000)) for level in side] for side in saved
        ]
        try:
            return super().handle(request)
        finally:
            self.books[COIN] = saved

    def after(self, request: Request, reply: Reply) -> Reply:
        fault, self._current.fault = getattr(self._current, "fault", None), None
        if fault == "ambiguous_503":
            return Reply(503, "Service Unavailable")
        if fault == "late_answer":
            return Reply(reply.status, reply.body, reply.headers, delay=self.hang_seconds)
        return reply


class HyperliquidView:
    """The fake venue's own state, keyed by our client order ids where known."""

    def __init__(
        self, fake: FaultyHyperliquid, exchange: ExchangeIdentifier, cids: Iterable[str]
    ) -> None:
        self.fake = fake
        self._exchange = exchange
        self._cid_of = {cloid_for(cid): cid for cid in cids}

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    def position_base(self) -> Decimal:
        with self.fake.lock:
            return self.fake.positions.get(COIN, (Decimal(0), Decimal(0)))[0]

    def filled_by_cid(self) -> Mapping[str, Decimal]:
        with self.fake.lock:
            filled = {}
            for cloid, entry in self.fake.orders.items():
                order = entry["order"]
                size = Decimal(order["origSz"])
                left = Decimal(0) if entry["status"] == "filled" else Decimal(order["sz"])
                filled[self._cid_of.get(cloid, cloid)] = size - left
            return filled

    def accepted_counts(self) -> Mapping[str, int]:
        with self.fake.lock:
            return {self._cid_of.get(c, c): n for c, n in self.fake.posted.items()}
