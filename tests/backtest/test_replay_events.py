"""The replay's events (each settlement, and each instant a rate becomes unknown because
its successor is overdue) are exactly those of the straightforward definition: every row
of the window asked ``unknown_after``. Random histories with gaps, interval changes
(8 h <-> 4 h <-> 1 h, as Binance does) and windows that cut them anywhere."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestSettings, _Run
from atomic_fp.backtest.replay_state import SETTLE, UNKNOWN, unknown_after
from atomic_fp.backtest.run_setup import _overdue_candidates
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees
from tests.backtest.test_cross_margin_accounts import _random_history

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


def _sorted_and_grouped(
    run: _Run,
) -> tuple[dict[datetime, list[tuple[int, int]]], dict[datetime, list[tuple[int, int]]]]:
    """main 05f40af's ``RunBase._events`` and the grouping at the top of ``_Run.run``,
    verbatim (each settlement's series given by its index, to compare across runs)."""
    events: list[tuple[datetime, int, int, int]] = []
    tolerance = run.settings.gap_tolerance
    for state in run.series:
        data = state.data
        times = data.times
        prior = -1
        for row, when in enumerate(times):
            if when < run.start:
                prior = row
                continue
            if when >= run.end:
                break
            events.append((when, SETTLE, state.index, row))
        first = max(prior, 0)
        for row in _overdue_candidates(data, first, bisect_left(times, run.end), tolerance):
            unknown = unknown_after(data, row, tolerance)
            if unknown is not None and run.start < unknown < run.end:
                events.append((unknown, UNKNOWN, state.index, row))
        if prior >= 0:
            unknown = unknown_after(data, prior, tolerance)
            run._warm(state, prior, unknown is None or unknown > run.start)
    events.sort()
    settling_at: dict[datetime, list[tuple[int, int]]] = {}
    unknown_at: dict[datetime, list[tuple[int, int]]] = {}
    for when, kind, index, row in events:
        if kind == SETTLE:
            settling_at.setdefault(when, []).append((index, row))
        else:
            unknown_at.setdefault(when, []).append((index, row))
    return settling_at, unknown_at


def _warmed(run: _Run) -> list[tuple[object, ...]]:
    return [
        (s.known, s.available, s.usable, s.own_mark, s.sym.reference, s.sym.reference_time)
        for s in run.series
    ]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    cut_start=st.one_of(st.none(), st.integers(0, 30)),
    length=st.one_of(st.none(), st.integers(1, 40)),
)
def test_the_timeline_is_05f40af_sort_and_group(
    seed: int, cut_start: int | None, length: int | None
) -> None:
    """Several series (three venues, two or three symbols) with gaps and interval
    changes, windows cutting them anywhere: the same instants, the same lists in the
    same order, and the same series warmed at the window start."""
    series, run_settings = _random_history(random.Random(seed))
    first = min(s.times[0] for s in series)
    window_start = None if cut_start is None else first + timedelta(hours=cut_start)
    window_end = (
        None if length is None or window_start is None else window_start + timedelta(hours=length)
    )
    windowed = attrs.evolve(run_settings, start=window_start, end=window_end)
    try:
        run = _Run(series, windowed, None, backtest_venue)
    except ValueError:
        return  # an empty window: refused before any event is made
    oracle = _Run(series, windowed, None, backtest_venue)
    expected = _sorted_and_grouped(oracle)
    settling_at, unknown_at = run._timeline()
    got = (
        {when: [(state.index, row) for state, row in items] for when, items in settling_at.items()},
        unknown_at,
    )
    assert got == expected
    assert _warmed(run) == _warmed(oracle)
