"""A fault-injecting Binance USDⓈ-M server on 127.0.0.1, for the wire fault matrix.

The venue logic (signature and recvWindow checks, order book, fills, positions, order
lookup by client id) is the Binance adapter tests' :class:`FakeBinance`, served by the
fake-venue harness (:class:`tests.harness.FakeServer`, which can be stopped and restarted
on the same port: a venue going down and coming back); this module only makes the next
``POST /fapi/v1/order`` misbehave the way a real venue or network does, through the
harness's ``before``/``after`` hooks:

=====================  ===========================================================
``reject``             HTTP 400 ``-2019 Margin is insufficient.`` (not acted on)
``rate_limited``       HTTP 429 ``-1003`` with ``Retry-After: 0`` (not acted on)
``hang``               never processed; the connection is held past the client's
                       timeout, then closed (a request lost on the way)
``ambiguous_503``      acted on, then HTTP 503 (Binance: "execution status unknown")
``late_answer``        acted on; the answer comes after the client gave up
``partial``            acted on; the IOC fills half its size (``EXPIRED``, partial qty)
``down_at_order``      the venue goes down as the order arrives (not acted on)
``down_after_fill``    acted on, then the venue goes down before answering
=====================  ===========================================================

``FaultyBinance.posted`` counts the verified order placements per client id that reached
the venue's matching logic, so a re-sent id is visible even though the venue would
refuse it as a duplicate.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance.fake_venue import FakeBinance
from tests.harness import FakeServer, Reply, Request

ORDER_PATH = "/fapi/v1/order"
VENUE_SYMBOL = "BTCUSDT"


class FaultyBinance(FakeBinance):
    def __init__(self, api_key: str, api_secret: str) -> None:
        super().__init__(api_key, api_secret)
        self.faults: list[str] = []
        """Faults for the next order placements, in order (one each)."""
        self.repeat_fault: str | None = None
        """A fault for every order placement (after ``faults`` is used up)."""
        self.hang_seconds = 1.0
        self.posted: Counter[str] = Counter()
        self._current = threading.local()
        """The fault of the request this handler thread is serving."""

    def take_fault(self) -> str | None:
        if self.faults:
            return self.faults.pop(0)
        return self.repeat_fault

    def signed(self, method: str, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == ORDER_PATH and method == "POST":
            self.posted[q.get("newClientOrderId", "")] += 1
        return super().signed(method, path, q)

    def _fill(self, order: dict[str, Any]) -> None:
        if getattr(self._current, "fault", None) != "partial":
            super()._fill(order)
            return
        half = (Decimal(order["origQty"]) / 2).quantize(Decimal("0.001"))
        buy = order["side"] == "BUY"
        price = (self.asks if buy else self.bids)[0][0]
        order.update(status="EXPIRED", executedQty=str(half), avgPrice=price)
        order["cumQuote"] = str(half * Decimal(price))
        signed = half if buy else -half
        self.positions[order["symbol"]] = self.positions.get(order["symbol"], Decimal(0)) + signed

    def before(self, request: Request) -> Reply | None:
        fault: str | None = None
        if request.method == "POST" and request.path == ORDER_PATH:
            with self.lock:
                fault = self.take_fault()
        self._current.fault = fault
        if fault == "reject":
            return Reply(400, {"code": -2019, "msg": "Margin is insufficient."})
        if fault == "rate_limited":
            return Reply(429, {"code": -1003, "msg": "Too many requests."}, {"Retry-After": "0"})
        if fault == "hang":
            return Reply(close=True, delay=self.hang_seconds)
        if fault == "down_at_order":
            return Reply(stop_server=True)
        return None

    def after(self, request: Request, reply: Reply) -> Reply:
        fault, self._current.fault = getattr(self._current, "fault", None), None
        if fault == "ambiguous_503":
            return Reply(503, {"code": -1000, "msg": "Unknown error, please check your request."})
        if fault == "late_answer":
            return Reply(reply.status, reply.body, reply.headers, delay=self.hang_seconds)
        if fault == "down_after_fill":
            return Reply(stop_server=True)
        return reply


FaultServer = FakeServer[FaultyBinance]
"""Serves a :class:`FaultyBinance` on 127.0.0.1 (the harness's server)."""


class BinanceView:
    """The fake venue's own state, for the invariants."""

    def __init__(self, fake: FaultyBinance, exchange: ExchangeIdentifier) -> None:
        self.fake = fake
        self._exchange = exchange

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    def position_base(self) -> Decimal:
        with self.fake.lock:
            return self.fake.positions.get(VENUE_SYMBOL, Decimal(0))

    def filled_by_cid(self) -> Mapping[str, Decimal]:
        with self.fake.lock:
            return {cid: Decimal(o["executedQty"]) for cid, o in self.fake.orders.items()}

    def accepted_counts(self) -> Mapping[str, int]:
        with self.fake.lock:
            return dict(self.fake.posted)
