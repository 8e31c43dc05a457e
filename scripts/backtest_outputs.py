"""Writing what ``atomic-fp backtest`` computed: ``summary.json``, ``trades.csv``,
``equity.csv`` and the chart, each atomically (a temporary file moved into place). Runs
after the summary is on stdout, so a failed write loses nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scripts import exitcodes

if TYPE_CHECKING:
    from atomic_fp.backtest.engine import BacktestResult
    from scripts.backtest_options import Request


def write_files(request: Request, result: BacktestResult, summary_text: str) -> int:
    """summary.json, trades.csv, equity.csv and the chart, each written atomically. A
    failure (the disk filled, the directory vanished) is reported and exits 1; the
    summary is already on stdout."""
    from atomic_fp.backtest.chart import matplotlib_available, plot_png
    from atomic_fp.backtest.report import equity_csv, trades_csv
    from scripts.atomic_write import write_text, write_with
    from scripts.context import error

    problems = []
    if request.out_dir is not None:
        try:
            request.out_dir.mkdir(parents=True, exist_ok=True)
            write_text(request.out_dir / "summary.json", summary_text)
            write_text(request.out_dir / "trades.csv", trades_csv(result.fills))
            write_text(request.out_dir / "equity.csv", equity_csv(result.equity))
        except OSError as bad:
            problems.append(f"--out-dir: cannot write to {request.out_dir}: {bad.strerror or bad}")
    plot = request.plot
    if plot is not None and matplotlib_available():
        try:
            write_with(plot, lambda temporary: plot_png(result, temporary))
        except (OSError, ValueError) as bad:
            problems.append(f"--plot: cannot write {plot}: {bad}")
    for problem in problems:
        error(problem, event="output_failed")
    return exitcodes.NOTHING_USABLE if problems else exitcodes.OK
