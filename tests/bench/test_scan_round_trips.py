"""Where a scan's round trips go, read from the latency proxy's connection timelines
(issue 20): the real ``atomic-fp scan`` at realistic sizes over TLS (recorded bodies scaled
up, ``bench/realistic_bodies.py``; GRVT over its websocket), each venue behind a proxy that
charges a round trip for the TCP connect, the TLS handshake and each request.

Counts and event order (no duration asserted but the lower bounds the proxy itself
enforces, which load can only lengthen: :func:`_assert_charged`): a cold scan opens every
connection before any venue has answered (causally: the proxies hold every answer until
the expected connections are open, so a load-starved client cannot fail it and a client
that needs an answer first cannot pass it), each REST connection costs TCP + TLS + one request and
GRVT's websocket TCP + TLS + upgrade + one subscribe; a warm scan (clients kept, as in a
long-running process) opens no connection and sends one request per connection.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from adapters.snapshot import bundled_snapshot
from bench.bench_scan_latency import VENUES
from bench.bench_tls_scan import GRVT_WS, _config
from bench.grvt_ws_server import GrvtTickerServer, grvt_ticker_server
from bench.latency_proxy import Connection, Proxies, proxies_for, round_trips_of
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot
from bench.replay_server import Servers, VenueServer, serving

ROOT = Path(__file__).resolve().parents[2]
RTT = 0.05
"""Counts are asserted here, not durations. Short beside the pre-connect's hedge floor
(``adapters.prepared_connection.HEDGE_FLOOR``, 0.5 s): a pre-made connection's TCP connect
and TLS handshake cost 2 RTT through the proxy, and one still under way when the scan asks
for it after the floor is raced by a second connection, which a loaded machine could
otherwise provoke (the connection counts below would then differ)."""


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def venues(
    server_tls: ssl.SSLContext,
) -> Iterator[tuple[Servers, GrvtTickerServer, Proxies]]:
    snapshot = realistic_snapshot(bundled_snapshot())
    grvt = snapshot.venue("grvt")
    assert grvt is not None
    with (
        serving(0.0, snapshot, tls=server_tls) as servers,
        # no periodic feeds in these tests (they would interleave with the answers counted
        # here; tests/adapters/grvt/test_ticker_snapshot.py has a venue that keeps sending)
        grvt_ticker_server(grvt_ticker_feeds(grvt.exchanges), tls=server_tls, period=3600) as ws,
    ):
        targets = {**servers.urls(), GRVT_WS: ws.url.removesuffix("/ws/full")}
        with proxies_for(targets, RTT) as proxies:
            yield servers, ws, proxies


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "ATOMIC_FP_CACHE_DIR": str(cache)}


ANSWER_DEADLINE = 30.0
"""How long the proxies hold the answers at most in the cold-scan test (generous: six
connections opened by a process starved of CPU); below every venue's timeout
(:data:`VENUE_TIMEOUT`), so no client gives up and connects again before the deadline
(a retry would make up the count with a connection opened after waiting)."""

VENUE_TIMEOUT = 2 * ANSWER_DEADLINE


def _config_file(proxies: Proxies, ca: trustme.CA, tmp_path: Path) -> Path:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    path = _config(proxies.urls, bundle, tmp_path / "atomic-fp.toml", VENUES)
    lines = []
    for line in path.read_text().splitlines():
        lines.append(line)
        if line.startswith("kind = "):  # each venue's section
            lines.append(f"timeout = {VENUE_TIMEOUT}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _scan(config: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "--config", str(config), "scan", "--format",
         "json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    venues: dict[str, Any] = json.loads(done.stdout)["venues"]
    return venues


CHARGED_RTT = 0.2


@pytest.fixture(scope="module")
def server_tls_without_tickets(ca: trustme.CA) -> ssl.SSLContext:
    """A TLS 1.3 server that sends no session ticket: a server sends its tickets after
    the client's Finished, unprompted, so a client that stalls between its Finished and
    its request lets them through the proxy as a flight of their own, one more "answer"
    (RFC 8446 section 4.6.1; Python's ``SSLContext.num_tickets``, default 2). Without
    them every server flight answers a client flight, so the counts below are exact
    whatever the client's timing."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    context.num_tickets = 0
    return context


@pytest.fixture
def charged(server_tls_without_tickets: ssl.SSLContext) -> Iterator[Proxies]:
    body = realistic_snapshot(bundled_snapshot()).venues[-1].exchanges
    plain = VenueServer("lighter", body)
    secure = VenueServer("lighter", body, tls=server_tls_without_tickets)
    plain.start()
    secure.start()
    try:
        with proxies_for({"plain": plain.url, "tls": secure.url}, CHARGED_RTT) as proxies:
            yield proxies
    finally:
        plain.stop()
        secure.stop()


def _assert_charged(connection: Connection, rtt: float) -> None:
    """The proxy's own timeline shows what it charged, as lower bounds it enforces (load
    only delays deliveries further, so a working proxy cannot fail this): nothing the
    client sent was delivered before the TCP connect's round trip, and every answer
    reached the client at least half a round trip (its way back) after what it answers
    was delivered to the server."""
    flights = connection.flights()
    assert flights[0][0] == "up"  # (the client speaks first: TLS ClientHello or request)
    assert flights[0][1] - connection.accepted >= rtt, flights
    for asked, answer in itertools.pairwise(flights):
        if (asked[0], answer[0]) == ("up", "down"):
            assert answer[1] - asked[2] >= rtt / 2, flights


def test_the_proxy_charges_tcp_tls_and_each_request(charged: Proxies, ca: trustme.CA) -> None:
    for name in ("plain", "tls"):
        verify: Any = True
        if name == "tls":
            verify = ssl.create_default_context()
            ca.configure_trust(verify)
        with httpx.Client(verify=verify) as client:
            for _ in range(2):  # the second request reuses the connection
                client.get(f"{charged.urls[name]}/api/v1/funding-rates").raise_for_status()
    timelines = charged.take_timelines()
    assert [round_trips_of(c) for c in timelines["plain"]] == [1 + 2]  # TCP, 2 requests
    assert [round_trips_of(c) for c in timelines["tls"]] == [1 + 1 + 2]  # TCP, TLS 1.3, 2
    for connection in timelines["plain"] + timelines["tls"]:
        _assert_charged(connection, CHARGED_RTT)


def test_a_client_that_stalls_between_its_steps_is_charged_the_same(
    charged: Proxies, ca: trustme.CA
) -> None:
    """What a loaded machine does to a client, done on purpose: a pause after the TLS
    handshake and after each answer (longer than the proxy's half round trip, so with
    session tickets the server's unprompted flight would be counted as one more answer).
    The counts are the same as for a client that never pauses."""
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    stall = CHARGED_RTT * 2
    for name in ("plain", "tls"):
        port = httpx.URL(charged.urls[name]).port
        assert port is not None
        connection = (
            http.client.HTTPSConnection("127.0.0.1", port, context=trusting, timeout=60)
            if name == "tls"
            else http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        )
        try:
            connection.connect()  # (TCP, and for TLS the whole handshake, Finished sent)
            for _ in range(2):
                time.sleep(stall)
                connection.request("GET", "/api/v1/funding-rates")
                answer = connection.getresponse()
                assert answer.status == 200 and answer.read()
        finally:
            connection.close()
    timelines = charged.take_timelines()
    assert [round_trips_of(c) for c in timelines["plain"]] == [1 + 2]
    assert [round_trips_of(c) for c in timelines["tls"]] == [1 + 1 + 2]
    for connection_timeline in timelines["plain"] + timelines["tls"]:
        _assert_charged(connection_timeline, CHARGED_RTT)


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


@pytest.fixture
def echo() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _connect(url: str) -> socket.socket:
    host, _, port = url.removeprefix("tcp://").partition(":")
    return socket.create_connection((host, int(port)), timeout=60)


def test_the_answer_barrier_is_released_by_the_count_when_no_answer_was_awaited(
    echo: str,
) -> None:
    with (
        proxies_for({"a": echo, "b": echo}, 0.0) as proxies,
        proxies.holding_answers(2, deadline=60.0) as barrier,
    ):
        first, second = _connect(proxies.urls["a"]), _connect(proxies.urls["b"])
        with first, second:
            first.sendall(b"one")
            second.sendall(b"two")
            assert (first.recv(16), second.recv(16)) == (b"one", b"two")
        released = (barrier.released_by, barrier.accepted_when_released)
        assert (*released, barrier.given_up_while_holding) == ("count", 2, 0)


def test_the_answer_barrier_holds_the_answer_a_client_waits_for_until_the_deadline(
    echo: str,
) -> None:
    # the second connection is opened only after the first one's answer: the answer can
    # come only when the deadline releases it (0.3 s: any load only makes it come later)
    with (
        proxies_for({"a": echo, "b": echo}, 0.0) as proxies,
        proxies.holding_answers(2, deadline=0.3) as barrier,
    ):
        with _connect(proxies.urls["a"]) as first:
            first.sendall(b"one")
            assert first.recv(16) == b"one"
            with _connect(proxies.urls["b"]) as second:
                second.sendall(b"two")
                assert second.recv(16) == b"two"  # not held once released
        assert (barrier.released_by, barrier.accepted_when_released) == ("deadline", 1)


def test_the_answer_barrier_is_off_unless_put_in_force(echo: str) -> None:
    with proxies_for({"a": echo}, 0.0) as proxies:
        with _connect(proxies.urls["a"]) as alone:
            alone.sendall(b"one")
            assert alone.recv(16) == b"one"
        assert all(p.barrier is None for p in proxies.by_name.values())
        with proxies.holding_answers(1) as barrier:
            assert all(p.barrier is barrier for p in proxies.by_name.values())
        assert all(p.barrier is None for p in proxies.by_name.values())


@pytest.mark.parametrize("cache", ["instrument list on disk", "first scan on a machine"])
def test_a_cold_scan_opens_every_connection_before_any_answer(
    venues: tuple[Servers, GrvtTickerServer, Proxies], ca: trustme.CA, tmp_path: Path, cache: str
) -> None:
    servers, ws, proxies = venues
    config = _config_file(proxies, ca, tmp_path)
    env = _env(tmp_path / "cache")
    if cache == "instrument list on disk":
        _scan(config, env)  # writes GRVT's instrument list, as any scan of the last 15 min
    proxies.take_timelines()
    servers.take_logs()
    # this scan's messages are those of its own connections: the previous process's
    # unsubscribe (not waited for) may reach the server through the proxy after it ended
    connections_before = ws.connections
    # one connection per request: Binance's fundingInfo and premiumIndex, Hyperliquid's
    # info, Lighter's orderBookDetails and funding-rates, GRVT's websocket (and its REST
    # host for the instrument list when none is on disk)
    expected = {"binance": 2, "hyperliquid": 1, "lighter": 2, GRVT_WS: 1, "grvt": 1}
    if cache == "instrument list on disk":
        expected["grvt"] = 0
    # no venue's request waits for another venue's (or its own earlier) answer: every byte
    # a server sends is held by the proxies until all the expected connections have been
    # accepted, so a client that needs an answer before opening its last connection is
    # released only by the deadline (and the scan still ends: its answers then arrive)
    with proxies.holding_answers(sum(expected.values()), deadline=ANSWER_DEADLINE) as barrier:
        answered = _scan(config, env)
        released = (
            barrier.released_by,
            barrier.accepted_when_released,
            barrier.given_up_while_holding,
        )
    timelines = proxies.take_timelines()
    opened = {name: len(conns) for name, conns in timelines.items()}
    # released by the count, no connection given up (timed out) before, no other
    # connection: every connection was opened before any answer
    assert (released, opened) == (("count", barrier.expected, 0), expected), (
        f"the answers were released by {released[0]!r} with {released[1]} of the "
        f"{barrier.expected} expected connections open and {released[2]} given up before "
        f"(a connection waited for an answer, or there were others): opened {opened}, "
        f"expected {expected}"
    )
    assert all(answered[v]["ok"] for v in VENUES)
    # one request per connection (TCP + TLS + one request each), one subscribe on GRVT's
    # single websocket: counted on the servers, robust to a client starved of CPU
    logs = servers.take_logs()
    for name in ("binance", "hyperliquid", "lighter"):
        assert len(logs[name]) == len(timelines[name]), name
    assert len(timelines[GRVT_WS]) == 1
    this_scan = [m for number, _, m in ws.log if number > connections_before]
    assert [m["method"] for m in this_scan][:1] == ["subscribe"]
    assert sum(m["method"] == "subscribe" for m in this_scan) == 1
    if cache == "instrument list on disk":
        assert timelines["grvt"] == [] and logs["grvt"] == []  # no list, no REST ticker
    else:  # the list, in parallel with the websocket handshakes
        assert len(timelines["grvt"]) == 1
        assert [s.path for s in logs["grvt"]] == ["/full/v1/all_instruments"]


def _in(connection: Connection, start: float, end: float) -> Connection:
    window = Connection(connection.accepted)
    window.deliveries = [d for d in connection.deliveries if start <= d[0] <= end]
    return window


def test_a_warm_scan_opens_no_connection_and_sends_one_request_per_connection(
    venues: tuple[Servers, GrvtTickerServer, Proxies], ca: trustme.CA, tmp_path: Path
) -> None:
    _, ws, proxies = venues
    config = _config_file(proxies, ca, tmp_path)
    proxies.take_timelines()
    subscribes_before = len(ws.subscribes())
    done = subprocess.run(
        [sys.executable, "-m", "bench.warm_scan", str(config), "4"],
        capture_output=True, text=True, cwd=ROOT, env=_env(tmp_path / "cache"), timeout=120,
        check=True,
    )  # fmt: skip
    timelines = proxies.take_timelines()
    rounds = json.loads(done.stdout)["rounds"]
    assert all(all(r["answered"].values()) for r in rounds)
    every = [c for conns in timelines.values() for c in conns]
    assert len(ws.subscribes()) - subscribes_before == len(rounds)  # one per scan
    for warm in rounds[1:]:
        start, end = warm["start"], warm["end"]
        assert not [c for c in every if start <= c.accepted <= end]  # no new connection
        for name, conns in timelines.items():
            exchanges = []
            for connection in conns:
                flights = _in(connection, start, end).flights()
                pairs = sum(
                    1 for a, b in itertools.pairwise(flights) if (a[0], b[0]) == ("up", "down")
                )
                exchanges.append(pairs)
            if name == "grvt":  # GRVT's REST host: list cached, rates from the websocket
                assert max(exchanges, default=0) == 0
            elif name == GRVT_WS:  # one subscribe (its unsubscribe is not waited for)
                sent = [m for n, at, m in ws.log if start <= at <= end]
                assert [m["method"] for m in sent if m["method"] == "subscribe"] == ["subscribe"]
                assert {n for n, at, m in ws.log if start <= at <= end} == {ws.connections}
            else:
                # one round trip per venue
                assert max(exchanges) == 1, (name, exchanges, [c.flights() for c in conns])
