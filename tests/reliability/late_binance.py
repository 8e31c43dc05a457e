"""A Binance USDⓈ-M venue that executes orders *late*, in its own process (issue 13).

Binance documents HTTP 503 and ``-1007`` ("Timeout waiting for response from backend
server. Send status unknown; execution status unknown") as an order that *may still
execute*; and a request held past the client's timeout may still execute inside its
``recvWindow``. This venue does exactly that, so drills meet the normal case of a busy
day rather than a venue that answers at once:

=============  ==================================================================
``unknown``    answers HTTP 503 ``-1007`` at once; executes ``delay`` s after arrival
``hold``       holds the connection ``hold_seconds`` (past the client's timeout),
               then closes it; executes ``delay`` s after arrival
=============  ==================================================================

The arrival check is Binance's (``timestamp`` + ``recvWindow``, else ``-1021``, not acted
on); a late execution happens only if it still falls inside that window (else the order
expires unseen), which is the validity window atomic-fp relies on. Until it executes, a
lookup by client id answers ``-2013`` "Order does not exist." and the id counts as taken.

Run as a separate process (``python -m tests.reliability.late_binance PORT_FILE ...``), the
venue's state lives in that process and outlives a killed client. ``GET /_drill/state``
shows orders, positions and per-id placements; ``POST /_drill/config?...`` changes the
faults (``probability``, ``modes``, ``delay``, ``hold``, ``rate``). Both are test-only.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tests.harness import FakeServer, Reply, Request
from tests.reliability.wire import ORDER_PATH, VENUE_SYMBOL, FaultyBinance

KEY = "late-venue-key-" + "k" * 49
SECRET = "late-venue-secret-" + "s" * 46


class LateBinance(FaultyBinance):
    """:class:`FaultyBinance` plus late execution (see the module docstring)."""

    def __init__(self, api_key: str, api_secret: str, seed: int = 0) -> None:
        super().__init__(api_key, api_secret)
        self.rng = random.Random(seed)
        self.late_probability = 0.0
        self.late_modes: tuple[str, ...] = ("unknown", "hold")
        self.late_delay = (0.5, 3.0)
        self.hold_seconds = 4.0
        self.funding_rate: str | None = None
        self.pending: dict[str, dict[str, Any]] = {}
        self.expired_unseen: list[str] = []
        self.late_executed: list[str] = []

    # ------------------------------------------------------------------ faults

    def draw(self) -> tuple[str, float] | None:
        """The late mode and delay for the next order placement, or ``None``."""
        with self.lock:
            if self.late_probability <= 0 or self.rng.random() >= self.late_probability:
                return None
            mode = self.rng.choice(self.late_modes)
            low, high = self.late_delay
            return mode, self.rng.uniform(low, high)

    def accept_late(
        self, raw_query: str, headers: Mapping[str, str], delay: float
    ) -> tuple[int, Any] | None:
        """Verify on arrival (``-1021`` etc. answered at once); then register the order to
        execute ``delay`` s later. ``None`` = registered (the venue acted)."""
        with self.lock:
            rejected = self.verify(raw_query, headers)
            if rejected is not None:
                return rejected
            query = dict(parse_qsl(raw_query.rpartition("&signature=")[0]))
            cid = query["newClientOrderId"]
            self.posted[cid] += 1
            if cid in self.orders or cid in self.pending:
                return self._error(400, -4116, "ClientOrderId is duplicated.")
            valid_until = int(query["timestamp"]) + int(query.get("recvWindow", "5000"))
            self.pending[cid] = query
        timer = threading.Timer(delay, self._execute, args=(cid, valid_until))
        timer.daemon = True
        timer.start()
        return None

    def _execute(self, cid: str, valid_until_ms: int) -> None:
        with self.lock:
            query = self.pending.pop(cid, None)
            if query is None:
                return
            if self.now_ms() > valid_until_ms:
                self.expired_unseen.append(cid)
                return
            self.posted[cid] -= 1  # counted on arrival; FaultyBinance.signed counts it again
            status, _ = self.signed("POST", ORDER_PATH, query)
            if status == 200:
                self.late_executed.append(cid)

    def signed(self, method: str, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == ORDER_PATH and method == "POST" and q.get("newClientOrderId") in self.pending:
            self.posted[q["newClientOrderId"]] += 1
            return self._error(400, -4116, "ClientOrderId is duplicated.")
        return super().signed(method, path, q)

    def public(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        status, body = super().public(path, q)
        if path == "/fapi/v1/premiumIndex" and self.funding_rate is not None:
            for row in body:
                if row["symbol"] == VENUE_SYMBOL:
                    row["lastFundingRate"] = self.funding_rate
                    row["nextFundingTime"] = (self.now_ms() // 28_800_000 + 1) * 28_800_000
        return status, body

    # ------------------------------------------------------------------ drill API

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "position": str(self.positions.get(VENUE_SYMBOL, Decimal(0))),
                "filled": {cid: o["executedQty"] for cid, o in self.orders.items()},
                "posted": dict(self.posted),
                "pending": sorted(self.pending),
                "expired_unseen": list(self.expired_unseen),
                "late_executed": list(self.late_executed),
            }

    def configure(self, q: dict[str, str]) -> None:
        with self.lock:
            if "probability" in q:
                self.late_probability = float(q["probability"])
            if "modes" in q:
                self.late_modes = tuple(m for m in q["modes"].split(",") if m)
            if "delay" in q:
                low, _, high = q["delay"].partition(":")
                self.late_delay = (float(low), float(high or low))
            if "hold" in q:
                self.hold_seconds = float(q["hold"])
            if "rate" in q:
                self.funding_rate = q["rate"]

    # ------------------------------------------------------------------ harness hook

    def before(self, request: Request) -> Reply | None:
        """The drill API, and late execution of a drawn order placement; anything else
        goes to :class:`FaultyBinance`'s faults and the venue."""
        if request.path == "/_drill/state":
            return Reply(200, self.state())
        if request.path == "/_drill/config":
            self.configure(dict(parse_qsl(request.raw_query)))
            return Reply(200, self.state())
        signed = "signature=" in request.raw_query
        if request.method == "POST" and request.path == ORDER_PATH and signed:
            late = self.draw()
            if late is not None:
                mode, delay = late
                refused = self.accept_late(request.raw_query, request.headers, delay)
                if refused is not None:
                    return Reply(*refused)
                if mode == "hold":
                    return Reply(close=True, delay=self.hold_seconds)
                return Reply(
                    503,
                    {
                        "code": -1007,
                        "msg": "Timeout waiting for response from backend server. Send "
                        "status unknown; execution status unknown.",
                    },
                )
        return super().before(request)


def serve_forever(port_file: Path, seed: int) -> None:
    server = FakeServer(LateBinance(KEY, SECRET, seed))
    temporary = port_file.with_suffix(".tmp")
    temporary.write_text(str(server.port))
    temporary.replace(port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    server.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="late_binance")
    parser.add_argument("port_file", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    serve_forever(args.port_file, args.seed)


if __name__ == "__main__":
    main(sys.argv[1:])


__all__ = ["KEY", "SECRET", "LateBinance"]
