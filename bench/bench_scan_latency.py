"""Benchmark: scan latency against four local venues with an injected delay, vs ccxt.

Run: ``python -m bench.bench_scan_latency [--delay-ms 100] [--runs 7] [--ccxt-python PATH]``
(``python -m bench`` runs it with the others and writes ``bench/RESULTS.md``).
``--venues six`` scans six venues (adding Bybit and OKX, served in their DOCUMENTED shapes,
not recordings) beside the four in the same run: :mod:`bench.six_venue_scan`.

Four servers on 127.0.0.1 (:mod:`bench.replay_server`) replay the bundled snapshot's
recorded responses for binance, hyperliquid, grvt and lighter, each answer ``delay`` late.

- Ours: the real console script, ``atomic-fp --config FILE scan --format json``, with a
  config whose ``base_url``s point at the servers (what a user runs).
- Peer: :mod:`bench.ccxt_scan` under the ccxt environment's interpreter, the same four
  venues concurrently with ``asyncio.gather``, ``urls['api']`` pointed at the same servers.

Both are fresh processes, run alternately (ours, ccxt, ours, ccxt...) in the same run, at
delay 0 and at the delay. Each run is timed (spawn to exit) and split using the servers'
own clock (``time.perf_counter`` is the system-wide monotonic clock on Linux): start-up
(spawn to first request), network phase (first request to last answer) and tail
(ranking, output, exit). Peak RSS comes from ``os.wait4`` (in a small measuring
process). Per venue the servers count the requests and the sequential waves of requests
(round trips on that venue's path). The target's "start-up" is wall minus network phase.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from bench.bench_startup import ENV, console_script
from bench.replay_server import Served, Servers, describe, round_trips, serving, waves

CCXT_SCRIPT = Path(__file__).resolve().parent / "ccxt_scan.py"
VENUES = ("binance", "hyperliquid", "grvt", "lighter")
TIMEOUT = 60.0


@attrs.frozen
class Run:
    """One measured process against the local servers."""

    client: str
    delay: float
    wall: float
    rss_mb: float
    exit_code: int
    startup: float | None
    network: float | None
    tail: float | None
    requests: Mapping[str, int]
    waves: Mapping[str, int]
    answered: Mapping[str, bool]
    unmatched: tuple[str, ...]
    sequence: Mapping[str, tuple[tuple[str, ...], ...]] = attrs.field(factory=dict)
    """Per venue, the requests of each sequential wave (round trip), in order."""
    detail: str = ""

    @property
    def all_answered(self) -> bool:
        return all(self.answered.values()) and bool(self.answered) and self.exit_code == 0


def write_config(
    urls: Mapping[str, str],
    directory: Path,
    venues: Sequence[str] = VENUES,
    name: str = "atomic-fp-bench.toml",
) -> Path:
    """An ``atomic-fp.toml`` whose ``venues`` (default: the four) live on the local servers."""
    lines = []
    for venue in venues:
        lines += [f"[venues.{venue}]", f'kind = "{venue}"', f'base_url = "{urls[venue]}"', ""]
    path = directory / name
    path.write_text("\n".join(lines))
    return path


_MEASURE = """
import json, os, subprocess, sys, threading, time
timeout, out, err, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with open(out, "wb") as stdout, open(err, "wb") as stderr:
    spawned = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    _, status, usage = os.wait4(process.pid, 0)
    exited = time.perf_counter()
    killer.cancel()
print(json.dumps([spawned, exited, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))
"""
"""Runs one command and reports its times and peak RSS. A fresh, small process forks the
command: the peak RSS of a child counts the memory image it was forked with, so forking
from the (large) benchmark process itself would inflate the figure."""


def spawn(
    cmd: Sequence[str],
    cwd: Path,
    timeout: float = TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> tuple[float, float, float, int, str, str]:
    """(spawned at, exited at, peak RSS MB, exit code, stdout, stderr) of one process,
    killed after ``timeout`` seconds so that a hung client cannot hang the benchmark.
    Times are ``time.perf_counter`` values (the system-wide monotonic clock on Linux, so
    comparable with the servers' request log)."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        measured = subprocess.run(
            [sys.executable, "-c", _MEASURE, str(timeout), str(out), str(err), *cmd],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(ENV if env is None else env),
            timeout=timeout + 30,
            check=True,
        )
        spawned, exited, rss_kb, code = json.loads(measured.stdout)
        stdout = out.read_text(errors="replace")
        stderr = err.read_text(errors="replace")
    return float(spawned), float(exited), rss_kb / 1024, int(code), stdout, stderr


def _split(
    logs: Mapping[str, list[Served]], spawned: float, exited: float
) -> tuple[float | None, float | None, float | None]:
    served = [s for log in logs.values() for s in log]
    if not served:
        return None, None, None
    first = min(s.arrived for s in served)
    last = max(s.answered for s in served)
    return first - spawned, last - first, exited - last


def _measured(
    client: str,
    delay: float,
    servers: Servers,
    cmd: Sequence[str],
    cwd: Path,
    answered: Any,
    env: Mapping[str, str] | None = None,
    venues: Sequence[str] = VENUES,
) -> Run:
    servers.take_logs()  # forget anything left from before
    spawned, exited, rss, code, stdout, stderr = spawn(cmd, cwd, env=env)
    logs = servers.take_logs()
    startup, network, tail = _split(logs, spawned, exited)
    try:
        ok, detail = answered(stdout, venues)
    except (ValueError, KeyError, TypeError) as error:
        ok, detail = {}, f"unreadable output ({error}); stderr: {stderr[-300:]}"
    return Run(
        client=client,
        delay=delay,
        wall=exited - spawned,
        rss_mb=rss,
        exit_code=code,
        startup=startup,
        network=network,
        tail=tail,
        requests={v: len(logs.get(v, [])) for v in venues},
        waves={v: round_trips(logs.get(v, []), gap=0.0) for v in venues},
        answered=ok,
        unmatched=tuple(
            f"{v}: {s.method} {s.path}" for v, log in logs.items() for s in log if not s.matched
        ),
        sequence={
            v: tuple(tuple(sorted({describe(s) for s in wave})) for wave in waves(logs.get(v, [])))
            for v in venues
        },
        detail=detail,
    )


def _ours_answered(stdout: str, names: Sequence[str] = VENUES) -> tuple[dict[str, bool], str]:
    venues = json.loads(stdout)["venues"]
    ok = {v: bool(venues.get(v, {}).get("ok")) for v in names}
    detail = ", ".join(f"{v}: {venues.get(v, {}).get('rates', 0)} rates" for v in names)
    return ok, detail


def _ccxt_answered(stdout: str, _names: Sequence[str] = VENUES) -> tuple[dict[str, bool], str]:
    venues = json.loads(stdout.strip().splitlines()[-1])["venues"]
    ok = {v: bool(venues.get(v, {}).get("ok")) for v in VENUES}
    detail = "; ".join(
        f"{v}: {venues[v]['rates']} rates via {venues[v]['method']}"
        + (f" ({venues[v]['error']})" if venues[v].get("error") else "")
        for v in VENUES
        if v in venues
    )
    return ok, detail


CACHE_DIR_ENV = "ATOMIC_FP_CACHE_DIR"


def cache_env(directory: Path) -> dict[str, str]:
    """The child processes' environment with their cache directory (GRVT's instrument
    list, see ``scripts.runtime.cache_dir``) in ``directory``: a temporary directory of
    this benchmark run, never the user's own cache."""
    return {**ENV, CACHE_DIR_ENV: str(directory)}


def run_ours(
    servers: Servers,
    config: Path,
    delay: float,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    client: str = "atomic-fp",
    venues: Sequence[str] = VENUES,
) -> Run:
    cmd = [console_script(), "--config", str(config), "scan", "--format", "json"]
    return _measured(client, delay, servers, cmd, cwd, _ours_answered, env, venues)


CCXT_VARIANTS: dict[str, dict[str, Any]] = {
    "ccxt": {},
    "ccxt-no-throttle": {"enableRateLimit": False},
}
"""ccxt with its defaults (what users get: the client-side rate limiter spaces requests
to one venue), and with ``enableRateLimit`` off (its fastest configuration)."""


def run_ccxt(servers: Servers, python: str, delay: float, cwd: Path, variant: str = "ccxt") -> Run:
    options = CCXT_VARIANTS[variant]
    cmd = [python, str(CCXT_SCRIPT), json.dumps(servers.urls()), json.dumps(options)]
    return _measured(variant, delay, servers, cmd, cwd, _ccxt_answered)


def measure(delay: float, runs: int, ccxt_python: str | None) -> list[Run]:
    """Interleaved runs of ours and ccxt at delay 0 and at ``delay``, after a warm-up."""
    results: list[Run] = []
    with serving(0.0) as servers, tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        config = write_config(servers.urls(), cwd)
        # The warm-up also stores GRVT's instrument list in this run's own cache
        # directory, as any earlier scan on the machine would (fetched < 15 min ago).
        env = cache_env(cwd / "atomic-fp-cache")
        run_ours(servers, config, 0.0, cwd, env)  # warm-up: bytecode and file caches
        if ccxt_python:
            run_ccxt(servers, ccxt_python, 0.0, cwd)
        for current in (0.0, delay):
            servers.set_delay(current)
            for _ in range(runs):
                results.append(run_ours(servers, config, current, cwd, env))
                if ccxt_python:
                    for variant in CCXT_VARIANTS:
                        results.append(run_ccxt(servers, ccxt_python, current, cwd, variant))
    return results


def measure_first(delay: float, runs: int) -> dict[str, Any]:
    """Our scan with an empty cache directory (a machine's very first scan, or the first
    after ``instrument_ttl``): ``runs`` fresh processes at ``delay``, each with a new
    cache directory, after a warm-up run for the bytecode. Medians, as JSON values."""
    chosen: list[Run] = []
    with serving(0.0) as servers, tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        config = write_config(servers.urls(), cwd)
        run_ours(servers, config, 0.0, cwd, cache_env(cwd / "warm-up-cache"))
        servers.set_delay(delay)
        for index in range(runs):
            env = cache_env(cwd / f"empty-cache-{index}")
            chosen.append(run_ours(servers, config, delay, cwd, env, "atomic-fp, empty cache"))
    networks = [r.network for r in chosen if r.network is not None]
    network = statistics.median(networks) if networks else None
    return {
        "delay_s": delay,
        "runs": len(chosen),
        "runs_all_venues_answered": sum(r.all_answered for r in chosen),
        "wall_s": statistics.median(r.wall for r in chosen),
        "network_s": network,
        "network_in_delays": network / delay if network is not None and delay else None,
        "waves": {v: max(r.waves[v] for r in chosen) for v in VENUES},
        "critical_path_round_trips": max(max(r.waves.values()) for r in chosen),
    }


def _warm_rounds(
    client: str,
    servers: Servers,
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One process scanning several rounds with the same clients; per round its time,
    the requests each venue saw during it, their waves, and whether all venues answered."""
    servers.take_logs()
    _, _, _, code, stdout, stderr = spawn(cmd, cwd, env=env)
    logs = servers.take_logs()
    if code != 0:
        raise RuntimeError(f"{client} warm scan exited {code}: {stderr[-500:]}")
    rounds = []
    for item in json.loads(stdout.strip().splitlines()[-1])["rounds"]:
        start, end = float(item["start"]), float(item["end"])
        inside = {v: [s for s in logs.get(v, []) if start <= s.arrived <= end] for v in VENUES}
        rounds.append(
            {
                "seconds": end - start,
                "requests": {v: len(inside[v]) for v in VENUES},
                "waves": {v: len(waves(inside[v])) for v in VENUES},
                "all_answered": all(bool(item["answered"].get(v)) for v in VENUES),
            }
        )
    return rounds


def measure_warm(delay: float, rounds: int, ccxt_python: str | None) -> dict[str, Any]:
    """Steady state: each client scans ``rounds`` + 1 times in one process (the first
    round is cold), at ``delay`` per request. Medians are of the warm rounds."""
    clients: dict[str, list[dict[str, Any]]] = {}
    with serving(delay) as servers, tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        config = write_config(servers.urls(), cwd)
        ours = [sys.executable, "-m", "bench.warm_scan", str(config), str(rounds + 1)]
        root = Path(__file__).resolve().parent.parent  # so that ``-m bench...`` resolves
        # a cache directory of its own, empty: the first round is a truly cold one
        env = cache_env(cwd / "atomic-fp-cache")
        clients["atomic-fp"] = _warm_rounds("atomic-fp", servers, ours, root, env)
        if ccxt_python:
            for variant, options in CCXT_VARIANTS.items():
                cmd = [
                    ccxt_python,
                    str(CCXT_SCRIPT),
                    json.dumps(servers.urls()),
                    json.dumps(options),
                    str(rounds + 1),
                ]
                clients[variant] = _warm_rounds(variant, servers, cmd, cwd)
    summary: dict[str, Any] = {"delay_s": delay, "warm_rounds": rounds, "clients": {}}
    for client, measured in clients.items():
        cold, warm = measured[0], measured[1:]
        summary["clients"][client] = {
            "cold_s": cold["seconds"],
            "cold_waves": cold["waves"],
            "warm_s": statistics.median(r["seconds"] for r in warm),
            "warm_max_s": max(r["seconds"] for r in warm),
            "warm_waves": {v: max(r["waves"][v] for r in warm) for v in VENUES},
            "warm_requests": warm[-1]["requests"],
            "rounds_all_answered": sum(r["all_answered"] for r in measured),
            "rounds": len(measured),
        }
    ours_warm = summary["clients"]["atomic-fp"]["warm_s"]
    summary["ours_pass_literal"] = ours_warm <= 1.2 * delay
    summary["ratio"] = {
        variant: summary["clients"][variant]["warm_s"] / ours_warm
        for variant in CCXT_VARIANTS
        if variant in summary["clients"]
    }
    return summary


def import_cost(python: str, module: str, runs: int) -> tuple[float, float]:
    """(median wall s, max peak RSS MB) of ``python -c 'import module'`` (for scale)."""
    walls, rss = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs + 1):
            spawned, exited, peak, _, _, _ = spawn([python, "-c", f"import {module}"], Path(tmp))
            walls.append(exited - spawned)
            rss.append(peak)
    return statistics.median(walls[1:]), max(rss[1:])


def summarise(runs: Sequence[Run], delay: float) -> dict[str, Any]:
    """Medians per (client, delay), the targets and the ratio, as plain JSON values."""
    summary: dict[str, Any] = {"delay_s": delay, "clients": {}}
    for client in sorted({r.client for r in runs}):
        per: dict[str, Any] = {}
        for current in sorted({r.delay for r in runs}):
            chosen = [r for r in runs if r.client == client and r.delay == current]
            if not chosen:
                continue
            good = [r for r in chosen if r.all_answered]

            def med(values: list[float | None]) -> float | None:
                present = [v for v in values if v is not None]
                return statistics.median(present) if present else None

            per["delayed" if current else "zero"] = {
                "delay_s": current,
                "runs": len(chosen),
                "runs_all_venues_answered": len(good),
                "wall_s": med([r.wall for r in chosen]),
                "wall_min_s": min(r.wall for r in chosen),
                "wall_max_s": max(r.wall for r in chosen),
                "startup_s": med([r.startup for r in chosen]),
                "network_s": med([r.network for r in chosen]),
                "tail_s": med([r.tail for r in chosen]),
                "rss_mb_max": max(r.rss_mb for r in chosen),
                "requests": dict(chosen[-1].requests),
                "waves": {v: max(r.waves[v] for r in chosen) for v in VENUES},
                "sequence": {
                    v: [list(w) for w in max((r.sequence[v] for r in chosen), key=len)]
                    for v in VENUES
                },
                "answered": {v: all(r.answered.get(v, False) for r in chosen) for v in VENUES},
                "unmatched": sorted({u for r in chosen for u in r.unmatched}),
                "detail": chosen[-1].detail,
            }
        summary["clients"][client] = per
    ours = summary["clients"].get("atomic-fp", {})
    if "zero" in ours and "delayed" in ours:
        delayed = ours["delayed"]
        network = delayed["network_s"]
        path = max(delayed["waves"].values())
        total = sum(delayed["waves"].values())
        # start-up = everything in a delayed run that is not waiting on the network
        # (process start, imports, parsing, ranking, output): wall - network phase. So
        # "wall <= 1.2 x delay + start-up" is exactly "network phase <= 1.2 x delay".
        summary["ours"] = {
            "wall_s": delayed["wall_s"],
            "startup_s": delayed["wall_s"] - network,
            "network_s": network,
            "network_zero_delay_s": ours["zero"]["network_s"],
            "network_in_delays": network / delay,
            "critical_path_round_trips": path,
            "sum_of_round_trips": total,
            "target_literal_s": 1.2 * delay,
            "pass_literal": network <= 1.2 * delay,
            "target_per_round_trip_s": 1.2 * path * delay,
            "pass_per_round_trip": network <= 1.2 * path * delay,
            "sequential_sum_s": total * delay,
            "pass_not_the_sum": network < total * delay,
        }
    summary["ratio"] = {}
    for variant in CCXT_VARIANTS:
        peer = summary["clients"].get(variant, {})
        if not (ours and peer):
            continue
        ratio = {
            key: peer[key]["wall_s"] / ours[key]["wall_s"]
            for key in ("zero", "delayed")
            if key in peer and key in ours
        }
        if "delayed" in peer and "delayed" in ours and ours["delayed"]["network_s"]:
            ratio["network_delayed"] = peer["delayed"]["network_s"] / ours["delayed"]["network_s"]
        summary["ratio"][variant] = ratio
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--delay-ms", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--ccxt-python", help="an interpreter with ccxt (else bench/.venv-ccxt)")
    parser.add_argument("--no-ccxt", action="store_true", help="only our scan")
    parser.add_argument(
        "--venues",
        choices=("four", "six"),
        default="four",
        help="four: the recorded venues vs ccxt (as before); six: with Bybit and OKX"
        " (documented shapes, not recordings) beside four, our scan only",
    )
    parser.add_argument(
        "--write-results", action="store_true", help="six: update bench/RESULTS.md's section"
    )
    args = parser.parse_args(argv)
    if args.venues == "six":
        from bench.six_venue_scan import measure_six, render, write_section

        result = measure_six(args.delay_ms / 1000, args.runs)
        print(json.dumps(result, indent=1))
        if args.write_results:
            write_section(Path(__file__).resolve().parent / "RESULTS.md", render(result))
        return 0
    from bench.ccxt_env import ensure

    env = None if args.no_ccxt else ensure(args.ccxt_python)
    if env is not None and env.python is None:
        print(f"ccxt comparison skipped: {env.note}", file=sys.stderr)
    delay = args.delay_ms / 1000
    python = env.python if env else None
    summary = summarise(measure(delay, args.runs, python), delay)
    summary["warm"] = measure_warm(delay, args.runs, python)
    summary["first_scan"] = measure_first(delay, args.runs)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
