"""``find_gaps`` checks only the rows that can start a gap (issue 20: the backtest's
result reports every series' coverage, a scan of every row) and finds exactly the gaps of
the row-by-row scan it replaced (main 990c7ed, copied below): hypothesis over series with
interval changes, lone mislabelled rows, jitter around the tolerance and gaps of every
size, and every tolerance the histories use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.backtest.gaps import GAP_TOLERANCE, Gap, expected_interval, find_gaps
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.models import Symbol

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def reference_gaps(series: FundingSeries, tolerance: timedelta = GAP_TOLERANCE) -> Iterator[Gap]:
    """``find_gaps`` of main 990c7ed, verbatim."""
    times = series.times
    for index in range(1, len(times)):
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


hours = st.sampled_from([1, 1, 2, 4, 8, 8])
jitter = st.sampled_from([0, 0, 0, 1, 14, 15, 16, -1, 60]).map(lambda m: timedelta(minutes=m))


@st.composite
def series_of(draw: st.DrawFn) -> FundingSeries:
    times: list[datetime] = []
    intervals: list[timedelta] = []
    when = T0
    interval = timedelta(hours=draw(hours))
    for _ in range(draw(st.integers(0, 40))):
        if draw(st.integers(0, 5)) == 0:
            interval = timedelta(hours=draw(hours))  # the venue changes its interval
        labelled = interval
        if draw(st.integers(0, 8)) == 0:
            labelled = timedelta(hours=draw(hours))  # a lone mislabelled row
        skipped = draw(st.sampled_from([1, 1, 1, 1, 2, 3]))  # 2, 3: missing rows
        when = when + interval * skipped + draw(jitter)
        if times and when <= times[-1]:
            when = times[-1] + timedelta(minutes=1)
        times.append(when)
        intervals.append(labelled)
    n = len(times)
    return FundingSeries(
        "binance", Symbol("BTC"), "BTCUSDT", Decimal(1), tuple(times),
        (Decimal("0.0001"),) * n, tuple(intervals), (None,) * n,
    )  # fmt: skip


tolerances = st.sampled_from(
    [GAP_TOLERANCE, timedelta(0), timedelta(minutes=1), timedelta(hours=1)]
)


@given(series_of(), tolerances)
def test_the_gaps_are_those_of_the_row_by_row_scan(
    series: FundingSeries, tolerance: timedelta
) -> None:
    assert list(find_gaps(series, tolerance)) == list(reference_gaps(series, tolerance))


def test_a_mislabelled_row_and_an_interval_change_read_as_before() -> None:
    """08:00 is labelled 4 h between 8 h rows, and 16:00 (labelled 8 h) sits between 4 h
    rows: each row is judged by its neighbours' cadence, so 08:00 -> 16:00 is one missing
    4 h row; then 4 h rows to 24:00 and a 16 h hole at 8 h (one missing row)."""
    h = timedelta(hours=1)
    times = (T0, T0 + 8 * h, T0 + 16 * h, T0 + 20 * h, T0 + 24 * h, T0 + 40 * h)
    intervals = (8 * h, 4 * h, 8 * h, 4 * h, 4 * h, 8 * h)
    series = FundingSeries(
        "binance", Symbol("BTC"), "BTCUSDT", Decimal(1), times,
        (Decimal(0),) * 6, intervals, (None,) * 6,
    )  # fmt: skip
    found = list(find_gaps(series))
    assert found == list(reference_gaps(series))
    assert [(g.after, g.before, g.missing, g.expected_interval) for g in found] == [
        (T0 + 8 * h, T0 + 16 * h, 1, 4 * h),
        (T0 + 24 * h, T0 + 40 * h, 1, 8 * h),
    ]
