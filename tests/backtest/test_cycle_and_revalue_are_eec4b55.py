"""The engine's per-cycle and per-mark-move code after issue 20's s12-P step does less
than main eec4b55's, with the same results exactly.

Reference: :class:`_Before`, the engine with ``_cycle_symbol``, ``_ensure_listed`` and
``_revalue`` as they were at eec4b55 (copied verbatim below). The current ones build the
widest spread's ``(spread, long, short)`` tuple only past the screen (a screened cycle,
~156,000 a benchmark year, reads the spread and the two names alone) and tell a held leg
by its position's truth value instead of comparing a ``Decimal`` with the int ``0``
(which converts the int at every compare). Whole results are compared by ``repr`` (every
booking, symbol point, counter and drawdown) on the random cross-margin histories of
``test_cross_margin_accounts`` and the threshold-grid histories of
``test_screening_equivalence``; the work is counted as the bytecode instructions executed
in the three methods (a ``sys.settrace`` opcode count: no clock): a screened cycle, a
mark move and a revaluation run fewer now than at eec4b55 on every history counted, so
the count fails on eec4b55's code (a decided cycle builds the tuple a few instructions
later: about as many as before). PYTEST_DONT_REWRITE: the oracle's ``assert`` is counted
as written, not as pytest rewrites it.
"""

from __future__ import annotations

import heapq
import random
import sys
from collections import Counter
from datetime import datetime
from decimal import Decimal
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.replay_state import ZERO, SeriesState, SymbolState
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.models import Market
from tests.backtest.test_cross_margin_accounts import _random_history
from tests.backtest.test_screening_equivalence import grid_history


class _Before(_Run):
    """``_cycle_symbol``, ``_ensure_listed`` and ``_revalue`` of main eec4b55, verbatim."""

    def _cycle_symbol(
        self, sym: SymbolState, now: datetime, retry: list[tuple[datetime, int]]
    ) -> bool:
        """Decide ``sym`` if its inputs changed; ``False`` when it was screened (flat and
        unable to open)."""
        # _screen_inputs and _spread in one pass (run for every changed symbol at every
        # step; tests/backtest/test_screening_equivalence.py pins them): the best and
        # worst APR kept as locals, and the (venue, APR) list (_aprs) built only when it
        # is read (by _may_open, the certificate), not for the ~156,000 screened
        # symbol-cycles of a benchmark year.
        # The fingerprint is flat, five slots per series: (signal, interval, price) or
        # three Nones when the rate is not usable (a usable signal is never None, so the
        # two cannot be equal), then (position, (balance, epoch)) -- equal exactly when
        # the nested (signal, interval, price) / None, (position, balance, epoch) tuples
        # were (tests/backtest/test_fingerprint_layout.py).
        parts: list[Any] = []
        flat = True
        best = worst = ZERO
        best_name = worst_name = ""
        usable = 0
        accounts = self._accounts()
        reference = sym.reference
        series = sym.series
        for state in series:
            position = state.position
            if state.usable:
                row = state.known
                own = state.own_mark
                parts += (
                    state.signals[row],
                    state.intervals[row],
                    own if own is not None else reference,
                    position,
                    accounts[state.venue_name],
                )
                apr = state.aprs[row]
                assert apr is not None  # usable: the row has an estimate
                # the first usable venue is both; later ones replace on a strict
                # improvement, as the (apr, name) tuples did
                if not usable:
                    best = worst = apr
                    best_name = worst_name = state.venue_name
                elif apr > best:
                    best, best_name = apr, state.venue_name
                elif apr < worst:
                    worst, worst_name = apr, state.venue_name
                usable += 1
            else:
                parts += (None, None, None, position, accounts[state.venue_name])
            if position:
                flat = False
        fingerprint = tuple(parts)
        if sym.seen == fingerprint:
            return True
        # the widest gross spread, (best - worst, worst's venue, best's venue), None with
        # fewer than two venues or when one venue is both (AccountingRun._spread)
        gap = best - worst if usable else None
        widest = None if gap is None or best_name == worst_name else (gap, worst_name, best_name)
        aprs: list[tuple[str, Decimal]] | None = None
        if flat and self.screening:
            # no ordered pair's gross spread reaches the threshold (the widest is best -
            # worst), so _may_open's loop, which skips such pairs first, finds none; else
            # the (venue, APR) list _may_open reads is kept for the rest of the cycle
            if gap is not None and not gap < self.config.build_threshold:
                aprs = self._aprs(sym)
            screen = aprs is None or not self._may_open(sym, aprs)
        else:
            screen = False
        if screen:
            # Provably no trade, so the decisions are not asked: flat means nothing to
            # close, reduce or rebalance, and opening needs, for some ordered pair,
            # net = spread - amortised fees - entry gap >= build_threshold, with the
            # fees from the same cost function the decision uses and the gap >= 0, or
            # with books >= its value at the touch (AccountingRun._gap_refuses).
            self.screened += 1
            sym.screened_out = True
            sym.seen = fingerprint
            # _symbol_point(sym, now, widest, flat=True) inline: a point when the spread
            # changed (held is 0), its values in SymbolPoint's field order
            # (records.SymbolPoints builds the point when read), net_pnl as
            # SymbolState.net sums it
            spread = None if widest is None else gap
            if sym.last_point != (spread, ZERO):
                sym.last_point = (spread, ZERO)
                self.symbol_points.append(
                    (now, sym.base, spread, None if widest is None else worst_name,
                     None if widest is None else best_name, ZERO, reference, sym.funding,
                     sym.funding - sym.fees + sym.cash + sym.value
                     if sym.books_moved else sym.tracked_net)
                )  # fmt: skip
            return False
        if aprs is None:
            aprs = self._aprs(sym)
        sym.screened_out = False
        self.positions_read = None
        if not flat and self.certify and self._quiet(sym, now, aprs):
            # Provably no trade while held (atomic_fp.backtest.run_quiet): the answer of
            # the decision, counted as one.
            self.decision_runs += 1
            self.certified += 1
            sym.seen = fingerprint
            self._symbol_point(sym, now, widest)
            return True
        signal = self._decide(sym, now)
        filled = signal is not None and self._execute(sym, signal, now)
        sym.books_moved = True  # (only a fill moves them here; flagged whatever _execute did)
        if filled:
            # Positions changed: decide again one cycle later (a live runner keeps
            # cycling), e.g. to scale in by trade_size up to max_position.
            self._revalue(sym)
            self._track_market_time(sym, now)
            sym.seen = None
            sym.quiet = None
            following = now + self.settings.cycle_interval
            if following < self.end:
                heapq.heappush(retry, (following, sym.index))
        else:
            # Same inputs give the same outcome: skip until one of them changes.
            sym.seen = fingerprint
        self._symbol_point(sym, now, widest if not filled else self._spread(sym))
        return True

    def _ensure_listed(self, state: SeriesState, base_price: Decimal) -> None:
        """List the market on its paper venue once a price is known; keep its mark current.

        The venue's mark is compared with :attr:`SeriesState.venue_mark`, the mark last
        given to it, rather than read back through ``market_state`` (69,000 times a
        benchmark year): only these two calls move a simulated venue's mark
        (``tests/backtest/test_engine_loop_is_6ec6cd0.py`` reads the venue's mark at
        every call and finds the kept one)."""
        data = state.data
        venue = state.venue
        venue_price = base_price * data.contract_multiplier
        if not state.listed:
            row = max(state.known, 0)
            venue.list_market(
                Market(
                    exchange=state.venue_id,
                    symbol=data.symbol,
                    venue_symbol=data.venue_symbol,
                    tick_size=self.settings.tick_size,
                    lot_size=self.settings.lot_size,
                    contract_multiplier=data.contract_multiplier,
                    funding_interval=data.intervals[row],
                ),
                mark_price=venue_price,
                funding_rate=(data.signal(row) or ZERO) if state.known >= 0 else ZERO,
                half_spread=self.settings.half_spread,
                depth=Decimal(10) ** 15,
            )
            state.listed = True
            state.venue_mark = venue_price
            state.refresh()
        elif state.venue_mark != venue_price:
            venue.set_mark_price(data.symbol, venue_price)
            state.venue_mark = venue_price
            self.positions_now.pop(state.venue_name, None)
            if state.position != 0:
                self._account_changed(state.venue_name)

    def _revalue(self, sym: SymbolState) -> None:
        total = ZERO
        for state in sym.series:
            if state.position != 0:
                price = state.price
                assert price is not None  # a filled position had a price
                total += state.position * price
        self.total_value += total - sym.value
        sym.value = total
        sym.books_moved = True


_COUNTED = frozenset({"_cycle_symbol", "_ensure_listed", "_revalue"})


def _opcodes(run: _Run) -> tuple[BacktestResult, Counter[tuple[str, bool]]]:
    """``run``'s result and the bytecode instructions executed in the frames of
    :data:`_COUNTED` (their own code, not what they call), by method and by whether the
    call returned ``False`` (a screened ``_cycle_symbol``)."""
    counted: Counter[tuple[str, bool]] = Counter()

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        if event != "call" or frame.f_code.co_name not in _COUNTED:
            return None
        executed = 0

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            nonlocal executed
            if event == "opcode":
                executed += 1
            elif event == "return":
                counted[(frame.f_code.co_name, arg is False)] += executed
            return local

        frame.f_trace_opcodes = True
        return local

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        result = run.run()
    finally:
        sys.settrace(previous)
    return result, counted


def _same(series: list[FundingSeries], run_settings: BacktestSettings) -> None:
    before = _Before(series, run_settings, None, backtest_venue).run()
    now = _Run(series, run_settings, None, backtest_venue).run()
    assert repr(now) == repr(before)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_cross_margin_histories_give_the_result_of_eec4b55(seed: int) -> None:
    _same(*_random_history(random.Random(seed)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(length=st.integers(min_value=6, max_value=30), data=st.data(), use_books=st.booleans())
def test_threshold_grid_histories_give_the_result_of_eec4b55(
    length: int, data: st.DataObject, use_books: bool
) -> None:
    _same(*grid_history(length, data, use_books))


def test_fewer_instructions_than_eec4b55_for_the_same_result() -> None:
    for seed in range(6):
        series, run_settings = _random_history(random.Random(seed))
        before, old = _opcodes(_Before(series, run_settings, None, backtest_venue))
        now, new = _opcodes(_Run(series, run_settings, None, backtest_venue))
        assert repr(now) == repr(before)
        assert now.screened > 0  # the screened path is among those counted
        for key in (("_cycle_symbol", True), ("_ensure_listed", False), ("_revalue", False)):
            assert 0 < new[key] < old[key], (seed, key, new[key], old[key])
