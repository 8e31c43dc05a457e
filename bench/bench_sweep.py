"""Benchmark: ``backtest --sweep`` on the research year, one 5 x 5 grid per estimator.

Run: ``python -m bench.bench_sweep [--data DIR] [--jobs N] [--out-dir DIR]``. Target from
issue 15: **< 60 s for a 5 x 5 grid** (build x close thresholds) on this machine. It is a
benchmark, not a test: wall time depends on the machine and its load, so the load
averages before and after are printed beside it, with the CPU time of the processes.

Data: ``../shared/research-data/funding_rate_data/derived_csv`` (``ZuShen168/
funding_rate_data``, MIT): Binance, Bybit and Hyperliquid, BTC, ETH and SOL, Aug 2025 -
Aug 2026 (26,346 settlements); ``--data`` also takes the dataset's Parquet files (more
symbols). Each estimator's 5 x 5 grid is timed on its own (the figure the target is about),
then the three grids' results go to ``sweep.csv`` / ``sweep.png`` in ``--out-dir`` and the
table is printed: the same output as ``atomic-fp backtest --sweep`` (each venue's published
taker fee, trade size 1 unit per leg, fills at mark +- 0.02 %).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from adapters.history.loaders import load_path
from adapters.paper.backtest import backtest_venue
from adapters.published_fees import PUBLISHED_FEES
from atomic_fp.backtest.chart import matplotlib_available
from atomic_fp.backtest.engine import BacktestSettings
from atomic_fp.backtest.series import FundingSeries, HistoryRow, build_series
from atomic_fp.backtest.sweep import grid, heatmap_png, run_sweep, sweep_csv, sweep_table
from atomic_fp.decisions.estimators import Basis
from atomic_fp.models import ArbitrageConfig
from bench.machine import describe
from scripts.backtest_sweep import default_jobs

RESEARCH = Path(__file__).resolve().parents[2] / "shared/research-data"
DEFAULT_DATA = RESEARCH / "funding_rate_data/derived_csv"
BUILDS = tuple(Decimal(v) for v in ("0.1", "0.2", "0.3", "0.5", "1.0"))
CLOSES = tuple(Decimal(v) for v in ("0", "0.02", "0.05", "0.08", "0.1"))
TARGET_S = 60.0


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--out-dir", type=Path, default=Path("bench/out/sweep"))
    parser.add_argument("--bases", default="current,avg24h,avg7d")
    args = parser.parse_args(argv)
    machine = describe()
    rows: list[HistoryRow] = []
    for path in args.data or [DEFAULT_DATA]:
        rows.extend(load_path(path).unwrap())
    built = build_series(rows)
    series = [s for s in built.series if s.symbol.base in _hedgeable(built.series)]
    config = ArbitrageConfig(
        build_threshold=BUILDS[0],
        close_threshold=CLOSES[0],
        max_position=Decimal(1),
        trade_size=Decimal(1),
        # each venue's published base tier, as `atomic-fp backtest` uses without a config
        fees={name: quote.fees for name, quote in PUBLISHED_FEES.items()},
    )
    settings = BacktestSettings(config=config)
    print(
        f"data: {len(series)} series, {sum(len(s) for s in series)} settlements, venues "
        f"{sorted({s.venue for s in series})}, symbols {sorted({s.symbol.base for s in series})}"
    )
    print(f"machine: {machine}")
    results = []
    for name in args.bases.split(","):
        points = grid([Basis.parse(name)], BUILDS, CLOSES)
        load_before = os.getloadavg()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        done = run_sweep(series, settings, points, venues=backtest_venue, jobs=args.jobs)
        wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        load_after = os.getloadavg()
        verdict = "PASS" if wall < TARGET_S else "FAIL"
        print(
            f"{name}: {len(points)} points (5 x 5 grid) in {wall:.1f} s wall, {cpu:.1f} s CPU, "
            f"{args.jobs} process(es); target < 60 s for a 5 x 5 grid: {verdict}; "
            f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}",
            flush=True,
        )
        results.extend(done)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "sweep.csv").write_text(sweep_csv(results), "utf-8")
    if matplotlib_available():
        heatmap_png(
            results,
            args.out_dir / "sweep.png",
            "net PnL after fees, research year "
            f"({', '.join(sorted({s.venue for s in series}))}; "
            f"{', '.join(sorted({s.symbol.base for s in series}))})",
        )
    sys.stdout.write(sweep_table(results))
    return 0


def _hedgeable(series: Sequence[FundingSeries]) -> set[str]:
    """Symbols on at least two venues (a symbol on one venue cannot be hedged)."""
    venues: dict[str, set[str]] = {}
    for item in series:
        venues.setdefault(item.symbol.base, set()).add(item.venue)
    return {base for base, names in venues.items() if len(names) >= 2}


if __name__ == "__main__":
    raise SystemExit(main())
