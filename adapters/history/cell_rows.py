"""The funding-history CSV format read from the CSV reader's cells, without a dict per row.

A year of hourly history for 60 series is 220,000 rows; building a ``dict`` per row and
reading it back by name was about a third of loading one (the benchmark of issue 20).
A row with as many cells as the header has columns -- every row of a well-formed file --
is read here by column position, by :func:`row_from_cells`, which checks and parses
exactly as :func:`adapters.history.format.row_from_record` does, in the same order, with
the same messages. Any other row (short or long) goes through the record path as before
(``None`` for a missing cell, extra cells under ``None``), so every file loads, or is
refused with the same ``path:line: message``, as it was:
``tests/backtest/test_loader_cells.py`` compares both paths on random files (hypothesis).

A well-formed file is now read column by column (:mod:`adapters.history.column_reading`,
which answers the same); this path reads every file that reader hands back (anything
unusual, and every file it would refuse), so it decides each refusal.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from returns.result import Failure, Result, Success

from adapters.history.format import (
    instrument,
    interval_of,
    parse_decimal,
    parse_time,
    row_from_record,
)
from atomic_fp.backtest.series import HistoryRow


class _Filters(Protocol):
    def keep_venue(self, venue: str) -> bool: ...

    def keep_symbol(self, symbol: Any) -> bool: ...


def row_from_cells(
    cells: Sequence[str],
    columns: tuple[int, int, int | None, int | None, int, int, int, int | None],
    source: str,
) -> HistoryRow:
    """:func:`~adapters.history.format.row_from_record` of a full row, by position:
    ``columns`` are the indexes of venue, symbol, venue_symbol, contract_multiplier,
    funding_time, rate, interval_hours and mark_price (``None``: not in the header, read
    as the record path reads a missing key, an empty cell)."""
    at_venue, at_symbol, at_venue_symbol, at_multiplier, at_time, at_rate, at_interval, at_mark = (
        columns
    )
    symbol, venue_symbol, multiplier = instrument(
        cells[at_symbol],
        (cells[at_venue_symbol] if at_venue_symbol is not None else "") or "",
        (cells[at_multiplier] if at_multiplier is not None else "") or "",
    )
    mark_text = ((cells[at_mark] if at_mark is not None else "") or "").strip()
    mark = parse_decimal(mark_text, "mark_price") if mark_text else None
    if mark is not None and mark <= 0:
        raise ValueError(f"mark_price must be > 0, got {mark_text!r}")
    venue = cells[at_venue].strip().lower()
    if not venue:
        raise ValueError("venue is empty")
    return HistoryRow(
        venue=venue,
        symbol=symbol,
        venue_symbol=venue_symbol,
        contract_multiplier=multiplier,
        funding_time=parse_time(cells[at_time]),
        rate=parse_decimal(cells[at_rate], "rate"),
        interval=interval_of(cells[at_interval]),
        mark_price=mark,
        source=source,
    )


def record_of(header: list[str], row: list[str]) -> dict[Any, Any]:
    """The record ``csv.DictReader`` makes of ``row`` (the loader's record path)."""
    width = len(header)
    record: dict[Any, Any] = dict(zip(header, row, strict=False))
    if len(row) != width:
        if len(row) > width:
            record[None] = row[width:]
        else:
            for key in header[len(row) :]:
                record[key] = None
    return record


def collect_cells(
    path: Path, header: list[str], rows: Iterator[list[str]], filters: _Filters
) -> Result[tuple[HistoryRow, ...], str]:
    """Every row of a funding-history CSV (its header has every column of the format)."""
    position = {name: index for index, name in enumerate(header)}  # last wins, as in a dict
    columns = (
        position["venue"],
        position["symbol"],
        position.get("venue_symbol"),
        position.get("contract_multiplier"),
        position["funding_time"],
        position["rate"],
        position["interval_hours"],
        position.get("mark_price"),
    )
    at_venue = columns[0]
    width = len(header)
    source = str(path)
    keep_venue = filters.keep_venue
    keep_symbol = filters.keep_symbol
    out: list[HistoryRow] = []
    append = out.append
    line = 1
    try:
        for line, cells in enumerate(rows, start=2):  # noqa: B007 (line used in errors)
            if len(cells) != width:
                record = record_of(header, cells)
                venue = str(record.get("venue") or "").strip().lower()
                if venue and not keep_venue(venue):
                    continue
                row = row_from_record(record, source)
            else:
                venue = cells[at_venue].strip().lower()
                if venue and not keep_venue(venue):
                    continue
                row = row_from_cells(cells, columns, source)
            if keep_symbol(row.symbol):
                append(row)
    except (ValueError, KeyError, ArithmeticError, TypeError, csv.Error) as error:
        return Failure(f"{path}:{line}: {error}")
    return Success(tuple(out))


__all__ = ["collect_cells", "record_of", "row_from_cells"]
