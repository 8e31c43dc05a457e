"""A pre-connect still under way when its connection is claimed (``adapters/connect_race.py``,
``adapters/prepared_connection.py``): the claim never waits for it with the request's
timeout; the client's own connect starts at once, and whichever is ready first is used
(the other closed), so a slow or stuck pre-connect is never slower, and never fails, where
a connect without one succeeds. Also: a cancelled claim leaves no thread that the
interpreter's exit waits on, and the thread's connect has one deadline for all addresses.

A :class:`~tests.adapters.gated_proxy.GatedProxy` holds chosen connections until the test
sets an event: every step is ordered by events and counted connections, never by time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
import trustme

from adapters import preconnect
from adapters.connect_race import first_of
from adapters.connect_within import connect_within
from adapters.preconnected_transport import PreconnectingTransport
from adapters.streams.connection import open_connection
from adapters.tls import shared_ssl_context
from bench.grvt_ws_server import GrvtTickerServer, grvt_ticker_server
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot
from tests.adapters.gated_proxy import GatedProxy
from tests.adapters.tls_server import TlsServer, server_context

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _forget_preconnections(forget_preconnections: None) -> None:
    """Every test here starts and ends with no pre-made connection (tests/adapters/conftest.py)."""


def _pre_connect(port: int, bundle: str, websocket: str | None = None) -> Any:
    target = preconnect.Target("127.0.0.1", port, bundle, 60.0, 1, websocket)
    assert preconnect.start([target], {}) == 1
    return preconnect._begun[0]


async def _get(url: str, context: Any) -> tuple[int, bytes]:
    async with httpx.AsyncClient(transport=PreconnectingTransport(context)) as client:
        response = await client.get(f"{url}/info")
        return response.status_code, response.content


def test_a_claim_while_the_pre_connect_is_stuck_is_answered_on_a_connect_of_its_own(
    server: TlsServer, bundle: str
) -> None:
    held = threading.Event()
    proxy = GatedProxy(server.port, {1: held})  # the pre-connect's handshake never goes on
    try:
        connection = _pre_connect(proxy.port, bundle)
        assert proxy.wait_for("accepted", 1)
        url = f"https://127.0.0.1:{proxy.port}"
        # httpx's default connect timeout is 5 s, the pre-connect's 60 s: waiting for it
        # (the defect) ends in ConnectTimeout; the race answers on connection 2
        assert anyio.run(_get, url, shared_ssl_context(bundle)) == (200, b"ok")
        assert not connection.finished()
        assert proxy.accepted == 2 and server.requests == 1
        held.set()  # the pre-connect completes now, unused: closed when its thread ends
        assert connection.ready(60) and connection.problem is None
        assert proxy.wait_for("ended", 1)
        assert server.requests == 1
    finally:
        held.set()
        proxy.stop()


def test_a_pre_connect_that_finishes_first_is_used_and_the_own_connect_closed(
    server: TlsServer, bundle: str
) -> None:
    first, second = threading.Event(), threading.Event()
    proxy = GatedProxy(server.port, {1: first, 2: second})
    context = shared_ssl_context(bundle)
    try:
        connection = _pre_connect(proxy.port, bundle)
        assert proxy.wait_for("accepted", 1)

        async def main() -> tuple[int, bytes]:
            transport = PreconnectingTransport(context)
            async with httpx.AsyncClient(transport=transport) as client:
                answers: list[tuple[int, bytes]] = []

                async def get() -> None:
                    response = await client.get(f"https://127.0.0.1:{proxy.port}/info")
                    answers.append((response.status_code, response.content))

                async with anyio.create_task_group() as group:
                    group.start_soon(get)
                    # the client's own connect has reached the proxy (and is held there)
                    assert await anyio.to_thread.run_sync(proxy.wait_for, "accepted", 2)
                    first.set()  # now the pre-connect's handshake completes first
                # answered while connection 2 was still held: over the pre-made one
                second.set()  # the own connect was closed unused: the proxy sees its end
                assert await anyio.to_thread.run_sync(proxy.wait_for, "ended", 2)
                assert 1 not in proxy.ended  # the pre-made one stays in the pool
            return answers[0]

        assert anyio.run(main) == (200, b"ok")
        assert connection.problem is None
        assert proxy.accepted == 2 and server.requests == 1
    finally:
        first.set()
        second.set()
        proxy.stop()


@pytest.fixture
def grvt(ca: trustme.CA) -> Iterator[GrvtTickerServer]:
    from adapters.snapshot import bundled_snapshot

    venue = realistic_snapshot(bundled_snapshot()).venue("grvt")
    assert venue is not None
    feeds = grvt_ticker_feeds(venue.exchanges)
    with grvt_ticker_server(feeds, tls=server_context(ca), period=3600) as running:
        yield running


def test_a_websocket_whose_pre_open_is_stuck_opens_one_of_its_own(
    grvt: GrvtTickerServer, bundle: str
) -> None:
    held = threading.Event()
    proxy = GatedProxy(grvt.port, {1: held})
    url = f"wss://127.0.0.1:{proxy.port}/ws/full"
    try:
        connection = _pre_connect(proxy.port, bundle, websocket=url)
        assert proxy.wait_for("accepted", 1)

        async def open_it() -> bool:
            # limit 5 s, the pre-open's 60 s: waiting for it (the defect) ends in TimeoutError
            opened = await open_connection(
                url, limit=5.0, max_frame=8 * 1024 * 1024, ssl_context=shared_ssl_context(bundle)
            )
            is_open = opened.open
            await opened.aclose()
            return is_open

        assert anyio.run(open_it)
        assert proxy.accepted == 2 and not connection.finished()
        held.set()
        assert connection.ready(60)
        assert proxy.wait_for("ended", 1)  # made after all, then closed unused
    finally:
        held.set()
        proxy.stop()


EXIT_SCRIPT = textwrap.dedent(
    """
    import socket, sys, threading
    import anyio, httpx
    from adapters import preconnect
    from adapters.preconnected_transport import PreconnectingTransport
    from adapters.tls import shared_ssl_context

    bundle = sys.argv[1]
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers a hello
    port = silent.getsockname()[1]
    preconnect.start([preconnect.Target("127.0.0.1", port, bundle, 120.0, 1)], {})

    async def main():
        transport = PreconnectingTransport(shared_ssl_context(bundle))
        async with httpx.AsyncClient(transport=transport, timeout=120.0) as client:
            async with anyio.create_task_group() as group:
                group.start_soon(client.get, f"https://127.0.0.1:{port}/")
                await anyio.wait_all_tasks_blocked()  # the claim is waiting
                group.cancel_scope.cancel()  # as Ctrl-C does

    anyio.run(main)
    main_thread = threading.main_thread()
    left = [t.name for t in threading.enumerate() if t is not main_thread and not t.daemon]
    print("LEFT", left, flush=True)
    """
)


def test_a_cancelled_claim_leaves_no_thread_the_exit_waits_for(bundle: str) -> None:
    """Before: the claim waited in an anyio worker thread (not a daemon) for the
    pre-connect, up to its timeout (120 s here); the process could not exit before."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, bundle],
        capture_output=True,
        text=True,
        timeout=100,  # a safety net only: the thread count below is the assertion
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "LEFT []" in done.stdout, done.stdout


class _FakeNetwork:
    """Two addresses: the first drops packets (its connect uses all the time it gets),
    the second answers. The clock moves only when a connect spends time."""

    def __init__(self) -> None:
        self.now = 100.0
        self.tried: list[tuple[str, float]] = []

    def clock(self) -> float:
        return self.now

    def resolve(self, host: str, port: int, *args: Any) -> list[Any]:
        stream = socket.SOCK_STREAM
        return [
            (socket.AF_INET6, stream, 6, "", ("::1", port, 0, 0)),
            (socket.AF_INET, stream, 6, "", ("127.0.0.1", port)),
        ]

    def connect(self, where: Any, timeout: float) -> socket.socket:
        address = where[3][0]
        self.tried.append((address, timeout))
        if address == "::1":
            self.now += min(timeout, 3.0)  # the SYN is never answered
            raise TimeoutError("timed out")
        return socket.socket()  # (closed by the test)


def test_each_address_gets_only_what_is_left_of_one_deadline() -> None:
    network = _FakeNetwork()
    sock = connect_within(
        "venue", 443, network.now + 5.0,
        clock=network.clock, resolve=network.resolve, connect=network.connect,
    )  # fmt: skip
    sock.close()
    # socket.create_connection would give the second address the whole 5 s again
    assert network.tried == [("::1", 5.0), ("127.0.0.1", 2.0)]


def test_no_address_is_tried_once_the_deadline_has_passed() -> None:
    network = _FakeNetwork()
    with pytest.raises(TimeoutError):
        connect_within(
            "venue", 443, network.now + 3.0,
            clock=network.clock, resolve=network.resolve, connect=network.connect,
        )  # fmt: skip
    assert network.tried == [("::1", 3.0)]


def test_the_thread_connects_through_connect_within(monkeypatch: pytest.MonkeyPatch) -> None:
    import adapters.prepared_connection as prepared

    seen: list[tuple[str, int, float]] = []

    def refuse(host: str, port: int, deadline: float, **timed: Any) -> socket.socket:
        seen.append((host, port, deadline))
        raise ConnectionRefusedError("refused")

    monkeypatch.setattr(prepared, "connect_within", refuse)
    connection = prepared.PreparedConnection("127.0.0.1", 9, None, 5.0)
    connection.start()
    assert connection.ready(60)
    assert [(h, p) for h, p, _ in seen] == [("127.0.0.1", 9)]
    assert connection.problem == "ConnectionRefusedError: refused"


# first_of, alone: its contract on values, errors and closing


class _Made:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False


async def _close(made: _Made) -> None:
    made.closed = True


def test_the_connect_s_error_is_reported_when_the_pre_made_one_is_unusable() -> None:
    async def normal() -> _Made:
        await anyio.lowlevel.checkpoint()
        raise httpx.ConnectError("refused")

    async def prepared() -> _Made | None:
        return None

    async def main() -> None:
        with pytest.raises(httpx.ConnectError, match="refused"):
            await first_of(normal, prepared, _close)

    anyio.run(main)


def test_the_connect_wins_when_the_pre_made_one_is_not_ready() -> None:
    never = anyio.Event()
    cancelled: list[bool] = []

    async def normal() -> _Made:
        return _Made("own")

    async def prepared() -> _Made | None:
        try:
            await never.wait()
        except BaseException:
            cancelled.append(True)
            raise
        return _Made("pre-made")

    async def main() -> _Made:
        return await first_of(normal, prepared, _close)

    assert anyio.run(main).name == "own"
    assert cancelled == [True]


def test_an_error_of_the_pre_made_side_leaves_the_decision_to_the_connect() -> None:
    async def normal() -> _Made:
        await anyio.lowlevel.checkpoint()
        return _Made("own")

    async def prepared() -> _Made | None:
        raise OSError("from_socket failed")

    async def main() -> _Made:
        return await first_of(normal, prepared, _close)

    assert anyio.run(main).name == "own"


def test_when_both_are_made_the_pre_made_one_is_kept_and_the_other_closed() -> None:
    own = _Made("own")

    async def normal() -> _Made:
        return own

    async def prepared() -> _Made | None:
        with anyio.CancelScope(shield=True):  # made all the same, after the connect
            for _ in range(5):
                await anyio.lowlevel.checkpoint()
        return _Made("pre-made")

    async def main() -> _Made:
        return await first_of(normal, prepared, _close)

    assert anyio.run(main).name == "pre-made"
    assert own.closed


def test_a_pre_connect_past_its_tcp_connect_is_given_its_round_trips_left_and_one_more() -> None:
    import adapters.prepared_connection as prepared

    http = prepared.PreparedConnection("venue", 443, None, 5.0)
    websocket = prepared.PreparedConnection("venue", 443, None, 5.0, "wss://venue/ws")
    for connection in (http, websocket):
        assert connection.hedge_delay(now=10.0) == 0.0  # TCP connect not ended: at once
    http._phase = (10.0, 0.3, 1)  # TLS from 10.0, after a 0.3 s TCP round trip
    assert http.hedge_delay(now=10.0) == pytest.approx(0.6)
    assert http.hedge_delay(now=10.5) == pytest.approx(0.1)
    assert http.hedge_delay(now=11.0) == 0.0
    websocket._phase = (10.0, 0.3, 2)  # TLS, then the opening handshake
    assert websocket.hedge_delay(now=10.0) == pytest.approx(0.9)
    # a round trip measured as nothing (a local proxy): the floor
    http._phase = (10.0, 0.0001, 1)
    assert http.hedge_delay(now=10.0) == pytest.approx(prepared.HEDGE_FLOOR)
    http._done.set()
    assert http.hedge_delay(now=10.0) == 0.0


def test_the_delay_is_asked_again_when_it_has_passed() -> None:
    asked: list[float] = []

    def delay() -> float:
        asked.append(0.01 if not asked else 0.0)
        return asked[-1]

    async def normal() -> _Made:
        return _Made("own")

    async def prepared() -> _Made | None:
        await anyio.sleep_forever()
        return None

    async def main() -> _Made:
        return await first_of(normal, prepared, _close, delay=delay)

    assert anyio.run(main).name == "own"
    assert asked == [0.01, 0.0]


def test_a_delayed_connect_never_starts_when_the_pre_made_one_comes_first() -> None:
    started: list[str] = []
    made = anyio.Event()

    async def normal() -> _Made:
        started.append("own connect")
        return _Made("own")

    async def prepared() -> _Made | None:
        await made.wait()
        return _Made("pre-made")

    async def main() -> _Made:
        async with anyio.create_task_group() as group:
            group.start_soon(_set_after_checkpoints, made)
            chosen = await first_of(normal, prepared, _close, delay=lambda: 3600.0)
        return chosen

    assert anyio.run(main).name == "pre-made"
    assert started == []  # no second connection was opened


def test_a_delayed_connect_starts_at_once_when_the_pre_made_one_is_unusable() -> None:
    async def normal() -> _Made:
        return _Made("own")

    async def prepared() -> _Made | None:
        return None

    async def main() -> _Made:
        with anyio.fail_after(3000):  # (a safety net: the delay is 3600 s)
            return await first_of(normal, prepared, _close, delay=lambda: 3600.0)

    assert anyio.run(main).name == "own"


async def _set_after_checkpoints(event: anyio.Event) -> None:
    for _ in range(3):
        await anyio.lowlevel.checkpoint()
    event.set()
