"""Where a funding series is missing settlements, and when a venue's rate is unknown.

A gap is reported, never filled: during a gap the venue's rate input to the decisions is a
``Failure`` (so no trade needs it), and funding that would have been paid during it is
unknown and counted as such (``missing_settlements_in_position``), not booked as zero.

Expected cadence: a row's ``interval`` is the accrual period that ENDS at its settlement,
so the previous settlement is expected ``interval`` earlier. Venues do change intervals
(Binance 8h -> 4h and back); a genuine change persists, whereas a lone row whose interval
differs from both neighbours (which themselves agree) is a missing row that the data source
mislabelled (funding_rate_data derives intervals from observed gaps, so a missing 4h row
reads as one "8h" row). Such a row is checked against its neighbours' cadence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import compress, count, islice, repeat
from operator import add, gt, sub

import attrs

from atomic_fp.backtest.series import FundingSeries

GAP_TOLERANCE = timedelta(minutes=15)
"""Slack past an expected settlement before it counts as missing (real data jitters by
milliseconds; a quarter hour absorbs any clock skew without hiding a missed 1h payment)."""


@attrs.frozen
class Gap:
    """Settlements expected in ``(after, before)`` that the data does not have.

    ``unknown_from`` is when a live system would have noticed: the first missing settlement
    plus the tolerance. From then until ``before`` the venue's rate is a ``Failure``.
    """

    venue: str
    symbol: str
    after: datetime
    before: datetime
    expected_interval: timedelta
    missing: int
    unknown_from: datetime

    @property
    def duration(self) -> timedelta:
        return self.before - self.after


def expected_interval(series: FundingSeries, index: int) -> timedelta:
    """The cadence expected between settlement ``index - 1`` and ``index``."""
    intervals = series.intervals
    here = intervals[index]
    previous = intervals[index - 1]
    following = intervals[index + 1] if index + 1 < len(intervals) else None
    if here != previous and following is not None and following == previous:
        return previous
    return here


def find_gaps(series: FundingSeries, tolerance: timedelta = GAP_TOLERANCE) -> Iterator[Gap]:
    """The series' gaps, in order. Only rows whose distance from the previous one exceeds
    the shorter of the two rows' intervals plus ``tolerance`` can start a gap (the cadence
    :func:`expected_interval` picks is one of those two intervals); they are found by
    C-level ``map`` over the whole series (a backtest's result reports every series'
    coverage: 220,000 rows a benchmark year) and then checked as before
    (``tests/backtest/test_gaps_candidates.py`` compares with the row-by-row scan)."""
    times = series.times
    intervals = series.intervals
    deltas = map(sub, islice(times, 1, None), times)
    shorter = map(min, intervals, islice(intervals, 1, None))
    for offset in compress(count(), map(gt, deltas, map(add, shorter, repeat(tolerance)))):
        index = offset + 1
        step = expected_interval(series, index)
        delta = times[index] - times[index - 1]
        if delta > step + tolerance:
            missing = max(1, round(delta / step) - 1)
            yield Gap(
                venue=series.venue,
                symbol=series.symbol.base,
                after=times[index - 1],
                before=times[index],
                expected_interval=step,
                missing=missing,
                unknown_from=times[index - 1] + step + tolerance,
            )


@attrs.frozen
class Coverage:
    """What one series covers inside the backtest window."""

    venue: str
    symbol: str
    venue_symbol: str
    first: datetime | None
    last: datetime | None
    settlements: int
    gaps: tuple[Gap, ...]

    @property
    def missing(self) -> int:
        return sum(g.missing for g in self.gaps)


def coverage(series: FundingSeries, tolerance: timedelta = GAP_TOLERANCE) -> Coverage:
    return Coverage(
        venue=series.venue,
        symbol=series.symbol.base,
        venue_symbol=series.venue_symbol,
        first=series.times[0] if series.times else None,
        last=series.times[-1] if series.times else None,
        settlements=len(series.times),
        gaps=tuple(find_gaps(series, tolerance)),
    )


__all__ = ["GAP_TOLERANCE", "Coverage", "Gap", "coverage", "expected_interval", "find_gaps"]
