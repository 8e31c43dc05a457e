"""A backtest runs with fewer garbage-collector passes and leaves the collector as it
found it (``atomic_fp/backtest/collector.py``); what it books does not depend on it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from decimal import Decimal

import pytest

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.collector import YOUNG_THRESHOLD, fewer_collections
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, run_backtest
from atomic_fp.backtest.series import build_series
from tests.backtest import fast_path_fixture


@pytest.fixture
def default_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _run(progress: object = None) -> BacktestResult:
    settings = BacktestSettings(config=fast_path_fixture.config(), capital=Decimal(2000))
    series = build_series(fast_path_fixture.rows()).series
    return run_backtest(series, settings, progress, venues=backtest_venue)  # type: ignore[arg-type]


@pytest.mark.usefixtures("default_collector")
def test_during_a_run_the_young_threshold_is_raised_and_the_start_frozen() -> None:
    seen: set[tuple[tuple[int, int, int], bool]] = set()

    def progress(done: int, total: int) -> None:
        seen.add((gc.get_threshold(), gc.get_freeze_count() > 0))

    _run(progress)
    assert seen == {((YOUNG_THRESHOLD, 10, 10), True)}
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("default_collector")
def test_restored_after_an_exception_and_a_callers_freeze_is_left_alone() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    with pytest.raises(ZeroDivisionError), fewer_collections():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        1 / 0  # noqa: B018
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == frozen  # not unfrozen: the caller froze them


@pytest.mark.usefixtures("default_collector")
def test_a_higher_threshold_already_set_is_kept() -> None:
    gc.set_threshold(100_000, 20, 20)
    with fewer_collections():
        assert gc.get_threshold() == (100_000, 20, 20)
    assert gc.get_threshold() == (100_000, 20, 20)


@pytest.mark.usefixtures("default_collector")
def test_bookings_do_not_depend_on_the_collector() -> None:
    tuned = _run()
    gc.disable()
    try:
        with fewer_collections():  # disabled: nothing frozen
            assert gc.get_freeze_count() == 0
        untuned = _run()
    finally:
        gc.enable()
    assert tuned.fills and repr(tuned.fills) == repr(untuned.fills)
    assert repr(tuned.equity) == repr(untuned.equity)
