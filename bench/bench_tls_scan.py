"""Benchmark: a cold ``atomic-fp scan`` at realistic sizes over TLS through the latency
proxy, a warm one, and ccxt on the same servers and proxies in the same run (issue 20).

Run: ``python -m bench.bench_tls_scan --write`` (options: ``--rtt 0.1 --runs 5``,
``--ccxt-python PATH``, ``--no-ccxt``). Prints the report; with ``--write`` also puts it in
``bench/RESULTS.md``. Not a test.

Servers: one per venue on 127.0.0.1 speaking TLS with a ``trustme`` certificate (the config
trusts it with ``[tls] ca_bundle``; ccxt with its ``cafile`` option), answering with the
bundled snapshot's RECORDED bodies scaled to realistic counts by synthesised symbols
(:mod:`bench.realistic_bodies`: Binance 500, Hyperliquid 200, GRVT 80, Lighter 120), GRVT's
market-data websocket (:mod:`bench.grvt_ws_server`, ``v1.ticker.s`` snapshots), and for the
six-venue variant Bybit ~500 and OKX ~250 in their DOCUMENTED shapes
(:mod:`bench.documented_bodies`, not recordings). Each sits behind a
:class:`bench.latency_proxy.LatencyProxy`: ``rtt`` per round trip, TCP connect and TLS
handshake included; the proxies' connection timelines say where the round trips went.

Measured, fresh processes each: our cold scan (GRVT's instrument list cached on disk by a
warm-up run, as by any scan of the previous 15 minutes), the first scan on a machine (empty
cache), the same at ``rtt = 0`` (baseline: everything but the network), six venues, and ccxt
(as shipped, and with ``enableRateLimit: False``). Warm: the same clients scanning again in
one process (:mod:`bench.warm_scan`; ccxt's exchange objects kept, :mod:`bench.ccxt_scan`).
Targets: cold wall <= 4 round trips + 0.15 s; warm <= 1.2 round trips; ccxt >= 8x slower.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import trustme

from adapters.snapshot import bundled_snapshot
from bench.bench_backtest_vs_base import write_section
from bench.bench_scan_latency import CCXT_SCRIPT, VENUES, cache_env, spawn
from bench.bench_startup import console_script
from bench.grvt_ws_server import GrvtTickerServer, grvt_ticker_server
from bench.latency_proxy import (
    Connection,
    Proxies,
    critical_path,
    last_answer,
    proxies_for,
    round_trips_of,
)
from bench.machine import describe
from bench.realistic_bodies import REALISTIC_COUNTS, grvt_ticker_feeds, realistic_snapshot
from bench.replay_server import serving

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- issue-20 tls scan: begin (bench/bench_tls_scan.py --write) -->"
END = "<!-- issue-20 tls scan: end -->"
SIX = (*VENUES, "bybit", "okx")
GRVT_WS = "grvt-ws"


@attrs.frozen
class ColdRun:
    """One fresh process through the proxies."""

    wall: float
    startup: float | None
    """Spawn to the first connection accepted by a proxy."""
    network_rt: float | None
    """First connection to the last byte delivered to the client, in round trips."""
    complete: bool
    connections: Mapping[str, tuple[tuple[float, int, float], ...]]
    """Per proxy, each connection: (opened at, round trips, last answer at), in round trips
    from the run's first connection."""


def _config(urls: Mapping[str, str], bundle: Path, path: Path, venues: Sequence[str]) -> Path:
    lines = ["[tls]", f'ca_bundle = "{bundle}"', ""]
    for venue in venues:
        lines += [f"[venues.{venue}]", f'kind = "{venue}"', f'base_url = "{urls[venue]}"']
        if venue == "grvt":
            lines.append(f'ws_url = "{urls[GRVT_WS]}/ws/full"')
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def _timeline(
    taken: Mapping[str, list[Connection]], rtt: float, spawned: float
) -> tuple[float | None, float | None, dict[str, tuple[tuple[float, int, float], ...]]]:
    every = [c for conns in taken.values() for c in conns]
    if not every:
        return None, None, {}
    # GRVT's websocket ends with the ``unsubscribe`` the client sends after the snapshots
    # and never waits for: its acknowledgement is not on the scan's path
    unwaited = taken.get(GRVT_WS, [])
    first, _, rts = critical_path(every, rtt, unwaited)
    unit = rtt or 1.0
    per: dict[str, tuple[tuple[float, int, float], ...]] = {}
    for name, conns in taken.items():
        rows = []
        for c in sorted(conns, key=lambda c: c.accepted):
            skip = name == GRVT_WS
            end = last_answer(c, unwaited_last=skip)
            trips = round_trips_of(c, unwaited_last=skip)
            rows.append(((c.accepted - first) / unit, trips, (end - first) / unit))
        per[name] = tuple(rows)
    return first - spawned, rts if rtt else None, per


def _ours(
    config: Path, env: Mapping[str, str], proxies: Proxies, rtt: float, venues: Sequence[str]
) -> ColdRun:
    proxies.take_timelines()
    spawned, exited, _, code, stdout, _ = spawn(
        [console_script(), "--config", str(config), "scan", "--format", "json"], ROOT, env=env
    )
    answered = json.loads(stdout)["venues"] if code == 0 else {}
    startup, network, per = _timeline(proxies.take_timelines(), rtt, spawned)
    complete = all(answered.get(v, {}).get("ok") for v in venues)
    return ColdRun(exited - spawned, startup, network, complete, per)


def _ccxt(
    python: str, urls: Mapping[str, str], options: Mapping[str, Any], proxies: Proxies, rtt: float
) -> ColdRun:
    proxies.take_timelines()
    spawned, exited, _, code, stdout, _ = spawn(
        [python, str(CCXT_SCRIPT), json.dumps({v: urls[v] for v in VENUES}), json.dumps(options)],
        ROOT,
        timeout=120,
    )
    venues = json.loads(stdout)["venues"] if stdout.strip().startswith("{") else {}
    startup, network, per = _timeline(proxies.take_timelines(), rtt, spawned)
    complete = code == 0 and all(venues.get(v, {}).get("ok") for v in VENUES)
    return ColdRun(exited - spawned, startup, network, complete, per)


def _rounds(
    cmd: Sequence[str],
    env: Mapping[str, str] | None,
    proxies: Proxies,
    rtt: float,
    ws: GrvtTickerServer | None = None,
) -> tuple[list[float], list[str], tuple[int, int]]:
    """Each warm round's wall (rounds after the first, all venues answered) and, per round,
    what the proxies saw in it: connections opened, and per venue the most sequential
    exchanges on one connection (each a round trip). GRVT's websocket counts the
    subscribes its server received in the round (each waited for, one round trip): the
    ``unsubscribe`` after each read is not waited for, but its acknowledgement would look
    like another exchange to the proxy."""
    proxies.take_timelines()
    done = subprocess.run(
        cmd, capture_output=True, text=True, cwd=ROOT, env=None if env is None else dict(env),
        timeout=600, check=True,
    )  # fmt: skip
    timelines = proxies.take_timelines()
    rounds = json.loads(done.stdout)["rounds"]
    walls: list[float] = []
    seen: list[str] = []
    cpus: list[float | None] = []
    most = opened_total = 0
    for r in rounds[1:]:
        if not all(r["answered"].values()):
            continue
        walls.append(r["end"] - r["start"])
        cpus.append(r.get("cpu"))
        opened = sum(r["start"] <= c.accepted <= r["end"] for cs in timelines.values() for c in cs)
        opened_total += opened
        trips = {}
        for name, conns in timelines.items():
            pairs_most = 0
            for c in conns:
                window = Connection(c.accepted)
                window.deliveries = [d for d in c.deliveries if r["start"] <= d[0] <= r["end"]]
                flights = window.flights()
                pairs = sum(
                    1 for a, b in itertools.pairwise(flights) if (a[0], b[0]) == ("up", "down")
                )
                pairs_most = max(pairs_most, pairs)
            if name == GRVT_WS and ws is not None:
                pairs_most = sum(
                    1
                    for _, at, message in ws.log
                    if r["start"] <= at <= r["end"] and message.get("method") == "subscribe"
                )
            if pairs_most:
                trips[name] = pairs_most
                most = max(most, pairs_most)
        seen.append(
            f"{(r['end'] - r['start']) / (rtt or 1):.2f} RT wall, {opened} new connection(s), "
            + ", ".join(f"{k} {v}" for k, v in trips.items())
        )
    cpu = _median(cpus)
    if cpu is not None:
        seen = [f"process CPU median {cpu * 1000:.0f} ms per warm round", *seen]
    return walls, seen, (most, opened_total)


@attrs.define
class Measured:
    cold: dict[str, list[ColdRun]] = attrs.field(factory=dict)
    warm: dict[str, list[float]] = attrs.field(factory=dict)
    warm_detail: dict[str, list[str]] = attrs.field(factory=dict)

    warm_trips: dict[str, tuple[int, int]] = attrs.field(factory=dict)
    """Per client: (most sequential exchanges of a venue in a warm round, connections
    opened in warm rounds)."""

    def add(self, key: str, run: ColdRun) -> None:
        self.cold.setdefault(key, []).append(run)


def measure(
    rtt: float, runs: int, ccxt_python: str | None, *, warm_only: bool = False
) -> Measured:
    """Every variant in one run (see the module docstring), runs interleaved. ``warm_only``:
    only the warm rounds (ours and, with ``ccxt_python``, ccxt's), after the same warm-up
    scan that writes GRVT's instrument list; the warm rounds are measured exactly as in a
    full run."""
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    snapshot = realistic_snapshot(bundled_snapshot())
    grvt = snapshot.venue("grvt")
    feeds = grvt_ticker_feeds(grvt.exchanges if grvt is not None else ())
    measured = Measured()
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(0.0, snapshot, tls=server_tls, documented=True) as servers,
        grvt_ticker_server(feeds, tls=server_tls, period=1.0) as ws,
    ):
        directory = Path(tmp)
        bundle = directory / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        targets = {**servers.urls(), GRVT_WS: ws.url.removesuffix("/ws/full")}
        env = cache_env(directory / "cache")
        ccxt_options: dict[str, dict[str, Any]] = {
            "ccxt": {"cafile": str(bundle)},
            "ccxt-no-throttle": {"cafile": str(bundle), "enableRateLimit": False},
        }
        for current in (0.0, rtt):
            tag = "" if current == rtt else " rtt0"
            with proxies_for(targets, current) as proxies:
                urls = proxies.urls
                four = _config(urls, bundle, directory / f"four{tag}.toml", VENUES)
                six = _config(urls, bundle, directory / f"six{tag}.toml", SIX)
                _ours(four, env, proxies, current, VENUES)  # warm-up: bytecode, GRVT list
                if not warm_only:
                    _ours(six, env, proxies, current, SIX)
                for index in range(0 if warm_only else runs):
                    measured.add(f"ours{tag}", _ours(four, env, proxies, current, VENUES))
                    if current == rtt:
                        first_env = cache_env(directory / f"empty-{index}")
                        measured.add("first", _ours(four, first_env, proxies, current, VENUES))
                        measured.add("six", _ours(six, env, proxies, current, SIX))
                        for variant, options in ccxt_options.items():
                            if ccxt_python and index < max(1, runs // 2):
                                run = _ccxt(ccxt_python, urls, options, proxies, current)
                                measured.add(variant, run)
                warm = [sys.executable, "-m", "bench.warm_scan", str(four), "6"]
                walls, seen, trips = _rounds(warm, env, proxies, current, ws)
                measured.warm[f"ours{tag}"], measured.warm_detail[f"ours{tag}"] = walls, seen
                measured.warm_trips[f"ours{tag}"] = trips
                if ccxt_python and current == rtt:
                    for variant, options in ccxt_options.items():
                        peer = [
                            ccxt_python,
                            str(CCXT_SCRIPT),
                            json.dumps({v: urls[v] for v in VENUES}),
                            json.dumps(options),
                        ]
                        walls, seen, trips = _rounds([*peer, "6"], None, proxies, current)
                        measured.warm[variant], measured.warm_detail[variant] = walls, seen
                        measured.warm_trips[variant] = trips
    return measured


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _path(run: ColdRun) -> str:
    """Each venue's connections: ``opened+round trips->last answer`` (in round trips);
    many connections (a fan-out) summarised."""
    parts = []
    for name, conns in run.connections.items():
        if len(conns) > 4:
            opened = [a for a, _, _ in conns]
            trips = sorted({n for _, n, _ in conns})
            done = max(b for _, _, b in conns)
            parts.append(
                f"{name} [{len(conns)} connections opened {min(opened):.1f}..{max(opened):.1f},"
                f" {'/'.join(map(str, trips))} round trips each, last answer {done:.1f}]"
            )
        elif conns:
            legs = ", ".join(f"{a:.1f}+{n}->{b:.1f}" for a, n, b in conns)
            parts.append(f"{name} [{legs}]")
    return "; ".join(parts)


def structural(run: ColdRun) -> int:
    """Round trips on the run's critical path counted, not timed: the longest connection's
    round trips plus the whole round trips that passed before it was opened."""
    return max(
        (int(a + 0.5) + n for conns in run.connections.values() for a, n, _ in conns), default=0
    )


def _verdict(measured: bool, passed: bool) -> str:
    """A target's verdict cell; "not measured" for the cold rows of ``--warm-only``."""
    if not measured:
        return "not measured"
    return "**PASS**" if passed else "**FAIL**"


def render(m: Measured, rtt: float, runs: int, seconds: float, load: Sequence[float]) -> str:
    machine = describe()
    after = os.getloadavg()
    ours, base = m.cold.get("ours", []), m.cold.get("ours rtt0", [])
    cold = _median([r.wall for r in ours]) or 0.0
    target = 4 * rtt + 0.15
    network = _median([r.network_rt for r in ours])
    counted = int(_median([float(structural(r)) for r in ours]) or 0)
    startup = _median([r.startup for r in ours])
    warm = _median(m.warm.get("ours", []))
    warm0 = _median(m.warm.get("ours rtt0", []))
    sizes = ", ".join(f"{v} {n}" for v, n in REALISTIC_COUNTS.items())
    lines = [
        BEGIN,
        "## TLS scan at realistic sizes through the latency proxy (issue 20)",
        "",
        f"`python -m bench.bench_tls_scan --write` on {time.strftime('%Y-%m-%d %H:%M UTC')}"
        f", commit {machine['git_commit']}, {machine['cpu_model']}, {machine['usable_cpus']}"
        f" usable cores, {machine['python']}; {seconds:.0f} s. Load average (1, 5, 15 min)"
        f" before {', '.join(f'{x:.2f}' for x in load)}; after"
        f" {', '.join(f'{x:.2f}' for x in after)}. rtt {rtt * 1000:.0f} ms per round trip"
        " (TCP connect, TLS handshake and each request), TLS servers with a test CA; sizes:"
        f" {sizes} (the RECORDED bodies scaled up by synthesised symbols,"
        " `bench/realistic_bodies.py`); GRVT's rates from its websocket ticker snapshot."
        f" {runs} fresh processes per variant (ccxt: {max(1, runs // 2)}), interleaved.",
        "",
        "| Figure | Measured | Target | Verdict |",
        "|---|---|---|---|",
        f"| Cold `atomic-fp scan`, 4 venues, wall median | {cold:.3f} s | <= 4 round trips"
        f" + 0.15 s = {target:.2f} s | {_verdict(bool(ours), cold <= target)} |",
        f"| Same: round trips on the critical path, counted from the proxy timelines"
        f" (median of the runs) | {counted} | <= 4 | {_verdict(bool(ours), counted <= 4)} |",
        f"| Same: network time, first connect to last answer waited for, median |"
        f" {network or 0:.2f} round trips | (informational: includes the client's CPU"
        " between round trips) | |",
    ]
    if warm is not None:
        most, opened = m.warm_trips.get("ours", (0, 0))
        lines += [
            f"| Warm scan (clients kept, `bench/warm_scan.py`), wall median"
            f" | {warm * 1000:.0f} ms = {warm / rtt:.2f} round trips | <= 1.2 round trips"
            f" | **{'PASS' if warm <= 1.2 * rtt else 'FAIL'}** |",
            f"| Same: round trips per warm scan, counted (most sequential exchanges of a venue"
            f" in any warm round; connections opened) | {most} ({opened} opened)"
            f" | <= 1 | **{'PASS' if most <= 1 and opened == 0 else 'FAIL'}** |",
        ]
    for variant in ("ccxt", "ccxt-no-throttle"):
        peer = _median([r.wall for r in m.cold.get(variant, []) if r.complete])
        if peer is not None and cold:
            verdict = "PASS" if peer >= 8 * cold else "FAIL"
            lines.append(
                f"| {variant} / atomic-fp, cold wall (same run) | {peer / cold:.2f}x"
                f" ({peer:.3f} s / {cold:.3f} s) | >= 8x | **{verdict}** |"
            )
        peer_warm = _median(m.warm.get(variant, []))
        if peer_warm is not None and warm:
            lines.append(
                f"| {variant} / atomic-fp, warm scan (same run) | {peer_warm / warm:.2f}x"
                f" ({peer_warm * 1000:.0f} ms / {warm * 1000:.0f} ms) | (informational) | |"
            )
    lines += [
        "",
        "| Variant | Runs complete | Wall median | min | Start-up (spawn to first connect)"
        " | Network (round trips) | Where the round trips went (last run) |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {
        "ours": "atomic-fp, 4 venues",
        "first": "atomic-fp, first scan on a machine (no GRVT list on disk)",
        "six": "atomic-fp, 6 venues (+ Bybit ~500, OKX ~250, documented shapes)",
        "ours rtt0": "atomic-fp, 4 venues, rtt 0 (baseline)",
        "ccxt": "ccxt (as shipped)",
        "ccxt-no-throttle": "ccxt, enableRateLimit False",
    }
    for key, label in names.items():
        got = m.cold.get(key, [])
        if not got:
            continue
        net = _median([r.network_rt for r in got])
        lines.append(
            f"| {label} | {sum(r.complete for r in got)}/{len(got)}"
            f" | {_median([r.wall for r in got]) or 0:.3f} s | {min(r.wall for r in got):.3f} s"
            f" | {_median([r.startup for r in got]) or 0:.3f} s"
            f" | {'-' if net is None else f'{net:.2f}'}"
            f" | {_path(got[-1]) if key != 'ours rtt0' else ''} |"
        )
    for key, seen in m.warm_detail.items():
        if seen and key != "ours rtt0":
            lines.append(
                f"| warm rounds: {names.get(key, key)} | | | | | | {'; '.join(seen[:3])} |"
            )
    base_cold = _median([r.wall for r in base])
    lines += [
        "",
        "Connections are written `opened+round trips->last answer`, in round trips from the"
        " run's first connection (e.g. `0.0+3->3.0`: TCP connect, TLS 1.3 handshake, one"
        " request; a websocket adds its upgrade and the subscribe). Start-up is the"
        f" process's own time before its first connection (median {startup or 0:.3f} s here),"
        " which the literal wall target leaves 0.15 s for. Round trips are counted as the"
        " proxy's flights (client bytes, then server bytes): a client starved of CPU for more"
        " than a round trip between its TLS Finished and its request (a loaded machine) shows"
        " one more, as the server's session ticket answers the Finished meanwhile."
        + (
            f" The rtt-0 baseline's wall is {base_cold:.3f} s: the network added"
            f" {(cold - base_cold) / rtt:.2f} round trips of wall"
            + (
                " (a negative figure: the machine's load moved more than the network)."
                if base_cold > cold
                else "."
            )
            if base_cold
            else ""
        )
        + (f" Warm at rtt 0: {warm0 * 1000:.0f} ms." if warm0 is not None else ""),
        "",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ccxt-python", help="an interpreter with ccxt (else bench/.venv-ccxt)")
    parser.add_argument("--no-ccxt", action="store_true", help="only our scan")
    parser.add_argument("--write", action="store_true", help="into bench/RESULTS.md")
    parser.add_argument(
        "--warm-only",
        action="store_true",
        help="only the warm rounds (measured as in a full run); not with --write",
    )
    args = parser.parse_args()
    if args.warm_only and args.write:
        parser.error("--warm-only measures part of the report: not with --write")
    from bench.ccxt_env import ensure

    python = None
    if not args.no_ccxt:
        env = ensure(args.ccxt_python)
        python = env.python
        if python is None:
            print(f"ccxt comparison skipped: {env.note}", file=sys.stderr)
    load = os.getloadavg()
    started = time.perf_counter()
    measured = measure(args.rtt, args.runs, python, warm_only=args.warm_only)
    report = render(measured, args.rtt, args.runs, time.perf_counter() - started, load)
    print(report)
    if args.write:
        write_section(BEGIN, END, report)


if __name__ == "__main__":
    main()
