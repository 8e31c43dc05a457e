"""The benchmarks' latency proxy forwards every byte intact, both ways, over TLS too
(no timing asserted: the delays are the benchmark's business, bench/RESULTS.md)."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import trustme

from bench.bench_scan_latency import VENUES
from bench.latency_proxy import proxied
from bench.replay_server import serving

ROOT = Path(__file__).resolve().parents[2]


def test_a_tls_scan_through_the_proxies_gets_every_venue(tmp_path: Path) -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with serving(0.0, tls=server_tls) as servers, proxied(servers.urls(), 0.002) as urls:
        assert set(urls) == set(servers.urls())
        assert all(urls[v] != servers.urls()[v] for v in urls)  # through the proxies
        lines = ["[tls]", f'ca_bundle = "{bundle}"', ""]
        for venue in VENUES:
            lines += [f"[venues.{venue}]", f'kind = "{venue}"', f'base_url = "{urls[venue]}"']
        config = tmp_path / "atomic-fp.toml"
        config.write_text("\n".join(lines))
        env = {**os.environ, "ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run(
            [sys.executable, "-m", "scripts.cli", "--config", str(config), "scan", "--format",
             "json"],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
        )  # fmt: skip
        logs = servers.take_logs()
    assert done.returncode == 0, done.stderr
    venues = json.loads(done.stdout)["venues"]
    assert all(venues[v]["ok"] for v in VENUES)
    assert all(logs[v] for v in VENUES)  # every server was reached (through its proxy)
