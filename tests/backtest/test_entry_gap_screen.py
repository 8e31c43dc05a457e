"""The screening's entry-gap bound: a flat symbol whose every pair clearing
``build_threshold`` before the entry gap provably nets below it after the gap is screened
instead of decided, and the run books exactly what deciding it books.

References:

- the decision itself: :class:`_Witnessed` runs the full decision cycle
  (``DecidingRun._outcome``, the live ``decide_cycle``) at every symbol-cycle the gap
  bound screened, and it must execute nothing;
- the engine without the bound (:class:`_BeforeTheBound`: ``_gap_refuses`` never
  refuses, i.e. main 6ec6cd0's screen): every booking, symbol point and total equal,
  only the counters of decisions asked and screened move (fewer decisions);
- the live runner's cycle (``_DecideEverything``: every symbol decided at every
  instant): the same bookings.

Histories: the random cross-margin histories of ``test_cross_margin_accounts`` with books
on and a half spread drawn from 0.05 % to 2 % (so that entry gaps matter). The bound can
be wrong: one three times too wide (:class:`_TooWide`) screens pairs the decision opens,
and the comparison catches it.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.replay_state import SymbolState
from atomic_fp.backtest.series import FundingSeries
from tests.backtest.test_cross_margin_accounts import (
    _booked,
    _DecideEverything,
    _random_history,
)

HALF_SPREADS = ("0.0005", "0.001", "0.003", "0.01", "0.02")


class _BeforeTheBound(_Run):
    """The screen of main 6ec6cd0: no pair refused for its entry gap."""

    def _gap_refuses(self, *args: object) -> bool:
        return False


class _Witnessed(_Run):
    """Runs the full decision wherever the gap bound screened a symbol-cycle."""

    gap_refused = 0
    witnessed = 0

    def _gap_refuses(self, *args: object) -> bool:
        refused = super()._gap_refuses(*args)  # type: ignore[arg-type]
        self.gap_refused += refused
        return refused

    def _cycle_symbol(
        self, sym: SymbolState, now: datetime, retry: list[tuple[datetime, int]]
    ) -> bool:
        before = self.gap_refused
        screened = self.screened
        decided = super()._cycle_symbol(sym, now, retry)
        if self.screened > screened and self.gap_refused > before:
            outcome, _ = self._outcome(sym, now)
            assert outcome.to_execute is None, (sym.base, now, outcome)
            self.witnessed += 1
        return decided


class _TooWide(_Run):
    """A wrong bound: three times the entry gap at the touch."""

    def _gap_refuses(
        self,
        sym: SymbolState,
        long_venue: str,
        short_venue: str,
        net: Decimal,
        touches: dict[str, tuple[Decimal | None, Decimal | None]],
    ) -> bool:
        threshold = self.config.build_threshold
        if super()._gap_refuses(sym, long_venue, short_venue, net, touches):
            return True
        # net - 3 x gap: refuse when the wider gap would take net below the threshold
        scaled = threshold + (net - threshold) / 3
        return super()._gap_refuses(sym, long_venue, short_venue, scaled, touches)


def _history(seed: int) -> tuple[list[FundingSeries], BacktestSettings]:
    rng = random.Random(seed)
    series, run_settings = _random_history(rng)
    return series, attrs.evolve(
        run_settings, use_books=True, half_spread=Decimal(rng.choice(HALF_SPREADS))
    )


def _counterless(result: BacktestResult) -> str:
    return repr(attrs.evolve(result, decision_runs=0, screened=0))


gap_screens: list[int] = []


def _same(seed: int) -> tuple[BacktestResult, BacktestResult]:
    series, run_settings = _history(seed)
    witnessed = _Witnessed(series, run_settings, None, backtest_venue)
    now = witnessed.run()
    before = _BeforeTheBound(series, run_settings, None, backtest_venue).run()
    assert _counterless(now) == _counterless(before)
    assert now.decision_runs <= before.decision_runs
    # the witness's own reads change nothing: the engine alone gives the same result
    assert repr(_Run(series, run_settings, None, backtest_venue).run()) == repr(now)
    assert witnessed.witnessed <= witnessed.gap_refused
    gap_screens.append(witnessed.witnessed)
    return now, before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_the_bound_books_what_the_decision_books(seed: int) -> None:
    _same(seed)


def test_the_histories_screen_by_the_bound_and_match_the_live_cycle() -> None:
    """Seeds 0-39: the bound screened cycles the decision was asked at before (so the
    comparison above can fail), each one witnessed, and the bookings equal those of the
    live runner's cycle deciding every symbol at every instant."""
    fewer = 0
    for seed in range(40):
        now, before = _same(seed)
        fewer += now.decision_runs < before.decision_runs
        series, run_settings = _history(seed)
        live = _DecideEverything(series, run_settings, None, backtest_venue).run()
        assert _booked(now) == _booked(live)
    assert fewer > 0
    assert sum(gap_screens[-40:]) > 0


def test_a_bound_too_wide_would_be_caught() -> None:
    for seed in range(80):
        series, run_settings = _history(seed)
        wrong = _TooWide(series, run_settings, None, backtest_venue).run()
        before = _BeforeTheBound(series, run_settings, None, backtest_venue).run()
        if _counterless(wrong) != _counterless(before):
            return
    raise AssertionError("no history showed the bound three times too wide")
