"""The engine's per-symbol cycle (fingerprint, screening, drawdown) after issue 20's
speed-ups is the cycle of main 990c7ed, exactly.

Reference: :class:`_Before`, the engine with ``_cycle`` and ``_cycle_symbol`` as they were
at 990c7ed (copied verbatim below): a nested fingerprint with each venue's wallet balance
read fresh, ``_may_open`` asked for every flat symbol, ``_symbol_point`` and
``_track_drawdown`` called every time. The current engine keeps a flat fingerprint, the
wallet balance read once per account epoch (:meth:`RunBase._accounts`), a prefilter on the
widest gross spread, and the drawdown inline. Whole results are compared (every booking,
symbol point and counter, ``screened`` and ``decision_runs`` included) on random
cross-margin histories with liquidations and interval changes, and on the screening
property's threshold-grid histories. :class:`_FreshBalances` also checks the premise of
the per-epoch balance at every fingerprint (the balance read fresh equals the kept one)
and of the per-epoch liquidation floor at every certificate.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.replay_state import SeriesState, SymbolState
from atomic_fp.backtest.series import FundingSeries
from tests.backtest.test_cross_margin_accounts import _random_history
from tests.backtest.test_screening_equivalence import grid_history


class _Before(_Run):
    """``_cycle`` and ``_cycle_symbol`` of main 990c7ed, verbatim."""

    def _cycle(
        self, now: datetime, syms: set[SymbolState], retry: list[tuple[datetime, int]]
    ) -> None:
        self.clock.set(now)
        pending = self.pending
        pending |= syms
        if pending:
            for sym in self.syms:  # in index order
                if sym not in pending:
                    continue
                pending.discard(sym)
                self._cycle_symbol(sym, now, retry)
                self._track_drawdown(sym)
        self._equity_point(now)

    def _cycle_symbol(
        self, sym: SymbolState, now: datetime, retry: list[tuple[datetime, int]]
    ) -> bool:
        import heapq

        parts: list[Any] = []
        aprs: list[tuple[str, Decimal]] = []
        flat = True
        best: tuple[Decimal, str] | None = None
        worst: tuple[Decimal, str] | None = None
        for state in sym.series:
            if state.usable:
                row = state.known
                own = state.own_mark
                parts.append(
                    (
                        state.signals[row],
                        state.data.intervals[row],
                        own if own is not None else sym.reference,
                    )
                )
                apr = state.aprs[row]
                assert apr is not None
                name = state.venue_name
                aprs.append((name, apr))
                if best is None or apr > best[0]:
                    best = (apr, name)
                if worst is None or apr < worst[0]:
                    worst = (apr, name)
            else:
                parts.append(None)
            position = state.position
            if position:
                flat = False
            name = state.venue_name
            parts.append((position, state.venue.balance(), self.account_epoch[name]))
        fingerprint = tuple(parts)
        if sym.seen == fingerprint:
            return True
        widest = (
            None
            if best is None or worst is None or best[1] == worst[1]
            else (best[0] - worst[0], worst[1], best[1])
        )
        if flat and self.screening and not self._may_open(sym, aprs):
            self.screened += 1
            sym.screened_out = True
            sym.seen = fingerprint
            self._symbol_point(sym, now, widest, flat=True)
            return False
        sym.screened_out = False
        if not flat and self.certify and self._quiet(sym, now, aprs):
            self.decision_runs += 1
            self.certified += 1
            sym.seen = fingerprint
            self._symbol_point(sym, now, widest)
            return True
        signal = self._decide(sym, now)
        filled = signal is not None and self._execute(sym, signal, now)
        if filled:
            self._revalue(sym)
            self._track_market_time(sym, now)
            sym.seen = None
            sym.quiet = None
            following = now + self.settings.cycle_interval
            if following < self.end:
                heapq.heappush(retry, (following, sym.index))
        else:
            sym.seen = fingerprint
        self._symbol_point(sym, now, widest if not filled else self._spread(sym))
        return True


class _FreshBalances(_Run):
    """The current engine, checking at every fingerprint that each venue's kept
    ``(balance, epoch)`` is what the venue and the epoch say now, and at every
    certificate that the liquidation floor kept for the epoch is the venue's now."""

    checked = 0

    def _accounts(self) -> dict[str, tuple[Decimal, int]]:
        kept = super()._accounts()
        for name, venue in self.venues.items():
            assert kept[name] == (venue.balance(), self.account_epoch[name]), name
            self.checked += 1
        return kept

    def _floor(self, state: SeriesState, asset: str) -> Decimal | None:
        kept = super()._floor(state, asset)
        assert state.floor is not None
        assert kept == state.floor.liquidation_floor(asset), (state.venue_name, asset)
        self.floors_checked += 1
        return kept

    floors_checked = 0


def _everything(result: BacktestResult) -> str:
    return repr(result)


floors_checked: list[int] = []


def _same(series: list[FundingSeries], run_settings: BacktestSettings) -> BacktestResult:
    before = _Before(series, run_settings, None, backtest_venue).run()
    checking = _FreshBalances(series, run_settings, None, backtest_venue)
    now = checking.run()
    assert _everything(now) == _everything(before)
    assert checking.checked > 0
    floors_checked.append(checking.floors_checked)
    return now


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_cross_margin_histories_give_the_result_of_990c7ed(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    _same(series, run_settings)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(length=st.integers(min_value=6, max_value=30), data=st.data(), use_books=st.booleans())
def test_threshold_grid_histories_give_the_result_of_990c7ed(
    length: int, data: st.DataObject, use_books: bool
) -> None:
    _same(*grid_history(length, data, use_books))


def test_liquidating_histories_are_among_those_compared() -> None:
    """The comparison above covers liquidations and fills (seeds found by search: a
    property whose examples never liquidated could not catch a stale wallet balance)."""
    liquidated = traded = 0
    for seed in range(60):
        series, run_settings = _random_history(random.Random(seed))
        result = _same(series, run_settings)
        liquidated += bool(result.liquidations)
        traded += bool(result.fills)
    assert liquidated and traded
    assert sum(floors_checked[-60:]) > 0  # certificates asked for floors, each checked


def test_a_stale_balance_would_be_caught() -> None:
    """The fresh-balance check can fail: an account key not refreshed on a change."""

    class _Stale(_FreshBalances):
        def _account_changed(self, venue_name: str) -> None:
            kept = self.account_key[venue_name]
            super()._account_changed(venue_name)
            self.account_key[venue_name] = (kept[0], self.account_epoch[venue_name])

    for seed in range(60):
        series, run_settings = _random_history(random.Random(seed))
        try:
            _Stale(series, run_settings, None, backtest_venue).run()
        except AssertionError:
            return
    raise AssertionError("no history moved a wallet")
