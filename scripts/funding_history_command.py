"""``atomic-fp funding-history``: settled funding rates of one symbol on one venue."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from scripts import exitcodes
from scripts.option_values import parse_when

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


@click.command(name="funding-history")
@click.argument("venue")
@click.argument("symbol")
@click.option("--since", required=True, help="Start (inclusive), e.g. 2025-12-01.")
@click.option("--until", help="End (exclusive); default now.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
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
        if until is None:  # the user gave no --until: the problem is --since
            raise click.BadParameter(
                f"{since!r} is in the future (now is {end:%Y-%m-%d %H:%M} UTC)",
                param_hint="--since",
            )
        raise click.BadParameter("--until must be after --since", param_hint="--until")
    parquet = out is not None and _output_kind(out) == "parquet"

    from scripts.atomic_write import OutputError, check_output_file
    from scripts.context import error, fail

    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            fail("writing Parquet needs pyarrow: pip install 'atomic-fp[parquet]' (or use .csv)")
    if out is not None:
        try:  # before the download, so a bad path never costs the data
            check_output_file(Path(out), "--out")
        except OutputError as bad:
            fail(str(bad))

    from atomic_fp.models import FundingRate
    from scripts.funding_history_run import fetch_history, write_rows

    fetched: list[FundingRate] = []
    rows = fetch_history(ctx, venue, symbol, start, end, CHUNK, fetched)
    if rows is None:
        ctx.exit(exitcodes.NOTHING_USABLE)
    if not rows:
        error(
            f"no settled funding rates for {symbol} on {venue} between "
            f"{start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC; nothing written",
            venue=venue,
            symbol=symbol,
            event="nothing_usable",
            exit_code=exitcodes.NOTHING_USABLE,
        )
        ctx.exit(exitcodes.NOTHING_USABLE)
    if out is not None:
        try:
            write_rows(out, COLUMNS, rows, parquet=parquet)
        except OSError as bad:  # e.g. the disk filled up between the check and the write
            fail(f"--out: cannot write {out}: {bad.strerror or bad}", exitcodes.NOTHING_USABLE)
        click.echo(f"wrote {len(rows)} funding rates to {out}", err=True)
    if store_path is not None:
        from adapters.store import FundingStore, StoreError

        try:
            with FundingStore(store_path) as store:
                written = store.record_settled(fetched)
        except StoreError as problem:
            fail(f"funding store: {problem}")
        click.echo(f"stored {written} settled funding rates in {store_path}", err=True)


def _output_kind(out: str) -> str:
    """``csv`` or ``parquet`` from the file name; anything else is a usage error (a
    ``.txt`` that silently held CSV would surprise whoever opens it)."""
    suffix = Path(out).suffix.lower()
    if suffix in (".csv", ".parquet"):
        return suffix[1:]
    raise click.BadParameter(
        f"{out!r}: expected a file name ending in .csv or .parquet"
        + (f", not {suffix}" if suffix else ""),
        param_hint="--out",
    )
