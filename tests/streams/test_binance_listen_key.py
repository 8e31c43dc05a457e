"""Binance's listen key kept alive (Binance docs "User Data Streams": ``PUT
/fapi/v1/listenKey`` extends a key by 60 min; ``listenKeyExpired`` announces an expired
one; ``-1125`` "This listenKey does not exist."): a keep-alive well inside the hour on a
fake clock, a new key and a new connection after expiry or a failed keep-alive, and
in-flight legs settled by lookups while there is no stream. Order of events is asserted,
never durations."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import attrs
import httpx
import pytest
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from adapters.binance.user_data_session import UserDataSession
from adapters.streams.types import OrdersPushed, StreamEvent
from atomic_fp.orchestration import ExecutionPolicy, ExecutionStatus
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from tests.shell.helpers import hedge, orchestrator, paper
from tests.streams.local_ws import LocalWs, local_ws
from tests.streams.test_stream_feed import until
from tests.streams.venues import now_ms_value

pytestmark = pytest.mark.anyio

API_KEY = "bn-api-key"


@attrs.define
class ListenKeyRest:
    """``/fapi/v1/listenKey`` as Binance answers it; ``calls`` in order."""

    calls: list[str] = attrs.field(factory=list)
    keys: int = 0
    fail_post: bool = False
    fail_put: bool = False


class BaseHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None

    def answer(self, method: str) -> None:
        raise NotImplementedError

    def reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.answer("POST")

    def do_PUT(self) -> None:
        self.answer("PUT")


@contextmanager
def listen_key_rest() -> Iterator[tuple[str, ListenKeyRest]]:
    state = ListenKeyRest()

    class Handler(BaseHandler):
        def answer(self, method: str) -> None:
            assert self.path == "/fapi/v1/listenKey"
            assert self.headers.get("X-MBX-APIKEY") == API_KEY
            state.calls.append(method)
            if method == "POST":
                if state.fail_post:
                    self.reply(503, {"code": -1001, "msg": "Internal error"})
                    return
                state.keys += 1
                self.reply(200, {"listenKey": f"key-{state.keys}"})
            elif state.fail_put:
                self.reply(400, {"code": -1125, "msg": "This listenKey does not exist."})
            else:
                self.reply(200, {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


@attrs.define
class FakeSleep:
    """A sleep that returns only when the test ticks: the clock moves when the test says."""

    asked: list[float] = attrs.field(factory=list)
    _send: MemoryObjectSendStream[None] | None = None
    _receive: MemoryObjectReceiveStream[None] | None = None

    def __attrs_post_init__(self) -> None:
        self._send, self._receive = anyio.create_memory_object_stream[None](math.inf)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        assert self._receive is not None
        await self._receive.receive()

    def tick(self) -> None:
        assert self._send is not None
        self._send.send_nowait(None)


def _session(
    rest_url: str, ws: LocalWs, sleep: FakeSleep, listener: Any = lambda event: None
) -> UserDataSession:
    return UserDataSession(
        http=httpx.AsyncClient(timeout=5),
        rest_url=rest_url,
        api_key=API_KEY,
        listener=listener,
        venue="bn",
        stream_base=ws.url,
        sleep=sleep,
        feed_options={"backoff_initial": 0.01, "backoff_max": 0.05},
    )


def _connected_keys(ws: LocalWs) -> list[str]:
    return [path.split("listenKey=")[1].split("&")[0] for path in ws.request_paths]


async def test_keep_alive_every_half_hour_and_a_new_key_after_listen_key_expired() -> None:
    sleep = FakeSleep()
    with listen_key_rest() as (rest_url, rest), local_ws(lambda m: [], path="/private/ws") as ws:
        session = _session(rest_url, ws, sleep)
        async with anyio.create_task_group() as group:
            group.start_soon(session.run)
            await until(lambda: ws.open_connections() == 1 and len(sleep.asked) == 1)
            assert _connected_keys(ws) == ["key-1"] and rest.calls == ["POST"]
            sleep.tick()  # 30 min later
            await until(lambda: rest.calls == ["POST", "PUT"] and len(sleep.asked) == 2)
            sleep.tick()  # an hour after the key was made: kept alive twice
            await until(lambda: rest.calls == ["POST", "PUT", "PUT"] and len(sleep.asked) == 3)
            ws.push({"e": "listenKeyExpired", "E": now_ms_value(), "listenKey": "key-1"})
            await until(lambda: _connected_keys(ws) == ["key-1", "key-2"])
            await until(lambda: ws.open_connections() == 1)
            group.cancel_scope.cancel()
        await session.http.aclose()
    assert all(seconds < 3600 for seconds in sleep.asked)  # inside the documented hour
    assert sleep.asked[:3] == [1800.0, 1800.0, 1800.0]
    assert rest.calls == ["POST", "PUT", "PUT", "POST"]
    assert session.events == ["key", "keep-alive", "keep-alive", "expired", "key"]


async def test_a_failed_keep_alive_reconnects_with_a_new_key() -> None:
    sleep = FakeSleep()
    with listen_key_rest() as (rest_url, rest), local_ws(lambda m: [], path="/private/ws") as ws:
        session = _session(rest_url, ws, sleep)
        async with anyio.create_task_group() as group:
            group.start_soon(session.run)
            await until(lambda: ws.open_connections() == 1 and len(sleep.asked) == 1)
            rest.fail_put = True  # -1125: the key is gone
            sleep.tick()
            await until(lambda: _connected_keys(ws) == ["key-1", "key-2"])
            await until(lambda: ws.open_connections() == 1)  # the old connection is closed
            group.cancel_scope.cancel()
        await session.http.aclose()
    assert rest.calls == ["POST", "PUT", "POST"]
    assert session.events == ["key", "keep-alive failed", "key"]


async def test_without_a_key_in_flight_legs_are_settled_by_lookups() -> None:
    """The listen key cannot be had (REST 503): no stream, a retry later, and an
    ambiguous leg meanwhile is settled by its lookup by client id (the safety net)."""
    sleep = FakeSleep()
    a, b = paper("a"), paper("b")
    orch = orchestrator([a, b], policy=ExecutionPolicy(lookup_delay=0.05, order_timeout=2.0))
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    book = OrderUpdateBook()
    orch.order_updates = book
    warnings: list[str] = []

    def listen(event: StreamEvent) -> None:
        if isinstance(event, OrdersPushed):
            for update in event.orders:
                book.push(update)

    with listen_key_rest() as (rest_url, rest), local_ws(lambda m: [], path="/private/ws") as ws:
        rest.fail_post = True
        session = _session(rest_url, ws, sleep, listen)
        session.on_no_key = warnings.append
        async with anyio.create_task_group() as group:
            group.start_soon(session.run)
            await until(lambda: sleep.asked == [60.0])  # waiting to retry
            b.faults.timeout_after_fill_next = 1
            report = await orch.execute_signal(hedge())
            rest.fail_post = False
            sleep.tick()  # the retry gets a key and connects
            await until(lambda: ws.open_connections() == 1)
            group.cancel_scope.cancel()
        await session.http.aclose()
    assert report.status is ExecutionStatus.COMPLETE
    assert b.calls["order"] == 1  # settled by the lookup, not by a push
    assert session.events[:2] == ["no key", "key"]
    assert warnings and "orders are settled by lookups" in warnings[0]
    assert _connected_keys(ws) == ["key-1"]
