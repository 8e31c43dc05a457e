"""``FundingSeries.window`` finds its slice by bisection (issue 20: the result reports every
series' coverage of the window, 220,000 rows a benchmark year) and gives what the
row-by-row filter of main f47b108 gives.

Reference: :func:`_by_rows_f47b108`, the body of ``window`` at f47b108, verbatim. Generated
series: strictly increasing times (as the class states) and, so that the fallback is
exercised too, times in any order with repeats; windows with either bound missing, bounds
on, between, before and after the settlements, and empty or inverted windows.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp.backtest import series as series_module
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.models import Symbol

EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _by_rows_f47b108(
    self: FundingSeries, start: datetime | None, end: datetime | None
) -> FundingSeries:
    """``FundingSeries.window`` at f47b108, verbatim."""
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


def _series(hours: list[int], with_signals: bool) -> FundingSeries:
    n = len(hours)
    return FundingSeries(
        venue="alpha",
        symbol=Symbol("X"),
        venue_symbol="XUSDT",
        contract_multiplier=Decimal(1),
        times=tuple(EPOCH + timedelta(hours=h) for h in hours),
        rates=tuple(Decimal(i) / 1000 for i in range(n)),
        intervals=tuple(timedelta(hours=1 + i % 2) for i in range(n)),
        marks=tuple(None if i % 3 == 0 else Decimal(100 + i) for i in range(n)),
        signals=tuple(None if i % 4 == 0 else Decimal(i) for i in range(n))
        if with_signals
        else None,
    )


def _fields(series: FundingSeries) -> tuple[object, ...]:
    return tuple(getattr(series, field.name) for field in attrs.fields(FundingSeries))


bounds = (
    st.none()
    | st.integers(min_value=-3, max_value=60).map(lambda h: EPOCH + timedelta(hours=h, minutes=0))
    | st.integers(min_value=-180, max_value=3600).map(lambda m: EPOCH + timedelta(minutes=m))
)
increasing = st.lists(st.integers(min_value=0, max_value=50), max_size=30, unique=True).map(sorted)
any_order = st.lists(st.integers(min_value=0, max_value=50), max_size=30)


@settings(max_examples=400, deadline=None)
@given(hours=increasing | any_order, start=bounds, end=bounds, with_signals=st.booleans())
def test_window_is_the_row_by_row_window_of_f47b108(
    hours: list[int], start: datetime | None, end: datetime | None, with_signals: bool
) -> None:
    series = _series(hours, with_signals)
    expected = _by_rows_f47b108(series, start, end)
    got = series.window(start, end)
    assert _fields(got) == _fields(expected)
    assert all(
        type(value) is type(other)
        for value, other in zip(_fields(got), _fields(expected), strict=True)
    )
    assert (got is series) == (expected is series)


def test_the_comparison_catches_an_off_by_one_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property above can fail: with ``bisect_right`` for ``bisect_left`` a settlement
    exactly at ``end`` is kept and one exactly at ``start`` dropped."""
    series = _series([0, 1, 2, 3], with_signals=False)
    start, end = EPOCH + timedelta(hours=1), EPOCH + timedelta(hours=3)
    assert _fields(series.window(start, end)) == _fields(_by_rows_f47b108(series, start, end))
    monkeypatch.setattr(series_module, "bisect_left", bisect_right)
    assert _fields(series.window(start, end)) != _fields(_by_rows_f47b108(series, start, end))


def _odd_series(times: list[datetime]) -> FundingSeries:
    n = len(times)
    return FundingSeries(
        venue="alpha",
        symbol=Symbol("X"),
        venue_symbol="XUSDT",
        contract_multiplier=Decimal(1),
        times=tuple(times),
        rates=(Decimal(0),) * n,
        intervals=(timedelta(hours=1),) * n,
        marks=(None,) * n,
    )


def test_no_bounds_compares_no_times_as_f47b108() -> None:
    """Naive and aware times mixed (a hand-built series): with no bound, f47b108 compared
    nothing and gave the series back; checking the times' order first raised TypeError."""
    series = _odd_series([datetime(2025, 1, 1), datetime(2025, 1, 2, tzinfo=timezone.utc)])
    assert _by_rows_f47b108(series, None, None) is series
    assert series.window(None, None) is series


def test_times_in_a_zone_with_clock_changes_go_row_by_row() -> None:
    """Two New York times in the repeated autumn hour: by wall clock 01:10 < 01:50, so the
    times look increasing, but 01:10 of the second pass is 06:10Z and 01:50 of the first is
    05:50Z: against a UTC bound of 06:00Z only the first is kept, as f47b108 kept it."""
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    later = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=new_york)  # 06:10Z
    earlier = datetime(2025, 11, 2, 1, 50, fold=0, tzinfo=new_york)  # 05:50Z
    series = _odd_series([later, earlier])
    start = datetime(2025, 11, 2, 6, 0, tzinfo=timezone.utc)
    expected = _by_rows_f47b108(series, start, None)
    assert expected.times == (later,)
    assert _fields(series.window(start, None)) == _fields(expected)
