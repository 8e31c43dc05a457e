"""A fault-injecting Hyperliquid on 127.0.0.1, for the mixed-venue wire fault matrix.

The venue logic (signature recovery like the venue, nonces, book matching, IOC partial
fills, orders by cloid, positions) is the Hyperliquid adapter tests' ``FakeHyperliquid``;
this subclass only misbehaves on the next order action sent to ``/exchange``:

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

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from adapters.hyperliquid.signing import cloid_for
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid._venue import FakeHyperliquid

COIN = "BTC"


class FaultyHyperliquid(FakeHyperliquid):
    def __init__(self) -> None:
        super().__init__(mainnet=True)
        self.faults: list[str] = []
        self.repeat_fault: str | None = None
        self.hang_seconds = 1.0
        self.posted: Counter[str] = Counter()

    def _take_fault(self, body: dict[str, Any]) -> str | None:
        action = body.get("action")
        if not isinstance(action, dict) or action.get("type") != "order":
            return None
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
            return self.repeat_fault

    def _order(self, wire: dict[str, Any]) -> Any:
        self.posted[str(wire.get("c"))] += 1
        return super()._order(wire)

    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        fault = self._take_fault(body) if path == "/exchange" else None
        if fault == "reject":
            error = {"error": "Insufficient margin to place order. asset=0"}
            data = {"statuses": [error for _ in body["action"]["orders"]]}
            return 200, {"status": "ok", "response": {"type": "order", "data": data}}
        if fault == "rate_limited":
            return 429, None
        if fault == "hang":
            time.sleep(self.hang_seconds)
            return 200, {"status": "err", "response": "request expired"}
        if fault == "partial":
            with self.lock:
                saved = self.books[COIN]
                self.books[COIN] = [
                    [dict(level, sz=str(Decimal(level["sz"]) / 1000)) for level in side]
                    for side in saved
                ]
            try:
                return super().handle(path, body)
            finally:
                with self.lock:
                    self.books[COIN] = saved
        answer = super().handle(path, body)
        if fault == "ambiguous_503":
            return 503, "Service Unavailable"
        if fault == "late_answer":
            time.sleep(self.hang_seconds)
        return answer


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
