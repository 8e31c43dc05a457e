"""``atomic-fp funding-history``: settled funding rates of one symbol on one venue."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import click

from scripts import exitcodes

CHUNK = timedelta(days=30)
COLUMNS = (
    "venue",
    "symbol",
    "venue_symbol",
    "funding_time",
    "rate",
    "interval_hours",
    "apr",
    "mark_price",
)


def parse_when(value: str, name: str) -> datetime:
    """``2025-12-01`` or ``2025-12-01T08:00`` (UTC unless an offset is given)."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD or ISO-8601)", param_hint=name
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@click.command(name="funding-history")
@click.argument("venue")
@click.argument("symbol")
@click.option("--since", required=True, help="Start (inclusive), e.g. 2025-12-01.")
@click.option("--until", help="End (exclusive); default now.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    help="Output file: .csv, or .parquet (needs pyarrow: pip install 'atomic-fp[parquet]').",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    help="Also backfill this local funding store (the one scan --basis avg24h reads).",
)
@click.pass_context
def funding_history(
    ctx: click.Context,
    venue: str,
    symbol: str,
    since: str,
    until: str | None,
    out: str | None,
    store_path: str | None,
) -> None:
    """Settled funding rates of SYMBOL on the configured VENUE, oldest first, to a file.

    The range is fetched in 30-day chunks (a progress bar shows on a terminal). Nothing is
    written unless every chunk succeeds: a partial history is never passed off as whole.
    """
    if out is None and store_path is None:
        raise click.UsageError("give --out FILE, --store PATH, or both")
    start = parse_when(since, "--since")
    end = parse_when(until, "--until") if until else datetime.now(timezone.utc)
    if end <= start:
        raise click.BadParameter("--until must be after --since", param_hint="--until")
    parquet = out is not None and out.lower().endswith(".parquet")
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            from scripts.context import fail

            fail("writing Parquet needs pyarrow: pip install 'atomic-fp[parquet]' (or use .csv)")

    from atomic_fp.models import FundingRate
    from scripts.funding_history_run import fetch_history, write_rows

    fetched: list[FundingRate] = []
    rows = fetch_history(ctx, venue, symbol, start, end, CHUNK, fetched)
    if rows is None:
        ctx.exit(exitcodes.NOTHING_USABLE)
    if out is not None:
        write_rows(out, COLUMNS, rows, parquet=parquet)
        click.echo(f"wrote {len(rows)} funding rates to {out}", err=True)
    if store_path is not None:
        from adapters.store import FundingStore, StoreError
        from scripts.context import fail

        try:
            with FundingStore(store_path) as store:
                written = store.record_settled(fetched)
        except StoreError as problem:
            fail(f"funding store: {problem}")
        click.echo(f"stored {written} settled funding rates in {store_path}", err=True)
