"""Run every benchmark once, side by side, and write ``bench/RESULTS.md``.

``python -m bench`` (see ``bench/README.md``). Each section is bounded: a fixed number of
runs, subprocess time limits, and the backtest stops repeating once it has used its time
budget. Raw figures go to ``bench/out/results.json`` (git-ignored); the report, with the
machine description and the targets, to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _load() -> float:
    return os.getloadavg()[0]


def startup(runs: int) -> dict[str, Any]:
    """``atomic-fp --help`` and ``atomic-fp scan --offline``: wall, CPU, peak RSS."""
    from bench.bench_startup import measure

    load = _load()
    with tempfile.TemporaryDirectory() as cwd:
        measure(["--help"], cwd)  # warm-up: bytecode and file caches
        measure(["scan", "--offline"], cwd)
        helps, scans = [], []
        for _ in range(runs):  # interleaved, so load changes hit both alike
            helps.append(measure(["--help"], cwd))
            scans.append(measure(["scan", "--offline"], cwd))

    def figures(samples: list[tuple[float, float, float]]) -> dict[str, float]:
        walls = [w for w, _, _ in samples]
        return {
            "wall_s": statistics.median(walls),
            "wall_min_s": min(walls),
            "wall_max_s": max(walls),
            "cpu_s": statistics.median(c for _, _, c in samples),
            "rss_mb": statistics.median(r for _, r, _ in samples),
            "rss_mb_max": max(r for _, r, _ in samples),
        }

    return {
        "runs": runs,
        "help": figures(helps),
        "scan": figures(scans),
        "load_before": load,
        "load_after": _load(),
    }


def ranking(runs: int) -> dict[str, Any]:
    """10 venues x 500 symbols through ``rank_opportunities`` (bench_ranking's
    ``time_runs``), in the variants bench_ranking itself reports."""
    from bench.bench_ranking import SYMBOLS, VENUES, make_config, time_runs

    load = _load()
    variants: list[tuple[str, dict[str, object]]] = [
        ("every ordered pair, fully ranked", {}),
        ("min_net_apr = build_threshold", {"min_net_apr": make_config().build_threshold}),
        ("per_symbol=1 (best pair per symbol: scan's default view)", {"per_symbol": 1}),
    ]
    measured: list[dict[str, Any]] = []
    for label, options in variants:
        try:
            walls, cpus, count = time_runs(runs, **options)
        except TypeError as error:  # an option bench_ranking no longer offers
            measured.append({"label": label, "error": str(error)})
            continue
        measured.append(
            {
                "label": label,
                "opportunities": count,
                "wall_ms": statistics.median(walls) * 1000,
                "wall_min_ms": min(walls) * 1000,
                "wall_max_ms": max(walls) * 1000,
                "cpu_ms": statistics.median(cpus) * 1000,
            }
        )
    return {
        "runs": runs,
        "venues": VENUES,
        "symbols": SYMBOLS,
        "pairs": SYMBOLS * VENUES * (VENUES - 1),
        "variants": measured,
        "load_before": load,
        "load_after": _load(),
    }


_BACKTEST_TOTAL = re.compile(r"total ([\d.]+) s")
_BACKTEST_PHASE = re.compile(r"(load|build|engine) ([\d.]+) s")


def backtest(runs: int, budget: float) -> dict[str, Any]:
    """``python -m bench.bench_backtest --runs 1``, repeated up to ``runs`` times while
    the time used stays under ``budget`` seconds (each process times its own phases)."""
    if not (HERE / "bench_backtest.py").exists():
        return {"missing": "bench/bench_backtest.py does not exist"}
    load = _load()
    totals: list[float] = []
    phases: list[dict[str, float]] = []
    outputs: list[str] = []
    started = time.perf_counter()
    for _ in range(runs):
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.bench_backtest", "--runs", "1"],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=max(budget * 2, 60),
                check=False,
            )
        except subprocess.TimeoutExpired:
            outputs.append(f"timed out after {max(budget * 2, 60):.0f} s")
            break
        outputs.append(done.stdout.strip() or done.stderr.strip()[-500:])
        found = _BACKTEST_TOTAL.search(done.stdout)
        if done.returncode != 0 or found is None:
            return {"failed": f"exit {done.returncode}: {outputs[-1][-800:]}"}
        totals.append(float(found.group(1)))
        phases.append({name: float(value) for name, value in _BACKTEST_PHASE.findall(done.stdout)})
        if time.perf_counter() - started > budget:
            break
    return {
        "runs": len(totals),
        "runs_wanted": runs,
        "total_s": statistics.median(totals),
        "total_min_s": min(totals),
        "total_max_s": max(totals),
        "phases_s": {
            name: statistics.median(p[name] for p in phases)
            for name in ("load", "build", "engine")
            if all(name in p for p in phases)
        },
        "output": outputs[-1],
        "load_before": load,
        "load_after": _load(),
    }


def scan_latency(delay_ms: float, runs: int, ccxt_python: str | None) -> dict[str, Any]:
    from bench.bench_scan_latency import (
        import_cost,
        measure,
        measure_first,
        measure_warm,
        summarise,
    )

    load = _load()
    delay = delay_ms / 1000
    measured = measure(delay, runs, ccxt_python)
    summary = summarise(measured, delay)
    summary["runs_each"] = runs
    summary["warm"] = measure_warm(delay, runs, ccxt_python)
    summary["first_scan"] = measure_first(delay, runs)
    if ccxt_python:
        wall, rss = import_cost(ccxt_python, "ccxt.async_support", min(runs, 5))
        summary["ccxt_import"] = {"wall_s": wall, "rss_mb_max": rss}
    summary["load_before"] = load
    summary["load_after"] = _load()
    return summary


def six_venue_scan(delay_ms: float, runs: int) -> dict[str, Any]:
    """Six venues (Bybit and OKX in documented shapes) beside four, same run."""
    from bench.six_venue_scan import measure_six

    return measure_six(delay_ms / 1000, runs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run all benchmarks and write bench/RESULTS.md."
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--delay-ms", type=float, default=100.0, help="injected venue delay")
    parser.add_argument("--ccxt-python", help="interpreter with ccxt (default bench/.venv-ccxt)")
    parser.add_argument("--no-ccxt", action="store_true", help="skip the ccxt comparison")
    parser.add_argument("--backtest-runs", type=int, default=3)
    parser.add_argument(
        "--backtest-budget", type=float, default=60.0, help="stop repeating after this many s"
    )
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)

    from bench.ccxt_env import ensure
    from bench.machine import describe
    from bench.report import render

    results: dict[str, Any] = {"machine": describe(), "command": "python -m bench"}
    if args.no_ccxt:
        results["ccxt_env"] = {"python": None, "version": None, "note": "--no-ccxt"}
        ccxt_python = None
    else:
        env = ensure(args.ccxt_python)
        results["ccxt_env"] = {"python": env.python, "version": env.version, "note": env.note}
        ccxt_python = env.python
    steps: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
        ("startup", lambda: startup(args.runs)),
        ("ranking", lambda: ranking(max(args.runs, 15))),
        ("scan_latency", lambda: scan_latency(args.delay_ms, args.runs, ccxt_python)),
        ("six_venue_scan", lambda: six_venue_scan(args.delay_ms, args.runs)),
        ("backtest", lambda: backtest(args.backtest_runs, args.backtest_budget)),
    )
    began = time.perf_counter()
    for name, step in steps:
        print(f"[bench] {name}...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        results[name] = step()
        results[name]["section_s"] = time.perf_counter() - t0
    results["total_s"] = time.perf_counter() - began
    results["machine"]["load_average_end"] = os.getloadavg()
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    args.out.write_text(render(results))
    print(f"[bench] wrote {args.out} in {results['total_s']:.0f} s", file=sys.stderr)
    return 0
