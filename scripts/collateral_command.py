"""``atomic-fp collateral``: where to move collateral so both legs of each hedge are
equally far from liquidation. It only suggests."""

from __future__ import annotations

import click

from scripts.output import FORMATS


@click.command()
@click.option("--venues", metavar="A,B", help="Only these configured venues.")
@click.option("--symbols", metavar="BTC,ETH", help="Only these symbols (default: every hedge).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.pass_context
def collateral(
    ctx: click.Context, venues: str | None, symbols: str | None, fmt: str | None
) -> None:
    """For each hedge (one long and one short of a symbol on two venues): how much
    collateral to move from the venue whose leg is farther from liquidation to the other,
    so both legs' liquidation distances become equal; the deposit/withdrawal asset and
    minimums where known. Nothing is moved: withdrawals need rights a trading key must
    never have.

    Exit 3 when a suggestion is urgent (a leg is already inside [strategy]
    min_liquidation_distance), 1 when no venue reported its margin."""
    from scripts.collateral_run import run_collateral
    from scripts.context import app_context
    from scripts.scan_command import split_list

    ctx.exit(run_collateral(app_context(ctx), split_list(venues), split_list(symbols), fmt))
