"""Settled funding history, one series per (venue, symbol), held column-wise.

A year of hourly settlements for 60 venue/symbol pairs is half a million rows; they are
kept as plain tuples (no model object per row) and turned into ``FundingRate`` models only
when a decision needs one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import islice
from operator import attrgetter, le, lt
from typing import NamedTuple

import attrs

from atomic_fp.models import Symbol


class HistoryRow(NamedTuple):
    """One settled funding observation as read from a file.

    ``rate`` is a fraction per ``interval`` (the accrual period that ENDS at
    ``funding_time``); positive = longs pay. ``mark_price`` is per venue size unit, as the
    file gives it (``None`` when the history has none); one venue unit is
    ``contract_multiplier`` base units.
    """

    venue: str
    symbol: Symbol
    venue_symbol: str
    contract_multiplier: Decimal
    funding_time: datetime
    rate: Decimal
    interval: timedelta
    mark_price: Decimal | None
    source: str


@attrs.frozen(eq=False)
class FundingSeries:
    """Settlements of one symbol on one venue, oldest first, strictly increasing times.

    ``marks`` are per BASE unit (the file's mark divided by the contract multiplier).
    """

    venue: str
    symbol: Symbol
    venue_symbol: str
    contract_multiplier: Decimal
    times: tuple[datetime, ...]
    rates: tuple[Decimal, ...]
    intervals: tuple[timedelta, ...]
    marks: tuple[Decimal | None, ...]
    signals: tuple[Decimal | None, ...] | None = None
    """What the decisions see at each row instead of the settled rate (an estimator's
    value per that row's interval: :mod:`atomic_fp.backtest.estimated`); ``None`` in an
    entry = no estimate then (the venue is left out); ``None`` = the settled rates."""
    basis: str = "current"

    def signal(self, row: int) -> Decimal | None:
        """The rate the decisions see after settlement ``row``."""
        return self.rates[row] if self.signals is None else self.signals[row]

    def __len__(self) -> int:
        return len(self.times)

    @property
    def key(self) -> tuple[str, str]:
        return self.venue, self.symbol.base

    def window(self, start: datetime | None, end: datetime | None) -> FundingSeries:
        """Settlements with ``start <= time < end``.

        Times strictly increase (as this class states), so the window is one slice found
        by bisection; the result reports every series' window (220,000 rows a benchmark
        year), which row-by-row comparisons cost ~0.06 s. Times that do not increase are
        filtered row by row as before (:meth:`_window_by_rows`, also the oracle of
        ``tests/backtest/test_series_window.py``).

        Bisection is used only for times all in UTC itself (as the loaders give them): two
        times in one zone with clock changes compare by wall clock, not instant, so their
        order can disagree with their order against a UTC bound; naive or mixed times go
        row by row too, and no bound at all compares nothing (as the row filter)."""
        if start is None and end is None:
            return self
        times = self.times
        if not (
            all(when.tzinfo is timezone.utc for when in times)
            and all(map(lt, times, islice(times, 1, None)))
        ):
            return self._window_by_rows(start, end)
        low = 0 if start is None else bisect_left(times, start)
        high = len(times) if end is None else bisect_left(times, end, low)
        if low == 0 and high == len(times):
            return self
        signals = self.signals
        return attrs.evolve(
            self,
            times=tuple(times[low:high]),
            rates=tuple(self.rates[low:high]),
            intervals=tuple(self.intervals[low:high]),
            marks=tuple(self.marks[low:high]),
            signals=None if signals is None else tuple(signals[low:high]),
        )

    def _window_by_rows(self, start: datetime | None, end: datetime | None) -> FundingSeries:
        """:meth:`window` row by row (any order of times)."""
        keep = [
            index
            for index, when in enumerate(self.times)
            if (start is None or when >= start) and (end is None or when < end)
        ]
        if len(keep) == len(self.times):
            return self
        return attrs.evolve(
            self,
            times=tuple(self.times[i] for i in keep),
            rates=tuple(self.rates[i] for i in keep),
            intervals=tuple(self.intervals[i] for i in keep),
            marks=tuple(self.marks[i] for i in keep),
            signals=None if self.signals is None else tuple(self.signals[i] for i in keep),
        )


@attrs.frozen
class SeriesSet:
    """Series to backtest, sorted by (symbol, venue), and what was noticed building them."""

    series: tuple[FundingSeries, ...]
    warnings: tuple[str, ...] = ()

    @property
    def venues(self) -> tuple[str, ...]:
        return tuple(sorted({s.venue for s in self.series}))

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        return tuple(sorted({s.symbol for s in self.series}))


def _preference(venue_symbol: str, count: int) -> tuple[int, int, str]:
    upper = venue_symbol.upper()
    return (count, int(upper.endswith("USDT")), venue_symbol)


_TIME = attrgetter("funding_time")
_RATE = attrgetter("rate")
_INTERVAL = attrgetter("interval")


def build_series(
    rows: Iterable[HistoryRow],
    *,
    venues: Collection[str] | None = None,
    symbols: Collection[Symbol] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> SeriesSet:
    """Group rows into series, sort them, drop exact duplicates.

    - Several venue instruments for one canonical symbol on one venue (Binance ``BTCUSDT``
      and ``BTCUSDC``): the one with the most rows is kept (then a USDT one, then by name)
      and the others are named in ``warnings``: they are different instruments with
      different funding, never merged.
    - The same settlement twice (e.g. the Parquet and its CSV copy both given): identical
      rows collapse silently; a conflicting rate keeps the first row read and warns.
    """
    venue_filter = frozenset(v.lower() for v in venues) if venues else None
    symbol_filter = frozenset(s.base for s in symbols) if symbols else None
    # per (venue, base) and venue instrument, its rows in the order read (a list's order
    # is the read order: what the duplicate rule and the sort's tie-break go by)
    grouped: dict[tuple[str, str], dict[str, list[HistoryRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    filtered = not (
        venue_filter is None and symbol_filter is None and start is None and end is None
    )
    for row in rows:
        if filtered:
            if venue_filter is not None and row.venue not in venue_filter:
                continue
            if symbol_filter is not None and row.symbol.base not in symbol_filter:
                continue
            if (start is not None and row.funding_time < start) or (
                end is not None and row.funding_time >= end
            ):
                continue
        grouped[(row.venue, row.symbol.base)][row.venue_symbol].append(row)
    warnings: list[str] = []
    built: list[FundingSeries] = []
    for (venue, base), instruments in sorted(grouped.items()):
        ranked = sorted(
            instruments, key=lambda name: _preference(name, len(instruments[name])), reverse=True
        )
        chosen = ranked[0]
        if len(ranked) > 1:
            warnings.append(
                f"{venue} {base}: several instruments ({', '.join(sorted(ranked))}); "
                f"using {chosen}, ignoring {', '.join(sorted(ranked[1:]))}"
            )
        entries = instruments[chosen]
        times = list(map(_TIME, entries))
        if not all(map(le, times, islice(times, 1, None))):
            # by time, ties in the order read (the sort is stable)
            entries = sorted(entries, key=_TIME)
            times = list(map(_TIME, entries))
        conflicts = 0
        if all(map(lt, times, islice(times, 1, None))):
            kept = entries  # no settlement given twice
        else:
            kept = []
            for row in entries:
                if kept and kept[-1].funding_time == row.funding_time:
                    if kept[-1].rate != row.rate:
                        conflicts += 1
                    continue
                kept.append(row)
            times = list(map(_TIME, kept))
        if conflicts:
            warnings.append(
                f"{venue} {base}: {conflicts} settlement(s) given twice with different rates; "
                "kept the first file's value"
            )
        first = kept[0]
        multiplier = first.contract_multiplier
        built.append(
            FundingSeries(
                venue=venue,
                symbol=first.symbol,
                venue_symbol=chosen,
                contract_multiplier=multiplier,
                times=tuple(times),
                rates=tuple(map(_RATE, kept)),
                intervals=tuple(map(_INTERVAL, kept)),
                marks=tuple(
                    None if r.mark_price is None else r.mark_price / multiplier for r in kept
                ),
            )
        )
    built.sort(key=lambda s: (s.symbol, s.venue))
    return SeriesSet(series=tuple(built), warnings=tuple(warnings))


__all__ = ["FundingSeries", "HistoryRow", "SeriesSet", "build_series"]
