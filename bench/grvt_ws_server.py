"""GRVT's market-data websocket on 127.0.0.1, for the benchmarks and tests (ws or wss).

Speaks the documented JSON-RPC of ``v1.ticker.s`` (GRVT api-spec
``artifacts/apidocs/market_data_streams.md`` "Ticker Snap", ``src/codegen/apispec.json``
WSResponseV1): a ``subscribe`` naming selectors ``<instrument>@<ms>`` is answered with
``{"jsonrpc":"2.0","result":{"stream","subs","unsubs":[],"num_snapshots",
"first_sequence_number"},"id":..,"method":"subscribe"}``, then one snapshot feed
(``sequence_number`` ``"0"``) per known instrument; an unknown instrument is left out of
``subs`` (no snapshot promised). Like the venue, it keeps publishing: every ``period``
seconds each subscribed selector gets another feed until it is unsubscribed, so a client
that keeps the connection finds frames of its earlier subscription waiting.

Every received message is logged with the connection's number and a ``perf_counter`` time
(:attr:`GrvtTickerServer.log`), so tests count connections and subscribes by event order.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

STREAM = "v1.ticker.s"


class GrvtTickerServer:
    """Serves ``feeds`` (instrument -> a ``v1.ticker.s`` frame) over a websocket."""

    def __init__(
        self,
        feeds: Mapping[str, Mapping[str, Any]],
        tls: ssl.SSLContext | None = None,
        period: float = 0.05,
        refuse: bool = False,
        keep_publishing: bool = False,
        stale_rate: str | None = None,
    ) -> None:
        self.feeds = dict(feeds)
        # Each snapshot feed encoded once, as the HTTP fakes encode each answer once: the
        # JSON encoding of ~80 feeds per subscribe is the harness's CPU, not the venue's,
        # and on a shared machine it delayed GRVT's answer. What goes on the wire is the
        # same: one websocket message (its own TLS record) per instrument.
        self._encoded = {name: json.dumps(feed) for name, feed in self.feeds.items()}
        self.tls = tls
        self.period = period
        self.refuse = refuse
        self.keep_publishing = keep_publishing
        """Ignore ``unsubscribe`` (an awkward venue: frames keep coming between reads)."""
        self.stale_rate = stale_rate
        """The ``funding_rate`` of the periodic feeds (to tell them from the snapshots)."""
        self.connected_at: list[float] = []
        self.log: list[tuple[int, float, dict[str, Any]]] = []
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),))
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}/ws/full"

    def start(self) -> None:
        self._thread.daemon = True
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("GRVT websocket server did not start")

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def subscribes(self) -> list[tuple[int, float, dict[str, Any]]]:
        return [entry for entry in self.log if entry[2].get("method") == "subscribe"]

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with serve(self._handle, "127.0.0.1", 0, ssl=self.tls, ping_interval=None) as srv:
            self.port = int(next(iter(srv.sockets)).getsockname()[1])
            self._ready.set()
            await self._stop.wait()

    async def _handle(self, connection: ServerConnection) -> None:
        self.connections += 1
        self.connected_at.append(time.perf_counter())
        number = self.connections
        subscribed: set[str] = set()
        publisher = asyncio.create_task(self._publish(connection, subscribed))
        try:
            async for raw in connection:
                message = json.loads(raw)
                self.log.append((number, time.perf_counter(), message))
                await self._answer(connection, message, subscribed)
        except Exception:  # the client went away
            pass
        finally:
            publisher.cancel()

    async def _answer(
        self, connection: ServerConnection, message: dict[str, Any], subscribed: set[str]
    ) -> None:
        selectors = [str(s) for s in message.get("params", {}).get("selectors", [])]
        names = [s.split("@", 1)[0] for s in selectors]
        if self.refuse:
            error = {"code": 1004, "message": "Data Feed not found", "status": 404}
            await connection.send(json.dumps({"jsonrpc": "2.0", "error": error, "id": 0}))
            return
        if message.get("method") == "unsubscribe":
            if not self.keep_publishing:
                subscribed.difference_update(names)
            result: dict[str, Any] = {"stream": STREAM, "unsubs": selectors}
            await connection.send(json.dumps({"result": result, "id": message.get("id")}))
            return
        known = [s for s, n in zip(selectors, names, strict=True) if n in self.feeds]
        result = {  # the documented WSResponseV1 fields
            "stream": STREAM,
            "subs": known,
            "unsubs": [],
            "num_snapshots": [1] * len(known),
            "first_sequence_number": [0] * len(known),
        }
        answer = {"jsonrpc": "2.0", "result": result, "id": message.get("id")}
        await connection.send(json.dumps({**answer, "method": "subscribe"}))
        # The snapshot in one burst, as a venue's server writes it: every feed its own
        # message and its own write (so its own TLS record), without a flow-control wait
        # between messages. One ``send_context`` for the burst (websockets' documented way
        # to write through its protocol: on exit it checks the connection and drains);
        # per-message ``send`` spent ~25 us of the harness's Python each, under the GIL it
        # shares with the other fakes and the proxies, so GRVT's 80 messages trickled out
        # over 2-4 ms of the harness's time.
        names = [selector.split("@", 1)[0] for selector in known]
        async with connection.send_context():
            for name in names:
                connection.protocol.send_text(self._encoded[name].encode())
                connection.send_data()  # this message's own write
        subscribed.update(names)

    async def _publish(self, connection: ServerConnection, subscribed: set[str]) -> None:
        sequence = 0
        while True:
            await asyncio.sleep(self.period)
            sequence += 1
            for name in sorted(subscribed):
                frame = {**self.feeds[name], "sequence_number": str(sequence)}
                if self.stale_rate is not None:
                    frame["feed"] = {**frame["feed"], "funding_rate": self.stale_rate}
                await connection.send(json.dumps(frame))


@contextmanager
def grvt_ticker_server(
    feeds: Mapping[str, Mapping[str, Any]], tls: ssl.SSLContext | None = None, **options: Any
) -> Iterator[GrvtTickerServer]:
    server = GrvtTickerServer(feeds, tls, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["GrvtTickerServer", "grvt_ticker_server"]
