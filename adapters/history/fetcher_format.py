"""The historical-funding-rates-fetcher format (supervik, 2020-2023; columns ``Symbol,Date,
Funding Rate``; the venue from the file name): naive dates read as UTC+3 on the venues where
the author's local time was written (SOURCES.md §1.8), each row's interval the gap to the
previous row when that is a standard cadence (see :mod:`adapters.history.loaders`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from returns.result import Failure, Success

from adapters.history.format import parse_decimal, required_cell
from adapters.history.row_reading import Filters, RowsResult, _snap
from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import Symbol
from atomic_fp.symbols import split_multiplier

FETCHER_COLUMNS = ("Symbol", "Date", "Funding Rate")
FETCHER_UTC_PLUS_3 = frozenset({"binance", "bybit", "htx", "mexc", "kucoin"})
FETCHER_SHIFT = timedelta(hours=3)
_FETCHER_NAME = re.compile(
    r"^(?P<sym>[A-Za-z0-9]+-[A-Za-z0-9]+)_(?P<venue>[a-z0-9]+)_\d{4}-\d{2}-\d{2}_"
    r"\d{4}-\d{2}-\d{2}_funding_history\.csv$"
)


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
            venue_symbol = required_cell(record, "Symbol").strip()
            symbol = Symbol(base=split_multiplier(venue_symbol.split("-")[0])[0])
            if not filters.keep_symbol(symbol):
                continue
            naive = datetime.fromisoformat(required_cell(record, "Date").strip())
            if naive.tzinfo is not None:
                raise ValueError(f"Date {record['Date']!r} unexpectedly carries an offset")
            when = (naive - shift).replace(tzinfo=timezone.utc)
            parsed.append(
                (
                    when,
                    parse_decimal(required_cell(record, "Funding Rate"), "Funding Rate"),
                    symbol,
                    venue_symbol,
                )
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


__all__ = ["FETCHER_COLUMNS", "FETCHER_SHIFT", "FETCHER_UTC_PLUS_3"]
