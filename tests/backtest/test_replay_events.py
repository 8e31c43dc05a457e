"""The replay's events (each settlement, and each instant a rate becomes unknown because
its successor is overdue) are exactly those of the straightforward definition: every row
of the window asked ``unknown_after``. Random histories with gaps, interval changes
(8 h <-> 4 h <-> 1 h, as Binance does) and windows that cut them anywhere."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestSettings, _Run
from atomic_fp.backtest.replay_state import SETTLE, UNKNOWN, unknown_after
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.2"), close_threshold=Decimal("0.05"), max_position=Decimal(1),
    trade_size=Decimal(1), fees={"a": VenueFees(maker=Decimal(0), taker=Decimal(0))},
)  # fmt: skip


def _reference(run: _Run) -> list[tuple[datetime, int, int, int]]:
    events = []
    tolerance = run.settings.gap_tolerance
    for state in run.series:
        times = state.data.times
        prior = -1
        for row, when in enumerate(times):
            if when < run.start:
                prior = row
                continue
            if when >= run.end:
                break
            events.append((when, SETTLE, state.index, row))
        for row in range(max(prior, 0), len(times)):
            if times[row] >= run.end:
                break
            unknown = unknown_after(state.data, row, tolerance)
            if unknown is not None and run.start < unknown < run.end:
                events.append((unknown, UNKNOWN, state.index, row))
    return sorted(events)


_steps = st.lists(
    st.tuples(st.sampled_from([1, 4, 8]), st.sampled_from([0, 0, 0, 1, 2, 9])), min_size=1,
    max_size=30,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    steps=_steps,
    start=st.one_of(st.none(), st.integers(0, 200)),
    length=st.one_of(st.none(), st.integers(1, 300)),
)
def test_events_are_the_definitions(
    steps: list[tuple[int, int]], start: int | None, length: int | None
) -> None:
    rows, hour = [], 0
    for interval, skipped in steps:  # each settlement after ``skipped`` missing ones
        hour += interval * (1 + skipped)
        rows.append(
            HistoryRow("a", Symbol("X"), "XUSDT", Decimal(1), START + timedelta(hours=hour),
                       Decimal("0.0001"), timedelta(hours=interval), Decimal(100), "test")
        )  # fmt: skip
    window_start = None if start is None else START + timedelta(hours=start)
    window_end = (
        None if length is None or window_start is None else window_start + timedelta(hours=length)
    )
    settings_ = BacktestSettings(config=CONFIG, start=window_start, end=window_end)
    series = list(build_series(rows).series)
    try:
        run = _Run(series, settings_, None, backtest_venue)
    except ValueError:
        return  # an empty window: refused before any event is made
    reference = _reference(_Run(series, settings_, None, backtest_venue))
    assert run._events() == reference
