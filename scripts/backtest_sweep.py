"""``backtest --sweep``: run the grid, write ``sweep.csv`` / ``sweep.png``, print the table."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

import attrs
import click

from scripts import exitcodes
from scripts.basis import BASES
from scripts.option_values import decimal_option, split_commas

if TYPE_CHECKING:
    from atomic_fp.backtest.engine import BacktestSettings
    from atomic_fp.backtest.series import FundingSeries
    from scripts.backtest_options import Request


@attrs.frozen
class SweepRequest:
    builds: tuple[Decimal, ...]
    closes: tuple[Decimal, ...]
    bases: tuple[str, ...]
    jobs: int | None


def _thresholds(text: str, name: str) -> tuple[Decimal, ...]:
    values = tuple(decimal_option(part, name) for part in split_commas((text,)))
    if not values:
        raise click.BadParameter("give at least one threshold", param_hint=name)
    return values


def sweep_request(
    sweep: bool, builds: str, closes: str, bases: str, jobs: int | None
) -> SweepRequest | None:
    if not sweep:
        return None
    names = tuple(b.lower() for b in split_commas((bases,)))
    for name in names:
        if name not in BASES or name == "predicted":
            raise click.BadParameter(
                f"{name!r}: the sweep takes current, avg24h, avg7d", param_hint="--bases"
            )
    if not names:
        raise click.BadParameter("give at least one estimator", param_hint="--bases")
    return SweepRequest(
        builds=_thresholds(builds, "--build-thresholds"),
        closes=_thresholds(closes, "--close-thresholds"),
        bases=names,
        jobs=jobs,
    )


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def run_sweep_command(
    request: Request,
    sweep: SweepRequest,
    series: Sequence[FundingSeries],
    settings: BacktestSettings,
    out: TextIO,
    err: TextIO,
) -> int:
    from adapters.paper.backtest import backtest_venue
    from atomic_fp.backtest.chart import matplotlib_available
    from atomic_fp.backtest.sweep import grid, heatmap_png, run_sweep, sweep_csv, sweep_table
    from atomic_fp.decisions.estimators import Basis
    from scripts.context import fail, warn
    from scripts.output import is_terminal

    points = grid([Basis.parse(b) for b in sweep.bases], sweep.builds, sweep.closes)
    if not points:
        fail("--sweep: no grid point has close threshold <= build threshold")
    jobs = sweep.jobs or default_jobs()
    started = time.perf_counter()
    try:
        if is_terminal(err):
            with click.progressbar(length=len(points), label="sweep", file=err) as bar:
                results = run_sweep(
                    series,
                    settings,
                    points,
                    venues=backtest_venue,
                    jobs=jobs,
                    progress=lambda done, _: bar.update(1),
                )
        else:
            results = run_sweep(series, settings, points, venues=backtest_venue, jobs=jobs)
    except ValueError as bad:
        fail(f"backtest --sweep: {bad}")
    elapsed = time.perf_counter() - started
    venues = sorted({s.venue for s in series})
    symbols = sorted({s.symbol.base for s in series})
    title = (
        f"net PnL after fees: {', '.join(venues)}; {len(symbols)} symbols "
        f"({', '.join(symbols[:6])}{', ...' if len(symbols) > 6 else ''})"
    )
    if request.out_dir is not None:
        request.out_dir.mkdir(parents=True, exist_ok=True)
        (request.out_dir / "sweep.csv").write_text(sweep_csv(results), "utf-8")
        if matplotlib_available():
            heatmap_png(results, request.out_dir / "sweep.png", title)
        else:
            warn("the heat map needs matplotlib (pip install 'atomic-fp[plot]'); wrote the CSV")
    out.write(sweep_table(results))
    print(
        f"{len(points)} grid points in {elapsed:.1f} s with {jobs} process(es)",
        file=err if err is not sys.stdout else sys.stderr,
    )
    return exitcodes.OK


__all__ = ["SweepRequest", "default_jobs", "run_sweep_command", "sweep_request"]
