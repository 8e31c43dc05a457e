"""``atomic-fp scan``: funding spreads across venues, best pair per symbol first."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import click

from scripts import exitcodes
from scripts.basis import BASES
from scripts.list_option import split_list
from scripts.output import FORMATS

if TYPE_CHECKING:
    from atomic_fp.decisions.types import Opportunity


def parse_apr(value: str, name: str) -> Decimal:
    """``0.5``, ``50%`` -> ``Decimal("0.5")``. Bad text is a usage error (exit 2)."""
    text = value.strip()
    try:
        number = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(
            f"{value!r} is not an APR (e.g. 0.25 or 25%)", param_hint=name
        ) from None
    if not number.is_finite():
        raise click.BadParameter(f"{value!r} is not a finite APR", param_hint=name)
    return number


_SUFFIXES = {"k": Decimal(10) ** 3, "m": Decimal(10) ** 6, "b": Decimal(10) ** 9}


def parse_amount(value: str, name: str) -> Decimal:
    """``5000000``, ``5M``, ``250k`` -> a positive quote-currency amount (exit 2 if not)."""
    text = value.strip().replace("_", "").replace(",", "")
    factor = _SUFFIXES.get(text[-1:].lower(), Decimal(1)) if text else Decimal(1)
    digits = text[:-1] if factor != 1 else text
    try:
        number = Decimal(digits) * factor
    except InvalidOperation:
        raise click.BadParameter(
            f"{value!r} is not an amount (e.g. 5000000, 5M or 250k)", param_hint=name
        ) from None
    if not number.is_finite() or number <= 0:
        raise click.BadParameter(f"{value!r} must be a positive amount", param_hint=name)
    return number


@click.command()
@click.option(
    "--offline",
    is_flag=True,
    help="Scan the bundled snapshot of recorded venue responses (no network).",
)
@click.option(
    "--snapshot",
    "snapshot_dir",
    metavar="PATH",
    help="Scan a recorded snapshot (a file written by record, or a directory).",
)
@click.option("--venues", metavar="A,B", help="Only these configured venues.")
@click.option("--symbols", metavar="BTC,ETH", help="Only these symbols.")
@click.option("--min-apr", metavar="APR", help="Hide opportunities with net APR below this.")
@click.option(
    "--all-pairs",
    is_flag=True,
    help="Every venue pair (in its profitable direction), not only the best per symbol.",
)
@click.option(
    "--both-directions",
    is_flag=True,
    help="With --all-pairs: each pair in both directions (the losing one too).",
)
@click.option(
    "--min-oi",
    metavar="USD",
    help="Leave out markets whose published open interest (quote currency) is below this "
    "(e.g. 5M); default [strategy] min_open_interest.",
)
@click.option(
    "--min-volume",
    metavar="USD",
    help="Leave out markets whose published 24 h volume (quote currency) is below this; "
    "default [strategy] min_volume_24h.",
)
@click.option(
    "--alert-above",
    metavar="APR",
    help="Exit 3 when an opportunity's net APR exceeds this (e.g. 0.5 or 50%).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@click.option(
    "--basis",
    type=click.Choice(BASES, case_sensitive=False),
    help="Rank by: current rate, the venue's predicted next rate, or the realised average "
    "of the last 24 h / 7 d of settlements (default: [strategy] basis, else current).",
)
@click.option(
    "--store",
    "store_path",
    metavar="PATH",
    help="Local funding store (default: [store] path, else ./atomic-fp-funding.sqlite).",
)
@click.pass_context
def scan(
    ctx: click.Context,
    offline: bool,
    snapshot_dir: str | None,
    venues: str | None,
    symbols: str | None,
    min_apr: str | None,
    all_pairs: bool,
    both_directions: bool,
    min_oi: str | None,
    min_volume: str | None,
    alert_above: str | None,
    fmt: str | None,
    limit: int | None,
    basis: str | None,
    store_path: str | None,
) -> None:
    """Funding spreads across venues for every symbol listed on at least two of them.

    For each pair: long where funding is low, short where it is high. Net APR subtracts
    round-trip taker fees amortised over the strategy's holding horizon. Without a config
    the native venues' public mainnet endpoints are used (no keys needed); --offline
    replays the bundled snapshot of real recorded responses through the same parsers.
    PERSIST is the share of the last 7 days of settlements in which the spread had the
    same sign (and how many there were); BREAK-EVEN the days of carry that pay the fees.
    """
    if offline and snapshot_dir:
        raise click.UsageError(
            "--offline and --snapshot both choose the data to scan: give one "
            "(--offline is the bundled snapshot, --snapshot PATH a recorded one)"
        )
    min_value = parse_apr(min_apr, "--min-apr") if min_apr else None
    oi_floor = parse_amount(min_oi, "--min-oi") if min_oi else None
    volume_floor = parse_amount(min_volume, "--min-volume") if min_volume else None
    alert_value = parse_apr(alert_above, "--alert-above") if alert_above else None
    venue_names = split_list(venues)
    symbol_filter = split_list(symbols)

    from scripts.context import app_context, error, warn

    app = app_context(ctx)
    if not (offline or snapshot_dir):  # handshakes run while the rest imports (issue 20)
        from scripts.scan_preconnect import preconnect_venues

        preconnect_venues(app.config(), venue_names, app.environ)
    from scripts.scan_run import run_scan

    alerter = None
    if app_context(ctx).config().alerts is not None:
        from scripts.alerting import build_alerter

        alerter = build_alerter(app_context(ctx))  # a broken [alerts] exits 2 before scanning
    report = run_scan(
        ctx,
        offline=offline,
        snapshot_dir=snapshot_dir,
        venue_names=venue_names,
        symbol_names=symbol_filter,
        all_pairs=all_pairs,
        min_apr=min_value,
        both_directions=both_directions,
        min_open_interest=oi_floor,
        min_volume_24h=volume_floor,
        basis=basis,
        store_path=store_path,
        warm=("scripts.scan_render",),
    )
    if symbol_filter and report.unlisted_symbols:
        unlisted = ", ".join(report.unlisted_symbols)
        answered = report.answered
        message = f"--symbols: {unlisted} listed on none of the {answered} venues that answered"
        if report.any_ok and len(report.unlisted_symbols) == len(report.requested_symbols):
            report.warn_failures()
            # every symbol asked for is unknown: a typo
            error(message, event="usage", error_type="UsageError", exit_code=exitcodes.USAGE)
            ctx.exit(exitcodes.USAGE)
        warn(message, event="unlisted_symbols")
    opportunities = list(report.opportunities)
    if limit is not None:
        opportunities = opportunities[:limit]

    from scripts.scan_render import render

    click.echo(render(fmt, report, opportunities), nl=False)
    report.warn_failures()
    if alerter is not None:
        threshold = alert_value if alert_value is not None else alerter.settings.spread_above
        if threshold is not None:
            import anyio

            from atomic_fp.decisions.alerts import spread_alerts

            anyio.run(alerter.deliver, spread_alerts(opportunities, threshold))
    if not report.any_ok:
        error(
            "no venue answered; nothing to compare",
            event="nothing_usable",
            exit_code=exitcodes.NOTHING_USABLE,
        )
        ctx.exit(exitcodes.NOTHING_USABLE)
    if alert_value is not None:
        above = [o for o in opportunities if o.net_apr > alert_value]
        if above:
            warn(
                f"alert: {len(above)} opportunit{'y' if len(above) == 1 else 'ies'} "
                f"above net APR {alert_value} (best: {_describe(above[0])})",
                event="alert",
            )
            ctx.exit(exitcodes.ALERT)


def _describe(opportunity: Opportunity) -> str:
    from scripts.output import pct

    return (
        f"{opportunity.symbol.base} long {opportunity.long_venue} / short "
        f"{opportunity.short_venue} net {pct(opportunity.net_apr)}"
    )


__all__ = ["parse_amount", "parse_apr", "scan", "split_list"]
