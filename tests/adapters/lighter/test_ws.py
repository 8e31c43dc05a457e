"""The market_stats feed survives garbage frames, drops and dead servers, and says so."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import anyio
import pytest

from adapters.lighter.ws import MarketStatsFeed
from tests.adapters.lighter.fake_venue import local_lighter, market_stats


def now_ms() -> int:
    """The wall clock at the moment a frame is built (the feed stamps what it receives
    with its own clock, and a stats timestamp fixed at import would age while the suite
    runs: a run that reached this file more than 5 minutes after collection failed)."""
    return int(datetime.now(timezone.utc).timestamp() * 1000)


def _update(market_id: int, mark: str) -> str:
    return json.dumps(
        {
            "type": "update/market_stats",
            "channel": f"market_stats:{market_id}",
            "market_stats": market_stats(market_id, mark, "0.0005", now_ms()),
            "timestamp": now_ms(),
        }
    )


GARBAGE: list[str | bytes] = [
    "not json {",
    b"\x00\x01 a binary frame",
    json.dumps({"type": "update/market_stats", "market_stats": {"market_id": "x"}}),
    json.dumps(
        {"type": "update/market_stats", "market_stats": {"market_id": 1, "mark_price": "NaN"}}
    ),
    json.dumps([1, 2, 3]),
    '{"type": "update/market_stats", "market_stats": ' + "[" * 5000 + "]" * 5000 + "}",
    json.dumps({"error": {"code": 23001, "message": "too many subscriptions"}}),
]


async def _until(condition: Callable[[], bool]) -> None:
    """Poll the feed's counters (they have no event of their own) for up to 10 s."""
    with anyio.fail_after(10):
        while not condition():  # noqa: ASYNC110 - polling plain counters
            await anyio.sleep(0.01)


@pytest.mark.anyio
async def test_garbage_and_mid_stream_drops_are_survived_and_reported() -> None:
    stats = {"0": market_stats(0, "3013.91", "0.0012", now_ms())}
    with local_lighter(stats) as server:
        server.state.ws_frames_after_subscribe = [*GARBAGE, _update(1, "64356.3")]
        server.state.ws_close_after = True  # abort the TCP connection, no close frame
        feed = MarketStatsFeed(
            url=server.ws_url, market_ids=[0, 1], backoff_initial=0.01, backoff_max=0.05
        )
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await _until(lambda: feed.health.connects >= 3)
            group.cancel_scope.cancel()
    health = feed.health
    assert health.drops >= 2  # each abort was noticed and reconnected
    assert health.garbage_frames >= 2 * 6
    assert health.venue_errors >= 2
    assert health.last_error is not None
    # each connection subscribed afresh (the server aborts after answering the first one)
    assert server.state.ws_subscriptions.count("market_stats/0") >= 3
    # the good frames around the garbage were kept
    eth, btc = feed.latest(0), feed.latest(1)
    assert eth is not None and eth.stats.mark_price == Decimal("3013.91")
    assert btc is not None and btc.stats.mark_price == Decimal("64356.3")
    assert btc.stats.current_funding_hourly == Decimal("0.000005")
    assert feed.fresh(1, timedelta(minutes=5)) is not None
    assert feed.fresh(1, timedelta(minutes=5), now=btc.received_at + timedelta(minutes=6)) is None


@pytest.mark.anyio
async def test_pings_are_answered_and_sent_when_quiet() -> None:
    with local_lighter({"0": market_stats(0, "3013.91", "0.0012", now_ms())}) as server:
        server.state.ws_frames_after_subscribe = [json.dumps({"type": "ping"})]
        feed = MarketStatsFeed(url=server.ws_url, market_ids=None, ping_interval=0.1)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await _until(lambda: {"type": "pong"} in server.state.ws_received)
            await _until(lambda: {"type": "ping"} in server.state.ws_received)
            group.cancel_scope.cancel()
    assert server.state.ws_subscriptions == ["market_stats/all"]
    assert feed.health.pongs_sent == 1
    assert feed.health.pings_sent >= 1
    assert feed.health.drops == 0
    assert feed.latest(0) is not None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.anyio
async def test_a_dead_server_is_retried_with_backoff_without_crashing() -> None:
    feed = MarketStatsFeed(
        url=f"ws://127.0.0.1:{_closed_port()}/stream", backoff_initial=0.01, backoff_max=0.04
    )
    async with anyio.create_task_group() as group:
        await group.start(feed.run)
        await _until(lambda: feed.health.drops >= 4)
        group.cancel_scope.cancel()
    assert feed.health.connects == 0
    assert feed.health.connected is False
    assert feed.health.last_error is not None
    assert feed.latest(0) is None


@pytest.mark.anyio
async def test_a_server_that_is_not_a_websocket_is_a_reported_failure() -> None:
    with local_lighter() as server:
        feed = MarketStatsFeed(
            url=server.base_url.replace("http", "ws") + "/stream", backoff_initial=0.01
        )
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await _until(lambda: feed.health.drops >= 2)
            group.cancel_scope.cancel()
    assert feed.health.connects == 0
    assert feed.health.last_error is not None


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not available to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.anyio
async def test_wss_with_a_verified_certificate(tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert, key)
    with local_lighter({"1": market_stats(1, "64356.3", "0.0012", now_ms())}, server_ssl) as server:
        assert server.ws_url.startswith("wss://")
        untrusted = MarketStatsFeed(url=server.ws_url, backoff_initial=0.01)
        trusted = MarketStatsFeed(
            url=server.ws_url, ssl_context=ssl.create_default_context(cafile=str(cert))
        )
        async with anyio.create_task_group() as group:
            await group.start(untrusted.run)
            await group.start(trusted.run)
            await _until(lambda: trusted.latest(1) is not None and untrusted.health.drops >= 2)
            group.cancel_scope.cancel()
    assert trusted.health.connects == 1
    assert untrusted.health.connects == 0  # a certificate we do not trust is refused
    assert (
        "SSL" in (untrusted.health.last_error or "")
        or "CERTIFICATE" in (untrusted.health.last_error or "").upper()
    )
