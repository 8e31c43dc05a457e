"""The funding-history file format: what ``atomic-fp funding-history`` writes and
``atomic-fp backtest`` reads.

One row per SETTLED funding payment of one symbol on one venue. CSV (UTF-8, header row,
comma separated, ``\\n`` line ends) or Parquet (same column names, every column a string, so
decimals survive byte-exact). Columns, in this order:

======================  ====================================================================
``venue``               venue id (``binance``, ``hyperliquid``...), lower case
``symbol``              canonical symbol as ``str(Symbol)``: ``BTC/USD`` (``Symbol.parse``
                        reads it back; a bare ``BTC`` is accepted too)
``venue_symbol``        the venue's own name (``BTCUSDT``, ``kPEPE``)
``funding_time``        settlement instant, ISO-8601 **UTC** with an explicit ``Z`` or
                        ``+00:00`` (e.g. ``2025-08-21T08:00:00.000Z``); a naive time is refused
``rate``                fraction of notional per interval, decimal string; positive = longs pay
``interval_hours``      hours of the accrual period that ENDS at ``funding_time`` (decimal:
                        ``8``, ``4``, ``1``, ``0.5``); venues change it over time
``mark_price``          the venue's mark price at settlement, per venue size unit, as the venue
                        reports it; empty when the venue's history does not carry it
``contract_multiplier`` OPTIONAL (readers default it from ``venue_symbol``, e.g. ``1000PEPEUSDT``
                        -> 1000): base-asset units per venue size unit
======================  ====================================================================

Rows may come in any order; readers sort them. A missing settlement is simply an absent row:
writers must never write a zero (or a forward-filled value) for a period they did not get.

The CLI's ``funding-history`` command should write files through :func:`write_csv` /
:func:`write_parquet` (they take the project's ``FundingRate`` models of kind ``SETTLED``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atomic_fp.models import FundingRate, Symbol, interval_hours
from atomic_fp.symbols import split_multiplier

if TYPE_CHECKING:  # imported where rows are built: a scan reads times and intervals only
    from atomic_fp.backtest.series import HistoryRow


def __getattr__(name: str) -> object:
    """``HistoryRow``, still importable from here (PEP 562; see the import above)."""
    if name == "HistoryRow":
        from atomic_fp.backtest.series import HistoryRow

        return HistoryRow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


COLUMNS: tuple[str, ...] = (
    "venue",
    "symbol",
    "venue_symbol",
    "funding_time",
    "rate",
    "interval_hours",
    "mark_price",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("contract_multiplier",)

_MICROSECONDS_PER_HOUR = 3_600_000_000


def format_time(value: datetime) -> str:
    """ISO-8601 UTC with a ``Z``; milliseconds unless sub-millisecond digits exist."""
    utc = value.astimezone(timezone.utc)
    spec = "microseconds" if utc.microsecond % 1000 else "milliseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


@lru_cache(maxsize=65536)
def parse_time(text: str) -> datetime:
    """Read an ISO-8601 time that carries its UTC offset; naive times are refused.
    Cached: every series of a file repeats the same settlement instants."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError(f"funding_time {text!r} has no UTC offset (write a trailing 'Z')")
    return value.astimezone(timezone.utc)


def hours_to_interval(hours: Decimal) -> timedelta:
    if not hours.is_finite() or hours <= 0:
        raise ValueError(f"interval_hours must be > 0, got {hours}")
    return timedelta(microseconds=int(hours * _MICROSECONDS_PER_HOUR))


def parse_decimal(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise ValueError(f"{name} {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, got {text!r}")
    return value


def multiplier_of(venue_symbol: str, symbol: Symbol) -> Decimal:
    """Base units per venue unit, from the venue's name (``1000PEPEUSDT`` -> 1000)."""
    name = venue_symbol.upper()
    for quote in ("USDT", "USDC", "USD"):
        if name.endswith(quote) and len(name) > len(quote):
            name = venue_symbol[: -len(quote)]
            break
    else:
        name = venue_symbol
    name = name.split("-")[0].split("_")[0]
    base, multiplier = split_multiplier(name)
    return multiplier if base == symbol.base else Decimal(1)


@lru_cache(maxsize=4096)
def _instrument(
    symbol_text: str, venue_symbol: str, multiplier_text: str
) -> tuple[Symbol, str, Decimal]:
    """Parsed once per distinct instrument (a year of hourly rows repeats it 8,760 times)."""
    symbol = Symbol.parse(symbol_text)
    name = venue_symbol.strip() or symbol.base
    multiplier = (
        parse_decimal(multiplier_text, "contract_multiplier")
        if multiplier_text.strip()
        else multiplier_of(name, symbol)
    )
    if multiplier <= 0:
        raise ValueError(f"contract_multiplier must be > 0, got {multiplier_text!r}")
    return symbol, name, multiplier


@lru_cache(maxsize=256)
def _interval(text: str) -> timedelta:
    return hours_to_interval(parse_decimal(text, "interval_hours"))


instrument = _instrument
"""``(symbol, venue_symbol, multiplier)`` of a row's texts (``adapters/history/cell_rows``,
``adapters/history/column_reading``)."""
interval_of = _interval
"""The interval of an ``interval_hours`` text (``adapters/history/cell_rows``,
``adapters/history/column_reading``)."""


def required_cell(record: Mapping[str, str | None], name: str) -> str:
    """A required column's cell; a short row reads ``None`` for the cells it lacks
    (``csv.DictReader``'s rule), refused here by name instead of failing on ``None``
    (a traceback, exit 1, before: ``tests/backtest/test_loader_short_rows.py``)."""
    value = record.get(name)
    if value is None:
        raise ValueError(f"{name} is missing: the row has fewer cells than the header")
    return value


def row_from_record(record: dict[str, str], source: str) -> HistoryRow:
    """One row of the format (strings) -> a :class:`HistoryRow`; raises ``ValueError``."""
    from atomic_fp.backtest.series import HistoryRow

    symbol, venue_symbol, multiplier = _instrument(
        required_cell(record, "symbol"),
        record.get("venue_symbol") or "",
        record.get("contract_multiplier") or "",
    )
    mark_text = (record.get("mark_price") or "").strip()
    mark = parse_decimal(mark_text, "mark_price") if mark_text else None
    if mark is not None and mark <= 0:
        raise ValueError(f"mark_price must be > 0, got {mark_text!r}")
    venue = required_cell(record, "venue").strip().lower()
    if not venue:
        raise ValueError("venue is empty")
    return HistoryRow(
        venue=venue,
        symbol=symbol,
        venue_symbol=venue_symbol,
        contract_multiplier=multiplier,
        funding_time=parse_time(required_cell(record, "funding_time")),
        rate=parse_decimal(required_cell(record, "rate"), "rate"),
        interval=_interval(required_cell(record, "interval_hours")),
        mark_price=mark,
        source=source,
    )


def _cells(rate: FundingRate, multiplier: Decimal | None) -> list[str]:
    when = rate.funding_time or rate.observed_at
    venue_symbol = rate.venue_symbol or rate.symbol.base
    mult = multiplier if multiplier is not None else multiplier_of(venue_symbol, rate.symbol)
    return [
        rate.exchange.name,
        str(rate.symbol),
        venue_symbol,
        format_time(when),
        str(rate.rate),
        str(interval_hours(rate.interval).normalize()),
        "" if rate.mark_price is None else str(rate.mark_price),
        str(mult.normalize()),
    ]


def _sorted(rates: Iterable[FundingRate]) -> list[FundingRate]:
    return sorted(
        rates,
        key=lambda r: (r.exchange.name, str(r.symbol), r.funding_time or r.observed_at),
    )


def to_csv_text(rates: Iterable[FundingRate], multiplier: Decimal | None = None) -> str:
    """The CSV text for ``rates`` (sorted by venue, symbol, time; deterministic)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, *OPTIONAL_COLUMNS])
    for rate in _sorted(rates):
        writer.writerow(_cells(rate, multiplier))
    return buffer.getvalue()


def write_csv(path: Path, rates: Iterable[FundingRate], multiplier: Decimal | None = None) -> int:
    """Write ``rates`` as funding-history CSV; returns the number of rows written."""
    rows = _sorted(rates)
    path.write_text(to_csv_text(rows, multiplier), encoding="utf-8")
    return len(rows)


def write_parquet(
    path: Path, rates: Iterable[FundingRate], multiplier: Decimal | None = None
) -> int:
    """Write ``rates`` as funding-history Parquet (needs the ``parquet`` extra: pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [_cells(rate, multiplier) for rate in _sorted(rates)]
    names = [*COLUMNS, *OPTIONAL_COLUMNS]
    columns: dict[str, Sequence[Any]] = {
        name: [row[index] for row in rows] for index, name in enumerate(names)
    }
    table = pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})
    pq.write_table(table, str(path))
    return len(rows)


__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "HistoryRow",
    "format_time",
    "hours_to_interval",
    "multiplier_of",
    "parse_decimal",
    "parse_time",
    "required_cell",
    "row_from_record",
    "to_csv_text",
    "write_csv",
    "write_parquet",
]
