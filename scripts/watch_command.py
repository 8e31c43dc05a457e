"""``atomic-fp watch``: the best funding spreads, live, as venues push them."""

from __future__ import annotations

import click

from scripts.command_options import venues_option
from scripts.scan_command import parse_apr, split_list


@click.command()
@venues_option
@click.option("--symbols", metavar="BTC,ETH", help="Only these symbols.")
@click.option("--min-apr", metavar="APR", help="Hide opportunities with net APR below this.")
@click.option("--all-pairs", is_flag=True, help="Every venue pair, not only the best per symbol.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "jsonl")),
    default="table",
    show_default=True,
    help="A live table, or one JSON object per change (for other programs).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="At most this many rows.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop after this many seconds (default: until SIGINT/SIGTERM).",
)
@click.option(
    "--rest-interval",
    type=click.FloatRange(min=1),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="REST polling period of a venue whose stream is down.",
)
@click.option(
    "--alert-above",
    metavar="APR",
    help="Alert (through [alerts]) on a pair netting more than this, once per cool-down "
    "(default: [alerts] spread_above).",
)
@click.pass_context
def watch(
    ctx: click.Context,
    venues: str | None,
    symbols: str | None,
    min_apr: str | None,
    all_pairs: bool,
    fmt: str,
    limit: int,
    duration: float | None,
    rest_interval: float,
    alert_above: str | None,
) -> None:
    """Live funding spreads: the same columns and estimator as scan, updated as venues push.

    Each venue's market stream (Binance !markPrice@arr, Hyperliquid activeAssetCtx, GRVT
    tickers, Lighter market_stats) feeds the ranking; a venue whose stream is down is
    polled over REST until it is back, and the venue table says so. Rates older than the
    strategy's max_data_age are left out. Ends cleanly on Ctrl-C or SIGTERM. With an
    [alerts] section: a spread above the threshold and a venue stream down longer than
    venue_down_after are alerted, each once per cool-down.
    """
    min_value = parse_apr(min_apr, "--min-apr") if min_apr else None
    alert_value = parse_apr(alert_above, "--alert-above") if alert_above else None

    from scripts.watch_run import run_watch

    run_watch(
        ctx,
        venue_names=split_list(venues),
        symbol_names=split_list(symbols),
        all_pairs=all_pairs,
        min_apr=min_value,
        fmt=fmt,
        limit=limit,
        duration=duration,
        rest_interval=rest_interval,
        alert_above=alert_value,
    )


__all__ = ["watch"]
