"""GRVT's ticker websocket opened while a scan starts up (``adapters/prepared_connection.py``):
its opening handshake sent in the pre-connect thread, its answer read and checked on the
event loop by the same ``WebSocketConnection`` (``adapters/streams/connection.py``). Against
the benchmarks' GRVT websocket server over TLS (a ``trustme`` CA): the same snapshot as a
websocket opened the usual way, on the one connection; anything else falls back to the
usual open, with its errors. Counts only, no durations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
import trustme

from adapters import preconnect
from adapters.grvt.ticker_snapshot import MAX_FRAME, TickerSnapshots
from adapters.prepared_connection import WEBSOCKET_MAX_FRAME
from adapters.snapshot import bundled_snapshot
from adapters.streams.connection import ConnectionClosed, open_connection
from adapters.tls import shared_ssl_context
from bench.grvt_ws_server import GrvtTickerServer, grvt_ticker_server
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot
from tests.adapters.tls_server import TlsServer, server_context


@pytest.fixture
def grvt(ca: trustme.CA) -> Iterator[tuple[GrvtTickerServer, list[str]]]:
    venue = realistic_snapshot(bundled_snapshot()).venue("grvt")
    assert venue is not None
    feeds = grvt_ticker_feeds(venue.exchanges)
    with grvt_ticker_server(feeds, tls=server_context(ca), period=3600) as server:
        yield server, sorted(feeds)


@pytest.fixture(autouse=True)
def _forget_preconnections(forget_preconnections: None) -> None:
    """Every test here starts and ends with no pre-made connection (tests/adapters/conftest.py)."""


def _pre_open(port: int, url: str, bundle: str) -> preconnect.PreparedConnection:
    target = preconnect.Target("127.0.0.1", port, bundle, 5.0, 1, websocket=url)
    assert preconnect.start([target], {}) == 1
    connection = preconnect._begun[0]
    assert connection.ready(30)
    return connection


def _read(url: str, bundle: str, names: list[str]) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        snapshots = TickerSnapshots(url, lambda: shared_ssl_context(bundle), limit=10.0)
        try:
            found = await snapshots.read(names)
        finally:
            await snapshots.aclose()
        assert found.problem is None, found.problem
        return dict(found.feeds)

    return anyio.run(read)


def _until(condition: Callable[[], bool]) -> None:
    """Until ``condition()`` holds (at most 30 s: a safety net; the caller asserts)."""
    ready = threading.Event()
    for _ in range(3000):
        if condition():
            return
        ready.wait(0.01)


def test_the_frame_limit_is_the_ticker_snapshots() -> None:
    assert WEBSOCKET_MAX_FRAME == MAX_FRAME


def test_a_pre_opened_websocket_reads_the_same_snapshot_on_its_one_connection(
    grvt: tuple[GrvtTickerServer, list[str]], bundle: str
) -> None:
    server, names = grvt
    reference = _read(server.url, bundle, names)
    assert server.connections == 1 and len(reference) == len(names)
    connection = _pre_open(server.port, server.url, bundle)
    assert connection.problem is None
    _until(lambda: server.connections >= 2)  # (its handler counts after it answered)
    assert server.connections == 2  # opened by the thread, before anyone asked
    assert _read(server.url, bundle, names) == reference
    assert server.connections == 2  # the read used it: no connection of its own
    assert sum(m["method"] == "subscribe" for _, _, m in server.log) == 2


def test_a_pre_opened_websocket_for_another_frame_limit_is_closed_not_used(
    grvt: tuple[GrvtTickerServer, list[str]], bundle: str
) -> None:
    server, _ = grvt
    _pre_open(server.port, server.url, bundle)

    async def open_small() -> None:
        opened = await open_connection(
            server.url, limit=10.0, max_frame=1024, ssl_context=shared_ssl_context(bundle)
        )
        await opened.aclose()

    anyio.run(open_small)
    # the server counts a connection in its handler, which runs after it answered the
    # opening handshake: possibly after the client has read the answer and closed
    _until(lambda: server.connections >= 2)
    assert server.connections == 2  # the pre-opened one (closed) and one of its own


def test_a_refused_opening_handshake_is_reported_as_without_pre_opening(
    ca: trustme.CA, bundle: str
) -> None:
    plain_http = TlsServer(server_context(ca))  # answers 200 OK, not 101 Switching
    url = f"wss://127.0.0.1:{plain_http.port}/ws/full"

    def error() -> str:
        async def attempt() -> None:
            await open_connection(
                url, limit=10.0, max_frame=MAX_FRAME, ssl_context=shared_ssl_context(bundle)
            )

        with pytest.raises(ConnectionClosed) as refused:
            anyio.run(attempt)
        return str(refused.value)

    try:
        reference = error()
        assert plain_http.accepted == 1
        _pre_open(plain_http.port, url, bundle)
        assert error() == reference
        assert "handshake failed" in reference
        # the pre-opened answer refused, then a websocket opened as always (refused too)
        assert plain_http.accepted == 3
    finally:
        plain_http.stop()


@pytest.mark.parametrize(
    ("head", "refusal"),
    [
        (b"X-Long: " + b"a" * 20_000, "too long"),
        (b"".join(b"X-%d: 1\r\n" % n for n in range(200)), "too many headers"),
    ],
)
def test_an_answer_longer_than_websockets_reads_is_a_failed_pre_open(
    ca: trustme.CA, bundle: str, head: bytes, refusal: str
) -> None:
    """The answer's head never ends: the thread stops at websockets' own limits (8 KiB a
    line, 128 headers) instead of reading on until the venue's timeout."""
    from websockets.http11 import MAX_LINE_LENGTH, MAX_NUM_HEADERS

    assert (MAX_LINE_LENGTH, MAX_NUM_HEADERS) == (8192, 128)  # what the cases exceed
    endless = TlsServer(server_context(ca), answer=b"HTTP/1.1 101 Switching Protocols\r\n" + head)
    url = f"wss://127.0.0.1:{endless.port}/ws/full"
    try:
        target = preconnect.Target("127.0.0.1", endless.port, bundle, 600.0, 1, websocket=url)
        assert preconnect.start([target], {}) == 1
        connection = preconnect._begun[0]
        assert connection.ready(60)  # (a safety net: before, it read for 600 s)
        assert connection.problem is not None and refusal in connection.problem
    finally:
        endless.stop()


def test_the_opening_request_leaves_with_the_tls_finished_however_slow_its_module(
    server: TlsServer, bundle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the benchmarks' latency proxy (each flight of client bytes answered by the
    server costs a round trip): TCP, TLS 1.3, the upgrade, 3 round trips, even when
    building the opening request takes longer than a round trip (its module's import on a
    busy machine; here a delay in ``client_protocol``). Built after the handshake, the
    request would leave a round trip later than the Finished, the server's session tickets
    answering the Finished in between: 4."""
    import time

    import adapters.streams.websocket
    from bench.latency_proxy import proxies_for, round_trips_of

    real = adapters.streams.websocket.client_protocol

    def slow(url: str, max_frame: int) -> Any:
        time.sleep(0.5)  # longer than the round trip: the request is late whenever it is built
        return real(url, max_frame)

    monkeypatch.setattr(adapters.streams.websocket, "client_protocol", slow)
    # (an HTTP server: it answers the request, which the thread reads, not interprets)
    with proxies_for({"ws": f"https://127.0.0.1:{server.port}"}, 0.2) as proxies:
        port = int(proxies.urls["ws"].rpartition(":")[2])
        connection = _pre_open(port, f"wss://127.0.0.1:{port}/ws/full", bundle)
        assert connection.problem is None
        [timeline] = proxies.take_timelines()["ws"]
        preconnect.discard_unused()
    assert round_trips_of(timeline) == 3
