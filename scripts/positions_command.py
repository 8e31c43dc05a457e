"""``atomic-fp positions``: what the accounts hold, net and unhedged exposure, funding."""

from __future__ import annotations

import click

from scripts.command_options import venues_option
from scripts.output import FORMATS


@click.command()
@venues_option
@click.option(
    "--funding-days",
    type=click.IntRange(min=0, max=365),
    default=7,
    show_default=True,
    help="Funding payments received over this many days (0: skip).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.pass_context
def positions(ctx: click.Context, venues: str | None, funding_days: int, fmt: str | None) -> None:
    """Per hedge: both legs (signed, base units), their liquidation price (* = estimated)
    and distance in % of mark, the margin ratio of each venue account, funding earned
    (venue payments, else the positions' cumulative funding), unrealised and net PnL; net
    exposure per symbol and the unhedged residual; and, when a journal is configured,
    what it expects.

    A venue whose positions could not be read is reported as NOT COUNTED: its exposure
    is unknown, never zero. Exit 1 when no venue answered."""
    from scripts.context import app_context
    from scripts.positions_run import run_positions
    from scripts.scan_command import split_list

    ctx.exit(run_positions(app_context(ctx), split_list(venues), funding_days, fmt))
