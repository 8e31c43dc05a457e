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
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from returns.result import Failure, Result, Success

from adapters.history.cell_rows import collect_cells, record_of
from adapters.history.format import (
    COLUMNS,
    hours_to_interval,
    multiplier_of,
    parse_decimal,
    parse_time,
    row_from_record,
)
from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import Symbol
from atomic_fp.symbols import split_multiplier

RowsResult = Result[tuple[HistoryRow, ...], str]

RESEARCH_COLUMNS = ("venue", "venue_symbol", "canonical_symbol", "settlement_ts", "rate_raw")
FETCHER_COLUMNS = ("Symbol", "Date", "Funding Rate")
FETCHER_UTC_PLUS_3 = frozenset({"binance", "bybit", "htx", "mexc", "kucoin"})
FETCHER_SHIFT = timedelta(hours=3)
_FETCHER_NAME = re.compile(
    r"^(?P<sym>[A-Za-z0-9]+-[A-Za-z0-9]+)_(?P<venue>[a-z0-9]+)_\d{4}-\d{2}-\d{2}_"
    r"\d{4}-\d{2}-\d{2}_funding_history\.csv$"
)
_STANDARD_HOURS = (1, 2, 4, 8)
_CADENCE_TOLERANCE = timedelta(minutes=2)


class Filters:
    """Which venues and symbols to keep (``None`` = all)."""

    __slots__ = ("symbols", "venues")

    def __init__(
        self, venues: Collection[str] | None = None, symbols: Collection[Symbol] | None = None
    ) -> None:
        self.venues = frozenset(v.lower() for v in venues) if venues else None
        self.symbols = frozenset(s.base for s in symbols) if symbols else None

    def keep_venue(self, venue: str) -> bool:
        return self.venues is None or venue in self.venues

    def keep_symbol(self, symbol: Symbol) -> bool:
        return self.symbols is None or symbol.base in self.symbols


ALL = Filters()


def _canonical(canonical_symbol: str, venue_symbol: str) -> tuple[Symbol, Decimal]:
    """``BTC-USDT-PERP`` -> ``Symbol("BTC")``; multiplier from the base (``kPEPE``...)."""
    raw_base = canonical_symbol.split("-")[0] if canonical_symbol else venue_symbol
    base, multiplier = split_multiplier(raw_base)
    symbol = Symbol(base=base)
    if multiplier == 1:
        multiplier = multiplier_of(venue_symbol, symbol)
    return symbol, multiplier


_UNKNOWN_INTERVAL = timedelta(0)


def _research_row(record: dict[str, Any], source: str, filters: Filters) -> HistoryRow | None:
    """One funding_rate_data row (CSV strings or Parquet values); ``None`` = not a settled
    rate (predicted, or a NULL rate left as a gap by that dataset) or filtered out. A row
    without ``interval_hours`` gets :data:`_UNKNOWN_INTERVAL`, resolved by
    :func:`_fill_intervals`."""
    canonical = str(record.get("canonical_symbol") or "")
    if (
        filters.symbols is not None
        and canonical
        and split_multiplier(canonical.split("-")[0])[0] not in filters.symbols
    ):
        return None
    predicted = record.get("is_predicted")
    if predicted is True or str(predicted).lower() == "true":
        return None
    raw_rate = record.get("rate_raw")
    if raw_rate is None or (isinstance(raw_rate, str) and not raw_rate.strip()):
        return None
    if isinstance(raw_rate, float) and raw_rate != raw_rate:  # NaN is a gap, never a number
        return None
    venue = str(record["venue"]).strip().lower()
    venue_symbol = str(record.get("venue_symbol") or "").strip()
    symbol, multiplier = _canonical(str(record.get("canonical_symbol") or ""), venue_symbol)
    stamp = record["settlement_ts"]
    when = stamp.astimezone(timezone.utc) if isinstance(stamp, datetime) else parse_time(stamp)
    hours_value = record.get("interval_hours")
    missing_hours = (
        hours_value is None
        or (isinstance(hours_value, str) and not hours_value.strip())
        or (isinstance(hours_value, float) and hours_value != hours_value)
    )
    mark_value = record.get("mark_price")
    mark: Decimal | None = None
    if mark_value is not None and str(mark_value).strip() and str(mark_value) != "nan":
        mark = parse_decimal(str(mark_value), "mark_price")
        if mark <= 0:
            mark = None
    return HistoryRow(
        venue=venue,
        symbol=symbol,
        venue_symbol=venue_symbol or symbol.base,
        contract_multiplier=multiplier,
        funding_time=when,
        rate=parse_decimal(str(raw_rate), "rate_raw"),
        interval=_UNKNOWN_INTERVAL
        if missing_hours
        else hours_to_interval(parse_decimal(str(hours_value), "interval_hours")),
        mark_price=mark,
        source=source,
    )


def _fill_intervals(rows: list[HistoryRow]) -> list[HistoryRow]:
    """Give a row whose interval the dataset left empty the cadence of its instrument: the
    gap to its previous settlement when that is a standard cadence, else the previous (or
    next) row's interval. funding_rate_data derives intervals from the same gaps."""
    if not any(r.interval == _UNKNOWN_INTERVAL for r in rows):
        return rows
    by_instrument: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        by_instrument.setdefault((row.venue, row.venue_symbol), []).append(index)
    out = list(rows)
    for indices in by_instrument.values():
        ordered = sorted(indices, key=lambda i: rows[i].funding_time)
        for position, index in enumerate(ordered):
            row = out[index]
            if row.interval != _UNKNOWN_INTERVAL:
                continue
            guess: timedelta | None = None
            if position > 0:
                previous = out[ordered[position - 1]]
                guess = _snap(row.funding_time - previous.funding_time) or (
                    previous.interval if previous.interval != _UNKNOWN_INTERVAL else None
                )
            if guess is None and position + 1 < len(ordered):
                following = out[ordered[position + 1]]
                guess = _snap(following.funding_time - row.funding_time) or (
                    following.interval if following.interval != _UNKNOWN_INTERVAL else None
                )
            if guess is None:
                raise ValueError(
                    f"{row.venue} {row.venue_symbol} at {row.funding_time}: interval_hours is "
                    "missing and cannot be told from neighbouring settlements"
                )
            out[index] = row._replace(interval=guess)
    return out


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
    """A CSV in any of the recognised formats (ours read by cell position:
    :mod:`adapters.history.cell_rows`)."""
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


def _collect(
    path: Path,
    records: Iterator[dict[str, Any]],
    parse: Any,
    filters: Filters,
) -> RowsResult:
    rows: list[HistoryRow] = []
    line = 1
    try:
        for line, record in enumerate(records, start=2):  # noqa: B007 (line used in errors)
            venue = str(record.get("venue") or "").strip().lower()
            if venue and not filters.keep_venue(venue):
                continue
            row = parse(record)
            if row is None or not filters.keep_symbol(row.symbol):
                continue
            rows.append(row)
    except (ValueError, KeyError, ArithmeticError, TypeError, csv.Error) as error:
        return Failure(f"{path}:{line}: {error}")
    return Success(tuple(rows))


def _snap(gap: timedelta) -> timedelta | None:
    for hours in _STANDARD_HOURS:
        if abs(gap - timedelta(hours=hours)) <= _CADENCE_TOLERANCE:
            return timedelta(hours=hours)
    return None


def _load_fetcher(path: Path, records: Iterator[dict[str, str]], filters: Filters) -> RowsResult:
    match = _FETCHER_NAME.match(path.name)
    if match is None:
        return Failure(
            f"{path}: historical-funding-rates-fetcher columns, but the file name does not say "
            "the venue (<SYM>_<venue>_<start>_<end>_funding_history.csv)"
        )
    venue = match.group("venue")
    if not filters.keep_venue(venue):
        return Success(())
    shift = FETCHER_SHIFT if venue in FETCHER_UTC_PLUS_3 else timedelta(0)
    parsed: list[tuple[datetime, Decimal, Symbol, str]] = []
    line = 1
    try:
        for line, record in enumerate(records, start=2):  # noqa: B007
            venue_symbol = record["Symbol"].strip()
            symbol = Symbol(base=split_multiplier(venue_symbol.split("-")[0])[0])
            if not filters.keep_symbol(symbol):
                continue
            naive = datetime.fromisoformat(record["Date"].strip())
            if naive.tzinfo is not None:
                raise ValueError(f"Date {record['Date']!r} unexpectedly carries an offset")
            when = (naive - shift).replace(tzinfo=timezone.utc)
            parsed.append(
                (when, parse_decimal(record["Funding Rate"], "Funding Rate"), symbol, venue_symbol)
            )
    except (ValueError, KeyError, ArithmeticError) as error:
        return Failure(f"{path}:{line}: {error}")
    if not parsed:
        return Success(())
    parsed.sort(key=lambda item: item[0])
    gaps = [later[0] - earlier[0] for earlier, later in pairwise(parsed)]
    snapped = [s for s in (_snap(g) for g in gaps) if s is not None]
    if not snapped:
        return Failure(f"{path}: cannot tell the funding interval (fewer than two regular rows)")
    default = max(set(snapped), key=lambda s: (snapped.count(s), s))
    rows: list[HistoryRow] = []
    interval = default
    for index, (when, rate, symbol, venue_symbol) in enumerate(parsed):
        if index > 0:
            interval = _snap(gaps[index - 1]) or interval
        rows.append(
            HistoryRow(
                venue=venue,
                symbol=symbol,
                venue_symbol=venue_symbol,
                contract_multiplier=Decimal(1),
                funding_time=when,
                rate=rate,
                interval=interval,
                mark_price=None,
                source=str(path),
            )
        )
    return Success(tuple(rows))


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


def _filled(path: Path) -> Any:
    def fill(rows: tuple[HistoryRow, ...]) -> RowsResult:
        try:
            return Success(tuple(_fill_intervals(list(rows))))
        except ValueError as error:
            return Failure(f"{path}: {error}")

    return fill


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
