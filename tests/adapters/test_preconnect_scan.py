"""A cold ``atomic-fp scan`` pre-connects while it starts up (``adapters/preconnect.py``,
issue 20 target 1), and nothing else changes: the real console script against local TLS
venue servers (a ``trustme`` CA; the bundled snapshot's bodies at realistic sizes; GRVT's
ticker websocket), each behind a latency proxy at rtt 0 that records every connection it
accepts. Each scan is compared with the same scan run with ``ATOMIC_FP_PRECONNECT=0``
(today's behaviour): counts and outputs only, no durations.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from adapters.preconnect import SCAN_CONNECTIONS
from adapters.snapshot import bundled_snapshot
from bench.bench_scan_latency import VENUES
from bench.bench_tls_scan import GRVT_WS, _config
from bench.grvt_ws_server import GrvtTickerServer, grvt_ticker_server
from bench.latency_proxy import Proxies, proxies_for
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot
from bench.replay_server import Servers, serving
from tests.adapters.tls_server import server_context, write_bundle

ROOT = Path(__file__).resolve().parents[2]
OFF = {"ATOMIC_FP_PRECONNECT": "0"}
CLOCK_FIELDS = ("as_of", "data_age_seconds", "observed_at")
"""The JSON fields read off the wall clock: they differ between any two scans."""


@pytest.fixture(scope="module")
def venues(ca: trustme.CA) -> Iterator[tuple[Servers, GrvtTickerServer, Proxies]]:
    snapshot = realistic_snapshot(bundled_snapshot())
    grvt = snapshot.venue("grvt")
    assert grvt is not None
    server_tls = server_context(ca)
    with (
        serving(0.0, snapshot, tls=server_tls) as servers,
        grvt_ticker_server(grvt_ticker_feeds(grvt.exchanges), tls=server_tls, period=3600) as ws,
    ):
        targets = {**servers.urls(), GRVT_WS: ws.url.removesuffix("/ws/full")}
        with proxies_for(targets, 0.0) as proxies:
            yield servers, ws, proxies


def _scan(
    config: Path, cache: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATOMIC_FP_CACHE_DIR": str(cache)}
    env.pop("ATOMIC_FP_PRECONNECT", None)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", "-vv", "--config", str(config), "scan",
         "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip


def _without_clock(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_clock(v) for k, v in value.items() if k not in CLOCK_FIELDS}
    if isinstance(value, list):
        return [_without_clock(v) for v in value]
    return value


def _begun(stderr: str) -> int:
    lines = [line for line in stderr.splitlines() if "pre-connecting" in line]
    return int(lines[0].split("pre-connecting ")[1].split()[0]) if lines else 0


def _config_file(proxies: Proxies, ca: trustme.CA, tmp_path: Path, urls: dict[str, str]) -> Path:
    bundle = Path(write_bundle(ca, tmp_path))
    return _config(urls, bundle, tmp_path / "atomic-fp.toml", VENUES)


@pytest.mark.parametrize("listed", [True, False], ids=["list on disk", "first scan"])
def test_a_pre_connected_scan_answers_as_one_without_and_uses_every_pre_made_connection(
    venues: tuple[Servers, GrvtTickerServer, Proxies], ca: trustme.CA, tmp_path: Path, listed: bool
) -> None:
    servers, _, proxies = venues
    config = _config_file(proxies, ca, tmp_path, proxies.urls)
    if listed:
        assert _scan(config, tmp_path / "cache", OFF).returncode == 0  # GRVT's list on disk
    proxies.take_timelines()
    servers.take_logs()
    runs = {}
    for name, env in (("off", OFF), ("on", None)):
        cache = tmp_path / ("cache" if listed else f"empty-{name}")
        done = _scan(config, cache, env)
        assert done.returncode == 0, done.stderr
        timelines = proxies.take_timelines()
        logs = servers.take_logs()
        runs[name] = (
            _without_clock(json.loads(done.stdout)),
            {proxy: len(connections) for proxy, connections in timelines.items()},
            {venue: sorted((s.method, s.path, s.body) for s in log) for venue, log in logs.items()},
            _begun(done.stderr),
        )
    output_off, connections_off, requests_off, begun_off = runs["off"]
    output_on, connections_on, requests_on, begun_on = runs["on"]
    assert output_on == output_off
    assert requests_on == requests_off
    assert all(v["ok"] for v in output_on["venues"].values())
    # one connection per request, with or without: every pre-made one was taken (one
    # left unused would be accepted by the proxy and closed, an extra connection)
    assert connections_on == connections_off
    assert begun_off == 0
    # GRVT's instrument list: one connection more when it is not on disk
    assert begun_on == sum(SCAN_CONNECTIONS[kind][2] for kind in VENUES) + (not listed)
    assert connections_on == {
        "binance": 2, "hyperliquid": 1, "grvt": 0 if listed else 1, "lighter": 2, GRVT_WS: 1
    }  # fmt: skip


def test_the_console_script_begins_every_connection_before_the_scan_reads_its_config(
    venues: tuple[Servers, GrvtTickerServer, Proxies], ca: trustme.CA, tmp_path: Path
) -> None:
    """``scripts.console:run`` (the installed ``atomic-fp``): every connection of the
    plan is begun by its first step (``scripts/early_preconnect.py``), none by the scan's
    own call after the config is validated, and each is used: the same connections and
    answers as without pre-connecting."""
    _, _, proxies = venues
    config = _config_file(proxies, ca, tmp_path, proxies.urls)
    assert _scan(config, tmp_path / "cache", OFF).returncode == 0  # GRVT's list on disk
    proxies.take_timelines()
    off = _scan(config, tmp_path / "cache", OFF)
    connections_off = {p: len(c) for p, c in proxies.take_timelines().items()}
    env = {**os.environ, "ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("ATOMIC_FP_PRECONNECT", None)
    on = subprocess.run(
        [sys.executable, "-m", "scripts.console", "-vv", "--config", str(config), "scan",
         "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert on.returncode == off.returncode == 0, on.stderr
    assert _without_clock(json.loads(on.stdout)) == _without_clock(json.loads(off.stdout))
    planned = sum(SCAN_CONNECTIONS[kind][2] for kind in VENUES)
    assert f"pre-connecting {planned} connection(s) ({planned} begun earlier)" in on.stderr
    assert {p: len(c) for p, c in proxies.take_timelines().items()} == connections_off


class DropFirst:
    """A TCP forwarder to ``target`` that closes the first ``drop`` connections it accepts
    at once (a host refusing the pre-connect) and forwards the others."""

    def __init__(self, target: tuple[str, int], drop: int) -> None:
        self.target = target
        self.drop = drop
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.accepted <= self.drop:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()


def test_a_host_that_refuses_the_pre_connect_is_still_scanned(
    venues: tuple[Servers, GrvtTickerServer, Proxies], ca: trustme.CA, tmp_path: Path
) -> None:
    _, _, proxies = venues
    binance = proxies.urls["binance"].rpartition(":")
    forwarder = DropFirst(("127.0.0.1", int(binance[2])), drop=1)
    try:
        urls = {**proxies.urls, "binance": f"https://127.0.0.1:{forwarder.port}"}
        config = _config_file(proxies, ca, tmp_path, urls)
        done = _scan(config, tmp_path / "cache")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["venues"]["binance"]["ok"]
        assert _begun(done.stderr) > 0
        # the dropped pre-connect, the other pre-made one, and the connect in place of
        # the dropped one: the scan connected as before where the pre-connect failed
        assert forwarder.accepted == 3
    finally:
        forwarder.close()


@pytest.mark.parametrize("problem", ["untrusted certificate", "wrong host name"])
def test_a_refused_certificate_is_reported_as_without_pre_connecting(
    ca: trustme.CA, tmp_path: Path, problem: str
) -> None:
    snapshot = realistic_snapshot(bundled_snapshot())
    if problem == "untrusted certificate":
        server_tls, trusted = server_context(trustme.CA()), ca
    else:  # a certificate of the trusted CA, for another name than the URL's
        server_tls, trusted = server_context(ca, "venue.example"), ca
    with serving(0.0, snapshot, tls=server_tls) as servers:
        bundle = tmp_path / "ca.pem"
        trusted.cert_pem.write_to_path(str(bundle))
        urls = {**servers.urls(), GRVT_WS: "wss://127.0.0.1:9"}
        config = _config(urls, bundle, tmp_path / "atomic-fp.toml", VENUES)
        off = _scan(config, tmp_path / "cache", OFF)
        on = _scan(config, tmp_path / "cache")
    assert _begun(on.stderr) > 0
    assert on.returncode == off.returncode == 1  # nothing usable: every venue failed
    assert "Traceback" not in on.stderr

    def failures(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines() if "left out" in line]

    assert failures(on.stderr) == failures(off.stderr)
    for venue in ("binance", "hyperliquid", "lighter"):
        assert any(f"venue {venue} left out" in line for line in failures(on.stderr))
    assert "CERTIFICATE_VERIFY_FAILED" in on.stderr or "could not connect" in on.stderr


def test_nothing_is_pre_connected_offline_or_when_turned_off_or_behind_a_proxy(
    venues: tuple[Servers, GrvtTickerServer, Proxies], ca: trustme.CA, tmp_path: Path
) -> None:
    _, _, proxies = venues
    config = _config_file(proxies, ca, tmp_path, proxies.urls)
    proxies.take_timelines()
    offline = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "-vv", "--config", str(config), "scan",
         "--offline", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env={**os.environ, "ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")},
    )  # fmt: skip
    assert offline.returncode == 0, offline.stderr
    assert _begun(offline.stderr) == 0
    opened = {name: len(c) for name, c in proxies.take_timelines().items()}
    # (GRVT's websocket is left out: an offline scan whose config names GRVT's ws_url
    # connects to it, with or without pre-connecting, as on main before this change)
    assert {name: n for name, n in opened.items() if name != GRVT_WS} == {
        "binance": 0, "hyperliquid": 0, "grvt": 0, "lighter": 0
    }  # fmt: skip
    for env in (OFF, {"HTTPS_PROXY": "http://127.0.0.1:9"}, {"all_proxy": "socks5://x:1"}):
        done = _scan(config, tmp_path / "cache", env)
        assert _begun(done.stderr) == 0, env
        assert "pre-connecting" not in done.stderr


def test_bybit_and_okx_pre_connect_as_many_connections_as_their_scan_opens(
    ca: trustme.CA, tmp_path: Path
) -> None:
    """Bybit's two and OKX's three (``SCAN_CONNECTIONS``): the same connections with and
    without pre-connecting, every pre-made one taken (one left over would be accepted by
    the proxy and closed: an extra connection). Their servers answer in the documented
    shapes (``bench.documented_bodies``: there are no real recordings)."""
    pair = ("bybit", "okx")
    with (
        serving(0.0, tls=server_context(ca), documented=True) as servers,
        proxies_for({v: servers.urls()[v] for v in pair}, 0.0) as proxies,
    ):
        bundle = Path(write_bundle(ca, tmp_path))
        config = _config(proxies.urls, bundle, tmp_path / "atomic-fp.toml", pair)
        proxies.take_timelines()
        runs = {}
        for name, env in (("off", OFF), ("on", None)):
            done = _scan(config, tmp_path / "cache", env)
            assert done.returncode == 0, done.stderr
            output = _without_clock(json.loads(done.stdout))
            assert all(v["ok"] for v in output["venues"].values()), output["venues"]
            connections = {p: len(c) for p, c in proxies.take_timelines().items()}
            runs[name] = (output, connections, _begun(done.stderr))
    assert runs["on"][0] == runs["off"][0]
    assert runs["off"][2] == 0
    assert runs["on"][2] == SCAN_CONNECTIONS["bybit"][2] + SCAN_CONNECTIONS["okx"][2] == 5
    assert runs["on"][1] == runs["off"][1] == {"bybit": 2, "okx": 3}
