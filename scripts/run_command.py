"""``atomic-fp run``: the SimpleStrategyRunner loop."""

from __future__ import annotations

import click

from scripts.command_options import (
    store_option,
    symbols_option,
    trading_basis_option,
    venues_option,
)


@click.command()
@click.option("--yes", is_flag=True, help="Really trade (required: this loop sends orders).")
@symbols_option
@venues_option
@click.option("--interval", metavar="DURATION", help="Between cycles (default: [strategy]).")
@click.option("--max-cycles", type=click.IntRange(min=1), help="Stop after this many cycles.")
@click.option("--json-lines", is_flag=True, help="One JSON object per cycle on stdout.")
@trading_basis_option
@store_option
@click.option(
    "--no-streams",
    is_flag=True,
    help="Ask every venue's REST API for rates each cycle instead of using the venues' "
    "market streams.",
)
@click.pass_context
def run(
    ctx: click.Context,
    yes: bool,
    symbols: str | None,
    venues: str | None,
    interval: str | None,
    max_cycles: int | None,
    json_lines: bool,
    basis: str | None,
    store_path: str | None,
    no_streams: bool,
) -> None:
    """Run strategy cycles for every symbol on an interval until SIGINT/SIGTERM (the
    cycle in progress finishes; executions are journaled). Reconciles with the journal
    and the venues first. Needs credentials, a [journal] path and --yes. Exits 1 when
    any cycle met a bad state (as `execute`: one stderr line per distinct state).
    Rates come from the venues' market streams while they are live and fresh (a cycle
    report names each venue that fell back to REST, and why)."""
    from scripts.context import app_context, fail

    if not yes:
        fail("refusing to run the trading loop without --yes (try: execute --dry-run)")
    from scripts.run_loop import run_loop
    from scripts.scan_command import split_list

    ctx.exit(
        run_loop(
            app_context(ctx),
            symbol_names=split_list(symbols),
            venue_names=split_list(venues),
            interval=interval,
            max_cycles=max_cycles,
            json_lines=json_lines,
            basis=basis,
            store_path=store_path,
            streams=not no_streams,
        )
    )
