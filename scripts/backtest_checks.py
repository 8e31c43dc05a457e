"""What ``atomic-fp backtest`` checks before it runs: numbers that parse but mean
nothing, output paths (before any data is read, so a typo never costs a finished run),
venues and symbols that are not in the data, and data without prices. Every problem is a
message naming the option and what was expected, exit 2 (usage)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from scripts import exitcodes

if TYPE_CHECKING:
    from atomic_fp.backtest.series import FundingSeries
    from atomic_fp.models import Symbol
    from scripts.backtest_options import Request


def check_ranges(request: Request) -> None:
    """Numbers that parse but mean nothing: a usage error now, not a quiet backtest."""
    if request.half_spread < 0 or request.half_spread >= 1:
        raise click.BadParameter(
            f"{request.half_spread} is not a half-spread: expected a fraction >= 0 and < 1 "
            "(0.0002 = 2 bps each side of the mark)",
            param_hint="--half-spread",
        )
    if request.capital is not None and request.capital <= 0:
        raise click.BadParameter(
            f"{request.capital}: expected a positive amount of USD collateral "
            "(leave it out for fully collateralised)",
            param_hint="--capital",
        )
    for name in ("trade_size", "max_position"):
        value = request.overrides.get(name)
        if value is not None and value <= 0:
            raise click.BadParameter(
                f"{value}: expected a positive size in base units",
                param_hint=f"--{name.replace('_', '-')}",
            )


def check_outputs(request: Request) -> None:
    """Output paths are checked before any data is read or any step is run, so a typo in
    ``--plot`` or ``--out-dir`` never costs a finished backtest."""
    from scripts.atomic_write import OutputError, check_output_dir, check_output_file
    from scripts.context import fail

    try:
        if request.out_dir is not None:
            check_output_dir(request.out_dir, "--out-dir")
        if request.plot is not None:
            check_plot_format(request.plot)
            if request.out_dir is not None and request.plot.parent == request.out_dir:
                return  # created with --out-dir
            check_output_file(request.plot, "--plot")
    except OutputError as bad:
        fail(str(bad))


def check_plot_format(path: Path) -> None:
    from atomic_fp.backtest.chart import matplotlib_available

    if not matplotlib_available():
        return  # a text chart is shown instead (with a warning)
    from matplotlib.figure import Figure

    supported = sorted(Figure().canvas.get_supported_filetypes())
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in supported:
        raise click.BadParameter(
            f"{str(path)!r}: expected a chart file ending in one of "
            f"{', '.join('.' + s for s in supported)}" + (f", not .{suffix}" if suffix else ""),
            param_hint="--plot",
        )


def explain_no_match(
    request: Request,
    symbols: Sequence[Symbol],
    missing_venues: Sequence[str],
    everything: Sequence[FundingSeries],
) -> NoReturn:
    """Exit 2 naming what the data does have: the venues (and symbols) asked for are not
    in it. (Exit 1 when the files hold no usable history at all.)"""
    from scripts.context import fail

    venues = sorted({s.venue for s in everything})
    bases = sorted({s.symbol.base for s in everything})
    if not everything:
        fail("no funding history in " + ", ".join(map(str, request.data)), exitcodes.NOTHING_USABLE)
    if missing_venues:
        fail(f"--venues: {', '.join(missing_venues)} not in the data (it has: {', '.join(venues)})")
    # (kept at exit 1 as before: the data was read, none of it is usable)
    fail(
        f"no funding history for {', '.join(s.base for s in symbols)} on the chosen venues "
        f"(the data has: {', '.join(bases)} on {', '.join(venues)})",
        exitcodes.NOTHING_USABLE,
    )


def check_prices(series: Sequence[FundingSeries], prices: Mapping[str, Decimal]) -> None:
    """A symbol whose history has no mark price on any venue cannot be sized, paid
    funding or given a capital: without ``--price`` it would run 0 trades with capital 0
    and say nothing. Exit 2 when no symbol can trade, else warn about the ones that
    cannot."""
    from scripts.context import fail, warn

    priced = {s.symbol.base for s in series if any(m is not None for m in s.marks)}
    unpriced = sorted({s.symbol.base for s in series} - priced - set(prices))
    if not unpriced:
        return
    hint = " ".join(f"--price {base}=PRICE" for base in unpriced)
    message = (
        f"no mark prices in the data for {', '.join(unpriced)}: give an assumed constant "
        f"price ({hint}) or data with a mark_price column"
    )
    if not priced and not set(prices):
        fail(message)
    warn(message + "; they will not trade", event="unpriced")
