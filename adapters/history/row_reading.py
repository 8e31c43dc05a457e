"""What every historical funding format's reader shares: the result type (rows, or a
message naming the file and, for a bad row, its line), the venue and symbol filters applied
while reading (so large files stay cheap), the loop that turns records into rows, and the
snap of a gap between settlements to a standard cadence (1, 2, 4, 8 h)."""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from returns.result import Failure, Result, Success

from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import Symbol

RowsResult = Result[tuple[HistoryRow, ...], str]

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


__all__ = ["ALL", "Filters", "RowsResult"]
