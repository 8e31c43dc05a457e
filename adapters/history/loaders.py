"""Reading historical funding files into :class:`~adapters.history.format.HistoryRow` s.

Formats recognised (by header, not by name):

- **funding-history** (ours, see :mod:`adapters.history.format`): CSV or Parquet.
- **funding_rate_data** (``shared/research-data/funding_rate_data``, from
  ZuShen168/funding_rate_data): the Parquet files ``data/funding/venue=<v>/data.parquet``
  (``settlement_ts`` UTC µs, ``rate_raw`` fraction per interval, ``interval_hours`` derived by
  that project from observed gaps, ``mark_price``, ``is_predicted``) and their ``derived_csv``
  copies (``settlement_ts`` ISO with ``Z``). Predicted rows are skipped (never mixed with
  settled ones); a NULL rate is a gap and is skipped, never read as zero.
- **historical-funding-rates-fetcher** (supervik, 2020-2023; columns ``Symbol,Date,Funding
  Rate``; venue from the file name ``<SYM>_<venue>_<start>_<end>_funding_history.csv``).
  Its ``Date`` is naive. On binance, bybit, htx, mexc and kucoin it is the author's local
  time, UTC+3 (SOURCES.md §1.8): Binance's 00:00 UTC settlement reads ``03:00``, KuCoin's
  04/12/20 UTC schedule reads 07/15/23. We subtract 3 h there. Gate (rows on 00/08/16) and
  dYdX (hourly on the hour) are already UTC. The files carry no interval: each row's interval
  is the gap to the previous row when that gap is a standard cadence (1, 2, 4, 8 h), else the
  previous row's interval (so a missing row shows up as a gap, not as a 16 h interval).

Every loader returns ``Result[tuple[HistoryRow, ...], str]``; the failure names the file and,
for a bad row, its line. Filters (``venues``, ``symbols``) are applied while reading so that
large files stay cheap.

Each format's reader has its module: :mod:`adapters.history.column_reading` (ours, CSV,
column by column; any file it does not vouch for goes to :mod:`adapters.history.cell_rows`,
row by row, which decides every refusal),
:mod:`adapters.history.research_format`, :mod:`adapters.history.fetcher_format`; what they
share (filters, result type, record loop) is in :mod:`adapters.history.row_reading`. This
module recognises a file and dispatches it.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from returns.result import Failure, Success

from adapters.history.cell_rows import collect_cells, record_of
from adapters.history.column_reading import read_columns
from adapters.history.fetcher_format import FETCHER_COLUMNS, FETCHER_UTC_PLUS_3, _load_fetcher
from adapters.history.format import COLUMNS, row_from_record
from adapters.history.research_format import RESEARCH_COLUMNS, _filled, _research_row
from adapters.history.row_reading import ALL, Filters, RowsResult
from adapters.history.row_reading import _collect as _collect
from atomic_fp.backtest.series import HistoryRow


def _read_csv_rows(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the non-blank rows of a CSV (the file is closed when they end)."""
    handle = path.open(newline="", encoding="utf-8")
    reader = csv.reader(handle)
    header = next(reader, [])

    def rows() -> Iterator[list[str]]:
        with handle:
            for row in reader:
                if row:
                    yield row

    return header, rows()


def _read_csv_records(path: Path) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The header and the records of a CSV, as ``csv.DictReader`` reads them (blank lines
    skipped, a short row's missing cells ``None``, a long row's extra cells under
    ``None``), built by ``dict(zip(...))`` without DictReader's per-row Python method: a
    year of hourly rows for 60 series is 220,000 records."""
    header, rows = _read_csv_rows(path)
    return header, (record_of(header, row) for row in rows)


def load_csv(path: Path, filters: Filters = ALL) -> RowsResult:
    """A CSV in any of the recognised formats (ours column by column,
    :mod:`adapters.history.column_reading`, or when that reader does not vouch for the
    answer, by cell position: :mod:`adapters.history.cell_rows`)."""
    by_columns = read_columns(path, filters)
    if by_columns is not None:
        return Success(by_columns)
    try:
        header, rows = _read_csv_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return Failure(f"{path}: cannot read: {error}")
    if all(column in header for column in COLUMNS):
        return collect_cells(path, header, rows, filters)
    records = (record_of(header, row) for row in rows)
    if all(column in header for column in RESEARCH_COLUMNS):
        return _collect(
            path, records, lambda r: _research_row(r, str(path), filters), filters
        ).bind(_filled(path))
    if all(column in header for column in FETCHER_COLUMNS):
        return _load_fetcher(path, records, filters)
    return Failure(
        f"{path}: unrecognised columns {header}; expected the funding-history format "
        f"({', '.join(COLUMNS)}), funding_rate_data, or historical-funding-rates-fetcher"
    )


def load_parquet(path: Path, filters: Filters = ALL) -> RowsResult:
    """A Parquet file (ours, or funding_rate_data's). Needs pyarrow (the ``parquet`` extra)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return Failure(f"{path}: reading Parquet needs pyarrow (pip install 'atomic-fp[parquet]')")
    try:
        table = pq.read_table(str(path))
    except (OSError, ValueError) as error:
        return Failure(f"{path}: cannot read Parquet: {error}")
    names = set(table.column_names)
    if filters.venues is not None and "venue" in names:
        import pyarrow.compute as pc

        mask = pc.is_in(pc.utf8_lower(table["venue"]), value_set=_pa_strings(filters.venues))
        table = table.filter(mask)
    records: Iterator[dict[str, Any]] = iter(table.to_pylist())
    if all(column in names for column in COLUMNS):
        return _collect(
            path,
            (_as_strings(r) for r in records),
            lambda r: row_from_record(r, str(path)),
            filters,
        )
    if all(column in names for column in RESEARCH_COLUMNS):
        return _collect(
            path, records, lambda r: _research_row(r, str(path), filters), filters
        ).bind(_filled(path))
    return Failure(f"{path}: unrecognised Parquet columns {sorted(names)}")


def _pa_strings(values: Collection[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(values), type=pa.string())


def _as_strings(record: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in record.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, datetime):
            out[key] = value.astimezone(timezone.utc).isoformat()
        else:
            out[key] = str(value)
    return out


def data_files(path: Path) -> list[Path]:
    """``path`` itself, or every ``.csv`` / ``.parquet`` below it (sorted, deterministic)."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in {".csv", ".parquet"}
        )
    return [path]


def load_path(path: Path, filters: Filters = ALL) -> RowsResult:
    """Every row of one file, or of every data file under a directory."""
    if not path.exists():
        return Failure(f"{path}: no such file or directory")
    rows: list[HistoryRow] = []
    for file in data_files(path):
        loaded = (
            load_parquet(file, filters)
            if file.suffix.lower() == ".parquet"
            else load_csv(file, filters)
        )
        if isinstance(loaded, Failure):
            return loaded
        rows.extend(loaded.unwrap())
    return Success(tuple(rows))


__all__ = [
    "ALL",
    "FETCHER_UTC_PLUS_3",
    "Filters",
    "RowsResult",
    "data_files",
    "load_csv",
    "load_parquet",
    "load_path",
]
