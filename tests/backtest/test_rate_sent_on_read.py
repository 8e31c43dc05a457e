"""A settlement that changes only a venue's rate reaches the paper venue when the
decisions next read that rate, not at once (issue 20: 188,000 ``set_funding_rate`` calls a
benchmark year, for a few thousand reads).

References: the engine sending every rate at once as it did before
(:class:`_SentAtOnce`), whole results compared by ``repr`` on random cross-margin
histories (interval changes mid-history, gaps, fills, liquidations, books on and off);
the decisions' reasons print each rate read (its APR) and the signal ids hash what was
decided on it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import _Run
from atomic_fp.backtest.replay_state import SeriesState
from tests.backtest.test_cross_margin_accounts import _random_history


class _SentAtOnce(_Run):
    """Every settlement's rate sent to the venue at once (the code before)."""

    def _settle_all(self, settling: Sequence[tuple[SeriesState, int]], now: datetime) -> None:
        super()._settle_all(settling, now)
        for state, _ in settling:
            self._send_rate(state)


class _Counted(_Run):
    """Counts the rates held back at settlements and those sent at a read."""

    held_back = 0
    sent_on_read = 0

    def _settle_all(self, settling: Sequence[tuple[SeriesState, int]], now: datetime) -> None:
        super()._settle_all(settling, now)
        self.held_back += sum(state.pending_rate is not None for state, _ in settling)

    def _send_rate(self, state: SeriesState) -> None:
        self.sent_on_read += state.pending_rate is not None
        super()._send_rate(state)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_equal_those_of_sending_every_rate_at_once(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    at_once = _SentAtOnce(series, run_settings, None, backtest_venue).run()
    on_read = _Run(series, run_settings, None, backtest_venue).run()
    assert repr(on_read) == repr(at_once)


def test_rates_are_held_back_and_sent_on_read_in_the_histories_compared() -> None:
    """The property above compares histories where rates were held back and later read
    (a comparison that never exercised the path could not fail), and the venues got far
    fewer calls than settlements."""
    held_back = sent = 0
    for seed in range(40):
        series, run_settings = _random_history(random.Random(seed))
        run = _Counted(series, run_settings, None, backtest_venue)
        run.run()
        held_back += run.held_back
        sent += run.sent_on_read
    assert 0 < sent < held_back


def test_a_venue_that_settles_funding_by_itself_is_refused() -> None:
    """Holding a rate back is exact only because no backtest venue reads its own rate to
    settle (the engine passes the settled rate): a factory whose venues settle by
    themselves (``auto_funding``) would book a stale rate, so the run refuses it."""
    from typing import Any

    import pytest

    from adapters.paper.backtest import BacktestPaperVenue

    def self_settling(name: str, **kwargs: Any) -> BacktestPaperVenue:
        venue = backtest_venue(name, **kwargs)
        venue.auto_funding = True
        return venue

    series, run_settings = _random_history(random.Random(7))
    with pytest.raises(ValueError, match="settles funding by itself"):
        _Run(series, run_settings, None, self_settling)
