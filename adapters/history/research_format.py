"""The funding_rate_data format (``shared/research-data/funding_rate_data``, from
ZuShen168/funding_rate_data; see :mod:`adapters.history.loaders`): one record as a
:class:`~atomic_fp.backtest.series.HistoryRow` (predicted rows and NULL rates skipped, never
read as zero), and the intervals the dataset left empty told from neighbouring settlements."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from returns.result import Failure, Success

from adapters.history.format import hours_to_interval, multiplier_of, parse_decimal, parse_time
from adapters.history.row_reading import Filters, RowsResult, _snap
from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import Symbol
from atomic_fp.symbols import split_multiplier

RESEARCH_COLUMNS = ("venue", "venue_symbol", "canonical_symbol", "settlement_ts", "rate_raw")


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


def _filled(path: Path) -> Any:
    def fill(rows: tuple[HistoryRow, ...]) -> RowsResult:
        try:
            return Success(tuple(_fill_intervals(list(rows))))
        except ValueError as error:
            return Failure(f"{path}: {error}")

    return fill


__all__ = ["RESEARCH_COLUMNS"]
