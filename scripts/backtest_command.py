"""``atomic-fp backtest``: replay recorded funding history through the live decisions and
the paper venue, and say what it would have earned."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from scripts import exitcodes
from scripts.backtest_checks import check_outputs, check_prices, check_ranges, explain_no_match
from scripts.backtest_options import Request, prices_option, when_option
from scripts.backtest_outputs import write_files
from scripts.backtest_strategy import backtest_strategy, basis_of
from scripts.backtest_sweep import sweep_request
from scripts.backtest_table import summary_table
from scripts.basis import BASES
from scripts.option_values import optional_decimal, split_commas

__all__ = ["Request", "backtest", "run"]

if TYPE_CHECKING:
    from atomic_fp.backtest.engine import BacktestResult, BacktestSettings
    from atomic_fp.backtest.series import FundingSeries


@click.command(name="backtest")
@click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Funding history: a file (CSV/Parquet) or a directory of them; repeatable.",
)
@click.option("--symbols", multiple=True, help="Symbols to trade (BTC,ETH...); default all.")
@click.option("--venues", multiple=True, help="Venues to use; default all in the data.")
@click.option("--from", "start", help="Start (inclusive), e.g. 2025-09-01 (UTC).")
@click.option("--to", "end", help="End (exclusive).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML config ([strategy] thresholds and sizes, [venues.<id>] fees).",
)
@click.option("--trade-size", help="Override strategy.trade_size (base units).")
@click.option("--max-position", help="Override strategy.max_position (base units).")
@click.option("--build-threshold", help="Override strategy.build_threshold (APR fraction).")
@click.option("--close-threshold", help="Override strategy.close_threshold (APR fraction).")
@click.option(
    "--half-spread",
    default="0.0002",
    show_default=True,
    help="Slippage model: fills at mark +- this fraction.",
)
@click.option("--capital", help="Collateral (USD) for return on capital; default: full.")
@click.option(
    "--price",
    "prices",
    multiple=True,
    help="BASE=PRICE: assumed constant price for symbols whose data has no mark price.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write summary.json, trades.csv and equity.csv here.",
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Chart PNG (needs matplotlib: pip install 'atomic-fp[plot]').",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    help="Output: table (default on a terminal) or json.",
)
@click.option(
    "--basis",
    type=click.Choice(BASES[:1] + BASES[2:], case_sensitive=False),
    help="Rates the decisions see: the last settled (current) or the trailing 24 h / 7 d "
    "average of settlements (default: [strategy] basis, else current).",
)
@click.option(
    "--sweep",
    is_flag=True,
    help="Run a grid of build x close thresholds x estimators; writes sweep.csv and "
    "sweep.png (heat map of net PnL) to --out-dir and prints the table.",
)
@click.option(
    "--build-thresholds",
    default="0.05,0.1,0.2,0.3,0.5",
    show_default=True,
    help="Sweep: build thresholds (net APR fractions).",
)
@click.option(
    "--close-thresholds",
    default="-0.1,-0.05,0,0.02,0.05",
    show_default=True,
    help="Sweep: close thresholds (net APR fractions).",
)
@click.option(
    "--bases",
    default="current,avg24h,avg7d",
    show_default=True,
    help="Sweep: estimators.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Sweep: processes running grid points at once (default: CPU count).",
)
@click.pass_context
def backtest(
    ctx: click.Context,
    data: tuple[Path, ...],
    symbols: tuple[str, ...],
    venues: tuple[str, ...],
    start: str | None,
    end: str | None,
    config_path: str | None,
    trade_size: str | None,
    max_position: str | None,
    build_threshold: str | None,
    close_threshold: str | None,
    half_spread: str,
    capital: str | None,
    prices: tuple[str, ...],
    out_dir: Path | None,
    plot: Path | None,
    output_format: str | None,
    basis: str | None,
    sweep: bool,
    build_thresholds: str,
    close_thresholds: str,
    bases: str,
    jobs: int | None,
) -> None:
    """Backtest the funding-arbitrage decisions on recorded funding history.

    Steps through every venue's real settlement times, feeds the decisions the rate each
    venue had last settled (no look-ahead), executes their signals on paper venues with
    fees and a slippage model, and settles funding with each venue's rate and interval of
    the time. Gaps in the data are reported per venue and symbol, never filled with zero;
    a decision that needs a missing rate does not trade.
    """
    request = Request(
        data=data,
        symbols=split_commas(symbols),
        venues=[v.lower() for v in split_commas(venues)],
        start=when_option(start, "--from"),
        end=when_option(end, "--to"),
        config_path=config_path,
        overrides={
            name: value
            for name, value in (
                ("trade_size", optional_decimal(trade_size, "--trade-size")),
                ("max_position", optional_decimal(max_position, "--max-position")),
                ("build_threshold", optional_decimal(build_threshold, "--build-threshold")),
                ("close_threshold", optional_decimal(close_threshold, "--close-threshold")),
            )
            if value is not None
        },
        half_spread=optional_decimal(half_spread, "--half-spread") or Decimal(0),
        capital=optional_decimal(capital, "--capital"),
        prices=prices_option(prices),
        out_dir=out_dir,
        plot=plot,
        output_format=output_format,
        basis=basis,
        sweep=sweep_request(sweep, build_thresholds, close_thresholds, bases, jobs),
    )
    if request.start and request.end and request.end <= request.start:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    check_ranges(request)
    check_outputs(request)
    code = run(ctx, request, sys.stdout, sys.stderr)
    if code != exitcodes.OK:
        ctx.exit(code)


def run(ctx: click.Context, request: Request, out: TextIO, err: TextIO) -> int:
    from returns.result import Failure

    from adapters.history.loaders import Filters, load_path
    from atomic_fp.backtest.chart import matplotlib_available, text_chart
    from atomic_fp.backtest.engine import BacktestSettings
    from atomic_fp.backtest.report import summary
    from atomic_fp.backtest.series import HistoryRow, build_series
    from atomic_fp.models import Symbol
    from scripts.context import fail, warn
    from scripts.json_contract import versioned
    from scripts.output import is_terminal

    config = backtest_strategy(ctx, request)
    try:
        symbols = [Symbol.parse(s) for s in request.symbols]
    except ValueError as bad:
        fail(f"--symbols: {bad}")

    def load(filters: Filters) -> list[HistoryRow]:
        rows: list[HistoryRow] = []
        for path in request.data:
            loaded = load_path(path, filters)
            if isinstance(loaded, Failure):
                fail(f"cannot read funding history: {loaded.failure()}")
            rows.extend(loaded.unwrap())
        return rows

    rows = load(Filters(venues=request.venues or None, symbols=symbols or None))
    built = build_series(
        rows,
        venues=request.venues or None,
        symbols=symbols or None,
    )
    found_venues = {s.venue for s in built.series}
    missing_venues = [v for v in request.venues if v not in found_venues]
    if missing_venues or not built.series:
        everything = build_series(load(Filters(venues=None, symbols=None))).series
        explain_no_match(request, symbols, missing_venues, everything)
    check_prices(built.series, request.prices)
    notes = list(built.warnings)
    notes.extend(
        f"no data for {base}"
        for base in sorted({s.base for s in symbols} - {s.symbol.base for s in built.series})
    )
    notes.extend(
        f"{base} is only on {', '.join(names)}: a hedge needs two venues"
        for base, names in _venues_per_symbol(built.series).items()
        if len(names) < 2
    )
    for note in notes:
        warn(note)
    settings = BacktestSettings(
        config=config,
        start=request.start,
        end=request.end,
        half_spread=request.half_spread,
        capital=request.capital,
        prices=dict(request.prices),
    )
    if request.sweep is not None:
        from scripts.backtest_sweep import run_sweep_command

        return run_sweep_command(request, request.sweep, built.series, settings, out, err)
    from atomic_fp.backtest.estimated import with_basis
    from atomic_fp.decisions.estimators import Basis

    basis = Basis.parse(basis_of(ctx, request))
    try:
        series = [with_basis(s, basis) for s in built.series]
        result = _run_with_progress(series, settings, err)
    except ValueError as bad:
        fail(f"backtest: {bad}")
    data = versioned("backtest", {**summary(result, notes), "basis": basis.value})
    summary_text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    text_wanted = request.plot is not None and not matplotlib_available()
    if text_wanted:
        warn("--plot needs matplotlib (pip install 'atomic-fp[plot]'); showing a text chart")
    # The summary goes out first: whatever happens to the files below, it is not lost.
    output_format = request.output_format or ("table" if is_terminal(out) else "json")
    if output_format == "json":
        out.write(summary_text)
        if text_wanted and is_terminal(err):
            err.write(text_chart(result))
    else:
        out.write(summary_table(data))
        if text_wanted or (is_terminal(out) and not matplotlib_available()):
            out.write(text_chart(result))
    out.flush()
    return write_files(request, result, summary_text)


def _venues_per_symbol(series: Sequence[FundingSeries]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in series:
        found.setdefault(item.symbol.base, []).append(item.venue)
    return found


def _run_with_progress(
    series: Sequence[FundingSeries], settings: BacktestSettings, err: TextIO
) -> BacktestResult:
    """Run the engine; a progress bar on stderr when it is a terminal."""
    from adapters.paper.backtest import backtest_venue
    from atomic_fp.backtest.engine import run_backtest
    from scripts.output import is_terminal

    if not is_terminal(err):
        return run_backtest(series, settings, venues=backtest_venue)
    with click.progressbar(length=1000, label="backtest", file=err) as bar:
        shown = 0

        def progress(done: int, total: int) -> None:
            nonlocal shown
            target = done * 1000 // max(total, 1)
            if target > shown:
                bar.update(target - shown)
                shown = target

        return run_backtest(series, settings, progress, venues=backtest_venue)
