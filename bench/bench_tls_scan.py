"""Benchmark: a cold ``atomic-fp scan`` over TLS through the latency proxy, and a warm one.

Run: ``python -m bench.bench_tls_scan [--rtt 0.1] [--runs 5]``.

The four local replay servers speak TLS with a ``trustme`` certificate the config tells
the clients to trust (``[tls] ca_bundle``); each sits behind a
:class:`bench.latency_proxy.LatencyProxy` charging ``rtt`` per round trip, TCP connect and
TLS handshake included. Targets (issue 20): cold wall <= 4 round trips + 0.15 s, warm scan
(clients kept, ``bench/warm_scan.py``) <= 1.2 round trips. The same is measured with
``rtt = 0`` in the same run (the baseline: everything but the network). GRVT's instrument
list is cached on disk by a warm-up run first, as any scan of the previous 15 minutes
would. Sizes are the bundled snapshot's (Binance 21 rates, Hyperliquid 14, GRVT 1,
Lighter 1), NOT the realistic counts the issue asks for. Prints the report; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import trustme

from bench.bench_backtest_vs_base import write_section
from bench.bench_scan_latency import VENUES, cache_env, spawn
from bench.bench_startup import console_script
from bench.latency_proxy import proxied
from bench.machine import describe
from bench.replay_server import serving

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- issue-20 tls scan: begin (bench/bench_tls_scan.py --write) -->"
END = "<!-- issue-20 tls scan: end -->"


def _config(urls: dict[str, str], bundle: Path, directory: Path) -> Path:
    lines = ["[tls]", f'ca_bundle = "{bundle}"', ""]
    for venue in VENUES:
        lines += [f"[venues.{venue}]", f'kind = "{venue}"', f'base_url = "{urls[venue]}"', ""]
    path = directory / f"tls-{abs(hash(tuple(urls.values())))}.toml"
    path.write_text("\n".join(lines))
    return path


def _cold(config: Path, env: dict[str, str], runs: int) -> tuple[list[float], int]:
    walls, complete = [], 0
    for _ in range(runs):
        spawned, exited, _, code, stdout, _ = spawn(
            [console_script(), "--config", str(config), "scan", "--format", "json"], ROOT, env=env
        )
        walls.append(exited - spawned)
        venues = json.loads(stdout)["venues"] if code == 0 else {}
        complete += all(venues.get(v, {}).get("ok") for v in VENUES)
    return walls, complete


def _warm(config: Path, env: dict[str, str], rounds: int = 6) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.warm_scan", str(config), str(rounds)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=True,
    )  # fmt: skip
    rounds_done = json.loads(done.stdout)["rounds"]
    return [r["end"] - r["start"] for r in rounds_done[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="into bench/RESULTS.md")
    args = parser.parse_args()
    load_before = os.getloadavg()
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    figures: dict[float, tuple[list[float], int, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, serving(0.0, tls=server_tls) as servers:
        directory = Path(tmp)
        bundle = directory / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        env = cache_env(directory / "cache")
        for rtt in (0.0, args.rtt):
            with proxied(servers.urls(), rtt) as urls:
                config = _config(urls, bundle, directory)
                _cold(config, env, 1)  # warm-up: bytecode and GRVT's instrument cache
                walls, complete = _cold(config, env, args.runs)
                figures[rtt] = (walls, complete, _warm(config, env))
    machine = describe()
    base_cold = statistics.median(figures[0.0][0])
    cold = statistics.median(figures[args.rtt][0])
    warm = statistics.median(figures[args.rtt][2])
    cold_target = 4 * args.rtt + 0.15
    lines: list[str] = [
        f"TLS scan through the latency proxy, rtt {args.rtt * 1000:.0f} ms, {args.runs} runs; "
        f"{machine['cpu_model']}, {machine['usable_cpus']} usable cores, commit "
        f"{machine['git_commit']}; load average before {load_before[0]:.2f}, after "
        f"{os.getloadavg()[0]:.2f}",
        f"cold wall median {cold:.3f} s (min {min(figures[args.rtt][0]):.3f}); target <= 4 "
        f"round trips + 0.15 s = {cold_target:.2f} s: {'PASS' if cold <= cold_target else 'FAIL'}"
        f"; all 4 venues answered in {figures[args.rtt][1]}/{args.runs} runs",
        f"baseline in the same run, rtt 0: cold wall median {base_cold:.3f} s; the network "
        f"added {cold - base_cold:.3f} s = {(cold - base_cold) / args.rtt:.2f} round trips"
        if args.rtt
        else "",
        f"warm scan (clients kept) median {warm * 1000:.0f} ms = {warm / args.rtt:.2f} round "
        f"trips; target <= 1.2: {'PASS' if warm <= 1.2 * args.rtt else 'FAIL'}; rtt 0 "
        f"baseline {statistics.median(figures[0.0][2]) * 1000:.0f} ms"
        if args.rtt
        else "",
    ]
    report = "\n".join(
        [BEGIN, "## TLS scan through the latency proxy (issue 20)", "", "```", *lines, "```", END]
    )
    print(report)
    if args.write:
        write_section(BEGIN, END, report)


if __name__ == "__main__":
    main()
