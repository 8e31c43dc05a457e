"""``atomic-fp execute``: one strategy cycle per configured symbol."""

from __future__ import annotations

import click

from scripts.command_options import (
    store_option,
    symbols_option,
    trading_basis_option,
    venues_option,
)
from scripts.output import FORMATS


@click.command()
@click.option("--dry-run", is_flag=True, help="Decide and print; send nothing, journal nothing.")
@click.option("--yes", is_flag=True, help="Really send orders (required for live trading).")
@symbols_option
@venues_option
@click.option("--format", "fmt", type=click.Choice(FORMATS[:2]), help="Output format.")
@trading_basis_option
@store_option
@click.pass_context
def execute(
    ctx: click.Context,
    dry_run: bool,
    yes: bool,
    symbols: str | None,
    venues: str | None,
    fmt: str | None,
    basis: str | None,
    store_path: str | None,
) -> None:
    """One strategy cycle for each symbol: gather rates, positions, markets and books from
    every venue; run the safety, rebalance and funding decisions; print the signal, its
    legs and orders, and (live) the execution report.

    --dry-run decides and prints without sending anything. Live sending needs the venues'
    credentials (environment variables named in the config), a [journal] path, AND --yes,
    so a cron line can never trade by accident. Exit 1 when no venue gave usable data or
    a bad state needs a person (an unresolved order, a journal/venue mismatch, a residual,
    also after recovering an interrupted signal, a journal write failure), each said in
    one line on stderr; see `atomic-fp reconcile`.
    """
    from scripts.context import app_context, fail

    if dry_run and yes:
        fail("--dry-run and --yes contradict each other")
    if not dry_run and not yes:
        fail("refusing to trade live without --yes (use --dry-run to see what would be done)")
    from scripts.execute_run import run_execute
    from scripts.scan_command import split_list

    code = run_execute(
        app_context(ctx),
        dry_run=dry_run,
        symbol_names=split_list(symbols),
        venue_names=split_list(venues),
        fmt=fmt,
        basis=basis,
        store_path=store_path,
    )
    ctx.exit(code)
