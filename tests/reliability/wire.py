"""A fault-injecting Binance USDⓈ-M server on 127.0.0.1, for the wire fault matrix.

The venue logic (signature and recvWindow checks, order book, fills, positions, order
lookup by client id) is the Binance adapter tests' :class:`FakeBinance`; this module only
adds an HTTP front that can misbehave on the next ``POST /fapi/v1/order`` the way a real
venue or network does, and a server that can be stopped and restarted on the same port
(a venue going down and coming back):

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

import json
import threading
import time
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance.fake_server import FakeBinance

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
        self._partial = False

    def take_fault(self) -> str | None:
        if self.faults:
            return self.faults.pop(0)
        return self.repeat_fault

    def signed(self, method: str, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == ORDER_PATH and method == "POST":
            self.posted[q.get("newClientOrderId", "")] += 1
        return super().signed(method, path, q)

    def _fill(self, order: dict[str, Any]) -> None:
        if not self._partial:
            super()._fill(order)
            return
        half = (Decimal(order["origQty"]) / 2).quantize(Decimal("0.001"))
        buy = order["side"] == "BUY"
        price = (self.asks if buy else self.bids)[0][0]
        order.update(status="EXPIRED", executedQty=str(half), avgPrice=price)
        order["cumQuote"] = str(half * Decimal(price))
        signed = half if buy else -half
        self.positions[order["symbol"]] = self.positions.get(order["symbol"], Decimal(0)) + signed

    def process(
        self, method: str, path: str, raw_query: str, headers: Any, fault: str | None
    ) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((method, path, raw_query))
            query = dict(parse_qsl(raw_query, keep_blank_values=True))
            if "signature=" not in raw_query:
                return self.public(path, query)
            rejected = self.verify(raw_query, headers)
            if rejected is not None:
                return rejected
            self._partial = fault == "partial"
            try:
                return self.signed(method, path, query)
            finally:
                self._partial = False


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


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting
            pass

    def _handle(self, method: str) -> None:
        owner = self.server.owner
        fake = owner.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        fault: str | None = None
        if method == "POST" and parts.path == ORDER_PATH:
            with fake.lock:
                fault = fake.take_fault()
        if fault == "reject":
            self._send(400, {"code": -2019, "msg": "Margin is insufficient."})
            return
        if fault == "rate_limited":
            self._send(429, {"code": -1003, "msg": "Too many requests."}, {"Retry-After": "0"})
            return
        if fault == "hang":
            time.sleep(fake.hang_seconds)
            self.close_connection = True
            return
        if fault == "down_at_order":
            owner.stop_soon()
            self.close_connection = True
            return
        status, body = fake.process(method, parts.path, parts.query, self.headers, fault)
        if fault == "ambiguous_503":
            self._send(503, {"code": -1000, "msg": "Unknown error, please check your request."})
            return
        if fault == "late_answer":
            time.sleep(fake.hang_seconds)
        if fault == "down_after_fill":
            owner.stop_soon()
            self.close_connection = True
            return
        self._send(status, body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FaultServer


class FaultServer:
    """Serves a :class:`FaultyBinance` on 127.0.0.1; can go down and come back on the same
    port (connections are then refused, as for a venue that is down)."""

    def __init__(self, fake: FaultyBinance) -> None:
        self.fake = fake
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping: threading.Thread | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._stopping is not None:
            self._stopping.join(5)
            self._stopping = None
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.owner = self
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def stop_soon(self) -> None:
        """Stop from inside a request handler (not on the serving thread)."""
        self._stopping = threading.Thread(target=self.stop, daemon=True)
        self._stopping.start()
        self._stopping.join(5)
