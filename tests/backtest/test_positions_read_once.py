"""A held symbol's uncertified cycle reads each venue's position once (issue 20): the
positions the quiet-hold certificate read right after a fill
(``QuietRun._quiet_after_change``) are the ones the full decision then takes, instead of
asking the paper venue again at the same instant with nothing changed in between.

References: the engine reading them again (:class:`_ReadAgain`, the code before), whole
results compared by ``repr`` on random cross-margin histories (fills, scale-ins,
liquidations); and a count of the venue's answers per symbol cycle."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import _Run
from atomic_fp.backtest.replay_state import SeriesState, SymbolState
from atomic_fp.errors import VenueError
from atomic_fp.models import Position
from tests.backtest.test_cross_margin_accounts import _random_history


class _ReadAgain(_Run):
    """The full decision reads every position afresh (before issue 20's change)."""

    def _decide(self, sym: SymbolState, now: datetime) -> object:  # type: ignore[override]
        self.positions_read = None
        return super()._decide(sym, now)


class _Counting(_Run):
    """Counts the venue position reads of each symbol cycle, and the cycles whose full
    decision took the certificate's reads."""

    cycle = 0
    reused = 0

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.reads: Counter[tuple[int, int]] = Counter()

    def _cycle_symbol(
        self, sym: SymbolState, now: datetime, retry: list[tuple[datetime, int]]
    ) -> bool:
        self.cycle += 1
        return super()._cycle_symbol(sym, now, retry)

    def _position(self, state: SeriesState) -> Result[Position | None, VenueError]:
        self.reads[(self.cycle, state.index)] += 1
        return super()._position(state)

    def _decide(self, sym: SymbolState, now: datetime) -> object:  # type: ignore[override]
        read = self.positions_read
        self.reused += read is not None and read[0] is sym
        return super()._decide(sym, now)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_equal_those_of_reading_again(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    again = _ReadAgain(series, run_settings, None, backtest_venue).run()
    once = _Run(series, run_settings, None, backtest_venue).run()
    assert repr(once) == repr(again)


def test_each_position_is_read_once_per_symbol_cycle() -> None:
    reused = 0
    for seed in range(40):
        series, run_settings = _random_history(random.Random(seed))
        run = _Counting(series, run_settings, None, backtest_venue)
        run.run()
        assert max(run.reads.values(), default=1) == 1
        reused += run.reused
    assert reused > 0  # the histories do reach a decision after an uncertified hold


def test_a_certified_cycle_leaves_no_positions_for_a_later_one() -> None:
    """Regression (found by ``test_fingerprint_layout``): with the reads kept after a
    certified cycle, a cycle that does not reset them (990c7ed's ``_cycle_symbol``) took a
    symbol's positions of an earlier instant and opened another pair. Only an uncertified
    answer keeps them, for its own instant; this history opens X at 06:00 either way."""
    from tests.backtest.test_fingerprint_layout import _Before

    series, run_settings = _random_history(random.Random(26821))
    before = _Before(series, run_settings, None, backtest_venue).run()
    now = _Run(series, run_settings, None, backtest_venue).run()
    assert repr(before) == repr(now)
    assert any(d.symbol == "X" and d.outcome == "open" for d in now.decisions)
