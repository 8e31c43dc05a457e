"""The work behind ``funding-history`` (imported only when it runs)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta

import anyio
import click
from returns.result import Failure

from atomic_fp.aggregators import FundingRateAggregator
from atomic_fp.models import FundingRate, Symbol
from scripts.context import app_context, error, fail
from scripts.output import dec, is_terminal, iso
from scripts.runtime import aggregator, build_live, close_all, select


def _row(rate: FundingRate) -> list[str | None]:
    return [
        str(rate.exchange),
        rate.symbol.base,
        rate.venue_symbol,
        iso(rate.funding_time),
        dec(rate.rate),
        dec(rate.interval_hours),
        dec(rate.apr),
        dec(rate.mark_price),
    ]


def _chunks(start: datetime, end: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    out = []
    cursor = start
    while cursor < end:
        out.append((cursor, min(cursor + size, end)))
        cursor += size
    return out


def fetch_history(
    ctx: click.Context,
    venue_name: str,
    symbol_text: str,
    start: datetime,
    end: datetime,
    chunk: timedelta,
    fetched: list[FundingRate] | None = None,
) -> list[list[str | None]] | None:
    """The settled rates as output rows (``None``: a chunk failed, already reported);
    ``fetched`` (optional) receives the rates themselves."""
    if fetched is None:
        fetched = []
    app = app_context(ctx)
    config = app.config()
    try:
        symbol = Symbol.parse(symbol_text)
    except ValueError as bad:
        fail(f"SYMBOL: {bad}")
    (venue,) = build_live(select(config, [venue_name]), app.environ, with_credentials=False)
    if isinstance(venue.client, Failure):
        fail(venue.client.failure())
    windows = _chunks(start, end, chunk)
    rates: list[FundingRate] = []

    async def one_window(lo: datetime, hi: datetime) -> str | None:
        history = aggregator([venue], FundingRateAggregator)
        result = (await history.get_funding_history(symbol, lo, hi))[venue.id]
        if isinstance(result, Failure):
            return f"{lo:%Y-%m-%d}..{hi:%Y-%m-%d}: {result.failure().describe()}"
        rates.extend(result.unwrap())
        return None

    async def work() -> str | None:
        try:
            if not is_terminal(sys.stderr):
                for lo, hi in windows:
                    if (problem := await one_window(lo, hi)) is not None:
                        return problem
                return None
            with click.progressbar(
                windows, label=f"{venue_name} {symbol.base} funding", file=sys.stderr
            ) as bar:
                for lo, hi in bar:
                    if (problem := await one_window(lo, hi)) is not None:
                        return problem
            return None
        finally:
            await close_all([venue])

    problem = anyio.run(work)
    if problem is not None:
        error(f"funding history failed: {problem}", venue=venue_name)
        return None
    unique = {(r.funding_time, r.rate): r for r in rates}
    ordered = sorted(unique.values(), key=lambda r: r.funding_time or r.observed_at)
    fetched.extend(ordered)
    return [_row(r) for r in ordered]


def write_rows(
    path: str, columns: Sequence[str], rows: list[list[str | None]], *, parquet: bool
) -> None:
    if parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
        pq.write_table(table, path)
        return
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if c is None else c for c in row] for row in rows])
