"""A whole cold ``atomic-fp scan`` behind a proxy, and what a websocket costs without one.

The real CLI against four local TLS venues at realistic sizes and GRVT's ticker websocket
(``bench/replay_server.py``, ``bench/grvt_ws_server.py``, a ``trustme`` CA), through the
counting forward proxy (``tests/adapters/forward_proxy.py``); the websocket's own proxy
behaviour is in ``test_websocket_proxy.py``. Counts and outputs only, no durations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import trustme

from adapters.snapshot import bundled_snapshot
from bench.bench_scan_latency import VENUES
from bench.bench_tls_scan import GRVT_WS, _config
from bench.grvt_ws_server import grvt_ticker_server
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot
from bench.replay_server import serving
from tests.adapters.forward_proxy import forward_proxy
from tests.adapters.test_preconnect_scan import _without_clock
from tests.adapters.tls_server import server_context

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
ROOT = Path(__file__).resolve().parents[2]


def _scan(config: Path, cache: Path, proxy_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_NAMES}
    env.update({"ATOMIC_FP_CACHE_DIR": str(cache), **proxy_env})
    env.pop("ATOMIC_FP_PRECONNECT", None)
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", "-vv", "--config", str(config), "scan",
         "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_a_cold_scan_reaches_every_venue_and_grvts_websocket_through_the_proxy(
    ca: trustme.CA, bundle: str, tmp_path: Path
) -> None:
    """The real CLI, four TLS venues at realistic sizes and GRVT's ticker websocket: with
    ``HTTPS_PROXY`` the scan answers as without, every connection (the websocket's too)
    is a ``CONNECT`` tunnel, and nothing is pre-connected (it goes directly)."""
    snapshot = realistic_snapshot(bundled_snapshot())
    grvt_venue = snapshot.venue("grvt")
    assert grvt_venue is not None
    server_tls = server_context(ca)
    with (
        serving(0.0, snapshot, tls=server_tls) as servers,
        grvt_ticker_server(
            grvt_ticker_feeds(grvt_venue.exchanges), tls=server_tls, period=3600
        ) as ws,
    ):
        urls = {**servers.urls(), GRVT_WS: ws.url.removesuffix("/ws/full")}
        config = _config(urls, Path(bundle), tmp_path / "atomic-fp.toml", VENUES)
        direct = _scan(config, tmp_path / "cache-direct", {})
        assert direct.returncode == 0, direct.stderr
        with forward_proxy() as proxy:
            proxied = _scan(config, tmp_path / "cache-proxied", {"HTTPS_PROXY": proxy.url})
    assert proxied.returncode == 0, proxied.stderr
    assert "pre-connecting" in direct.stderr and "pre-connecting" not in proxied.stderr
    output = json.loads(proxied.stdout)
    assert all(venue["ok"] for venue in output["venues"].values()), output["venues"]
    assert _without_clock(output) == _without_clock(json.loads(direct.stdout))
    tunnelled = {target for method, target in proxy.relayed if method == "CONNECT"}
    assert {method for method, _ in proxy.relayed} == {"CONNECT"}
    venue_ports = {f"127.0.0.1:{httpx.URL(url).port}" for url in urls.values()}
    assert tunnelled == venue_ports  # GRVT's websocket port among them
    assert f"127.0.0.1:{ws.port}" in tunnelled
    assert len(ws.subscribes()) == 2  # one per scan


@pytest.mark.parametrize(
    ("proxy_env", "imported"),
    [({}, False), ({"NO_PROXY": "example.com"}, False), ({"HTTPS_PROXY": "proxy.corp:1"}, True)],
)
def test_without_a_proxy_a_websocket_never_imports_the_routing(
    proxy_env: dict[str, str], imported: bool
) -> None:
    """Zero cost without a proxy (issue 20): not even the module, nor httpx (Linux;
    elsewhere the system's proxy settings are always looked up). ``HTTPS_PROXY`` does
    not route this ``ws://`` URL, but it is looked at."""
    code = (
        "import sys, anyio\n"
        "from tests.streams.local_ws import local_ws\n"
        "from adapters.streams.connection import open_connection\n"
        "with local_ws(lambda request: []) as venue:\n"
        "    async def go():\n"
        "        connection = await open_connection(venue.url, limit=10.0, max_frame=65536)\n"
        "        await connection.aclose()\n"
        "    anyio.run(go)\n"
        "print('adapters.proxy_routing' in sys.modules, 'httpx' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_NAMES}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, **proxy_env},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    expected = imported or sys.platform != "linux"
    assert done.stdout.split() == [str(expected), str(expected)], done.stderr
