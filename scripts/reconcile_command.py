"""``atomic-fp reconcile``: the journal against the venues, per venue and symbol."""

from __future__ import annotations

import click

from scripts.command_options import symbols_option, venues_option
from scripts.output import FORMATS


@click.command()
@symbols_option
@venues_option
@click.option(
    "--accept-venue",
    is_flag=True,
    help="Adopt the venues' positions into the journal (needs --yes).",
)
@click.option("--yes", is_flag=True, help="Confirm --accept-venue after looking at the table.")
@click.option(
    "--reason",
    default="operator adopted the venue's position (atomic-fp reconcile --accept-venue)",
    show_default=False,
    help="Why, recorded with each adjustment.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS[:2]), help="Output format.")
@click.pass_context
def reconcile(
    ctx: click.Context,
    symbols: str | None,
    venues: str | None,
    accept_venue: bool,
    yes: bool,
    reason: str,
    fmt: str | None,
) -> None:
    """Show each venue's position beside the journal's, per symbol, with the journal's
    unresolved orders and unfinished signals. Sends nothing (no lookups, no orders).

    After a person has looked, --accept-venue --yes records adjustments so the journal
    equals the venues (the venue is authoritative; history is kept). It is refused while
    an order is unresolved or a signal unfinished (run `atomic-fp execute --yes` first:
    its start-up reconciliation resolves them) or a venue cannot be read.

    Needs a [journal] path and the venues' credentials. Exit 0 when journal and venues
    agree (after adopting, if asked); 1 when they do not, a venue cannot be read, or
    something is unresolved; 2 on usage errors.
    """
    from scripts.context import app_context, fail

    if accept_venue and not yes:
        fail(
            "refusing to adopt the venues' positions without --yes "
            "(run `atomic-fp reconcile` first and look at the differences)"
        )
    if yes and not accept_venue:
        fail("--yes confirms --accept-venue; without it reconcile only shows")
    from scripts.reconcile_run import run_reconcile
    from scripts.scan_command import split_list

    ctx.exit(
        run_reconcile(
            app_context(ctx),
            symbol_names=split_list(symbols),
            venue_names=split_list(venues),
            accept=accept_venue,
            reason=reason,
            fmt=fmt,
        )
    )
