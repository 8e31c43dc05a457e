"""``atomic-fp backtest``: replay recorded funding history through the live decisions and
the paper venue, and say what it would have earned."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs
import click

from scripts import exitcodes
from scripts.backtest_sweep import SweepRequest, sweep_request
from scripts.basis import BASES

if TYPE_CHECKING:
    from atomic_fp.backtest.engine import BacktestResult, BacktestSettings
    from atomic_fp.backtest.series import FundingSeries
    from atomic_fp.models import ArbitrageConfig


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD or ISO-8601)", param_hint=name
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _decimal(value: str | None, name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number", param_hint=name) from None
    if not parsed.is_finite():
        raise click.BadParameter(f"{value!r} is not finite", param_hint=name)
    return parsed


def _prices(values: tuple[str, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for item in _split(values):
        base, sep, price = item.partition("=")
        number = _decimal(price, "--price") if sep else None
        if not base or number is None or number <= 0:
            raise click.BadParameter(f"{item!r}: expected BASE=PRICE", param_hint="--price")
        out[base.strip().upper()] = number
    return out


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
        symbols=_split(symbols),
        venues=[v.lower() for v in _split(venues)],
        start=_when(start, "--from"),
        end=_when(end, "--to"),
        config_path=config_path,
        overrides={
            name: value
            for name, value in (
                ("trade_size", _decimal(trade_size, "--trade-size")),
                ("max_position", _decimal(max_position, "--max-position")),
                ("build_threshold", _decimal(build_threshold, "--build-threshold")),
                ("close_threshold", _decimal(close_threshold, "--close-threshold")),
            )
            if value is not None
        },
        half_spread=_decimal(half_spread, "--half-spread") or Decimal(0),
        capital=_decimal(capital, "--capital"),
        prices=_prices(prices),
        out_dir=out_dir,
        plot=plot,
        output_format=output_format,
        basis=basis,
        sweep=sweep_request(sweep, build_thresholds, close_thresholds, bases, jobs),
    )
    if request.start and request.end and request.end <= request.start:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    code = run(ctx, request, sys.stdout, sys.stderr)
    if code != exitcodes.OK:
        ctx.exit(code)


@attrs.frozen
class Request:
    data: tuple[Path, ...]
    symbols: list[str]
    venues: list[str]
    start: datetime | None
    end: datetime | None
    config_path: str | None
    overrides: Mapping[str, Decimal]
    half_spread: Decimal
    capital: Decimal | None
    prices: Mapping[str, Decimal]
    out_dir: Path | None
    plot: Path | None
    output_format: str | None
    basis: str | None = None
    sweep: SweepRequest | None = None


def _basis_of(ctx: click.Context, request: Request) -> str:
    """``--basis``, else the config's ``[strategy] basis``."""
    from scripts.config import ConfigError, load
    from scripts.context import app_context, fail

    if request.basis is not None:
        return request.basis.lower()
    app = app_context(ctx)
    if request.config_path is not None:
        try:
            return load(request.config_path, app.environ).strategy.basis
        except ConfigError as error:
            fail(f"invalid configuration: {error}")
    return app.config().strategy.basis


def _backtest_fees(config: Any) -> dict[str, Any]:
    """Each data venue's published base tier by its name (``binance``, ``bybit``,
    ``hyperliquid``...: the research data's venues need no config section), then the
    config's venues (config fees, else their kind's published tier)."""
    from adapters.published_fees import PUBLISHED_FEES
    from scripts.fees import published_or_configured

    return {
        **{name: quote.fees for name, quote in PUBLISHED_FEES.items()},
        **published_or_configured(config),
    }


def _strategy(ctx: click.Context, request: Request) -> ArbitrageConfig:
    """[strategy] and venue fees from the config (``--config``, else the group's), with the
    command-line overrides applied. Sizes default to 1 base unit."""
    from scripts.config import ConfigError, load
    from scripts.context import app_context, fail

    app = app_context(ctx)
    if request.config_path is not None:
        try:
            config = load(request.config_path, app.environ)
        except ConfigError as error:
            fail(f"invalid configuration: {error}")
    else:
        config = app.config()
    strategy = config.strategy
    values = {**strategy.values, **request.overrides}
    if "close_threshold" not in values and "build_threshold" in values:
        values["close_threshold"] = min(Decimal("0.01"), values["build_threshold"])
    try:
        return attrs.evolve(strategy, values=values).arbitrage_config(_backtest_fees(config))
    except ConfigError as error:
        fail(f"invalid strategy: {error}")


def run(ctx: click.Context, request: Request, out: TextIO, err: TextIO) -> int:
    from returns.result import Failure

    from adapters.history.loaders import Filters, load_path
    from atomic_fp.backtest.chart import matplotlib_available, plot_png, text_chart
    from atomic_fp.backtest.engine import BacktestSettings
    from atomic_fp.backtest.report import equity_csv, summary, trades_csv
    from atomic_fp.backtest.series import HistoryRow, build_series
    from atomic_fp.models import Symbol
    from scripts.context import fail, warn
    from scripts.output import is_terminal

    config = _strategy(ctx, request)
    try:
        symbols = [Symbol.parse(s) for s in request.symbols]
    except ValueError as bad:
        fail(f"--symbols: {bad}")
    filters = Filters(venues=request.venues or None, symbols=symbols or None)
    rows: list[HistoryRow] = []
    for path in request.data:
        loaded = load_path(path, filters)
        if isinstance(loaded, Failure):
            fail(f"cannot read funding history: {loaded.failure()}")
        rows.extend(loaded.unwrap())
    built = build_series(
        rows,
        venues=request.venues or None,
        symbols=symbols or None,
    )
    if not built.series:
        fail("no funding history matches the given venues and symbols", exitcodes.NOTHING_USABLE)
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

    basis = Basis.parse(_basis_of(ctx, request))
    try:
        series = [with_basis(s, basis) for s in built.series]
        result = _run_with_progress(series, settings, err)
    except ValueError as bad:
        fail(f"backtest: {bad}")
    data = {**summary(result, notes), "basis": basis.value}
    summary_text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if request.out_dir is not None:
        request.out_dir.mkdir(parents=True, exist_ok=True)
        (request.out_dir / "summary.json").write_text(summary_text, "utf-8")
        (request.out_dir / "trades.csv").write_text(trades_csv(result.fills), "utf-8")
        (request.out_dir / "equity.csv").write_text(equity_csv(result.equity), "utf-8")
    text_wanted = False
    if request.plot is not None:
        if matplotlib_available():
            plot_png(result, request.plot)
        else:
            warn("--plot needs matplotlib (pip install 'atomic-fp[plot]'); showing a text chart")
            text_wanted = True
    output_format = request.output_format or ("table" if is_terminal(out) else "json")
    if output_format == "json":
        out.write(summary_text)
        if text_wanted and is_terminal(err):
            err.write(text_chart(result))
    else:
        out.write(_table(data))
        if text_wanted or (is_terminal(out) and not matplotlib_available()):
            out.write(text_chart(result))
    return exitcodes.OK


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


def _table(data: Mapping[str, Any]) -> str:
    """A short human summary: totals and one line per symbol."""
    total = data["total"]
    window = data["window"]
    lines = [
        f"backtest {window['from']} .. {window['to']} ({window['days']} days), "
        f"venues {', '.join(data['venues'])}",
        f"capital {data['capital']['amount']} ({data['capital']['basis']}); decisions on "
        f"{data.get('basis', 'current')} rates",
        "",
        f"{'':10} {'funding':>14} {'fees':>12} {'slippage':>12} {'price pnl':>12} "
        f"{'net pnl':>14} {'return':>9} {'max dd':>12} {'trades':>6} {'in mkt':>7}",
    ]

    def row(name: str, block: Mapping[str, Any]) -> str:
        def num(key: str, places: int = 2) -> str:
            value = block.get(key)
            return "-" if value is None else f"{Decimal(value):.{places}f}"

        roc = block.get("return_on_capital")
        share = block.get("time_in_market")
        return (
            f"{name:10.10} {num('funding'):>14} {num('fees'):>12} {num('slippage'):>12} "
            f"{num('price_pnl'):>12} {num('net_pnl'):>14} "
            f"{'-' if roc is None else f'{Decimal(roc) * 100:.2f}%':>9} "
            f"{num('max_drawdown'):>12} {block.get('trades', 0):>6} "
            f"{'-' if share is None else f'{Decimal(share) * 100:.1f}%':>7}"
        )

    for symbol, block in data["per_symbol"].items():
        lines.append(row(symbol, block))
    lines.append(row("TOTAL", total))
    gaps = [s for s in data["data"]["series"] if s["gaps"]]
    lines.append("")
    if gaps:
        lines.append("gaps (never filled; no trade needing a missing rate):")
        lines.extend(
            f"  {s['venue']} {s['symbol']}: {s['gaps']} gap(s), {s['missing_settlements']} "
            f"missing settlement(s), {s['missing_in_position']} while in position"
            for s in gaps
        )
    else:
        lines.append("no gaps in the data")
    return "\n".join(lines) + "\n"
