"""The backtest engine: replay settled funding history through the live decisions and the
paper venue.

How a run goes (all times UTC; no wall clock is read anywhere):

1. **Steps** are the instants at which something a live system could see changes: every
   settlement of every (venue, symbol) series in the window, every instant a venue's rate
   becomes unknown (a gap or the end of its history), and the window start.
2. At each step, per series settling now, in this order:
   a. the mark price moves: the row's own mark where the history has one, else the
      symbol's reference price (the latest mark seen on any venue for that symbol; perps of
      one asset trade within basis points of each other, and the reference is documented in
      the summary as ``price_source``);
   b. funding is settled on the paper venue for the position held through the period that
      just ended: ``amount = -rate * size * mark`` (positive rate: longs pay);
   c. the settled rate becomes the venue's *current* rate.
3. **What the decisions see at time t** is what a live system would fetch at t, from the
   same paper venue: ``fetch_funding_rates`` gives the rate last set, observed at t. Live,
   Binance's ``premiumIndex`` at t shows the rate of the period IN PROGRESS (settling at the
   next boundary); settled-only history cannot show that without look-ahead, so the best
   honest proxy is used: **the last settled rate** (a rate becomes known at its settlement
   time, never earlier). During a gap, before a series starts and after it ends, the
   venue's rate input is a ``Failure`` (:class:`HistoryGap`): no decision that needs it
   trades, and nothing is filled with zero.
4. **Decisions** run for a symbol only when one of its inputs changed (a rate, an
   interval, a mark, a rate's availability, a position, the collateral behind a position,
   or the cross-margin account of a venue it trades on: another symbol's mark move, fill,
   funding payment or liquidation there moves its liquidation distance and margin):
   with unchanged inputs the pure decisions would return the same ``NoTrade`` again (they
   read the time only to judge staleness, and inputs are always observed "now"). A flat
   symbol whose every ordered pair fails to clear ``build_threshold`` (gross spread minus
   the amortised fees, from the decisions' own cost function, and with books minus a
   lower bound of the pair's entry gap: the gap at the touch of the books the decision
   would read, :meth:`~atomic_fp.backtest.run_accounting.AccountingRun._gap_refuses`) is
   not asked either: nothing to close, reduce or rebalance, and no open is possible. A
   held symbol whose last full decision executed nothing is not asked while a certificate
   shows that no safety, rebalance, close or opening rule can fire
   (:mod:`atomic_fp.backtest.run_quiet`; counted as a decision run). The
   parity test runs the orchestrator at every instant and finds the same signals. The cycle is
   :func:`atomic_fp.decisions.cycle.decide_cycle` (safety, rebalance, funding arbitrage;
   the live orchestrator's own decision),
   with markets and order books from the paper venue. After a trade the symbol is decided
   again one ``cycle_interval`` later (a live runner keeps cycling; this is how a position
   scales in by ``trade_size`` steps up to ``max_position``).
5. **Execution** sends each leg as an IOC market order with the signal's deterministic
   client order id to that venue's paper venue, which fills it against its synthetic book
   (mark +- ``half_spread``: the slippage model) and charges its taker fee.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from atomic_fp.backtest.collector import fewer_collections
from atomic_fp.backtest.gaps import coverage, expected_interval
from atomic_fp.backtest.records import SymbolPoints
from atomic_fp.backtest.replay_state import (
    ZERO,
    SeriesState,
    SymbolState,
    default_capital,
)
from atomic_fp.backtest.results import (
    BacktestResult,
    BacktestSettings,
    ExecutionProblem,
    HistoryGap,
    Progress,
    SymbolTotals,
)
from atomic_fp.backtest.run_accounting import AccountingRun
from atomic_fp.backtest.run_decide import DecidingRun
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.backtest.venue import SimulatedVenueFactory


class _Run(DecidingRun, AccountingRun):
    """One backtest run; :func:`run_backtest` is the entry point."""

    screening = True
    """Skip asking the decisions for a flat symbol that provably cannot open (step 4
    above). Off, every changed symbol is decided: more decisions asked, the same
    bookings (``tests/backtest/test_screening_equivalence.py``)."""

    # ------------------------------------------------------------------ the loop

    def run(self) -> BacktestResult:
        # each instant's settlements and unknowns, each list in the events' order
        settling_at, unknown_at = self._timeline()
        steps = sorted({self.start, *settling_at, *unknown_at})
        for sym in self.syms:
            for state in sym.series:
                price = state.price
                if price is not None:
                    self._ensure_listed(state, price)
        dirty: set[SymbolState] = set(self.syms)
        retry: list[tuple[datetime, int]] = []
        total = len(steps)
        report_every = max(1, total // 200)
        step_index = 0
        while True:
            upcoming = steps[step_index] if step_index < total else None
            if retry and (upcoming is None or retry[0][0] < upcoming):
                now = retry[0][0]
                again: set[SymbolState] = set()
                while retry and retry[0][0] == now:
                    again.add(self.syms[heapq.heappop(retry)[1]])
                self.positions_now.clear()  # a new instant: positions are read afresh
                self._cycle(now, again, retry)
                continue
            if upcoming is None:
                break
            now = upcoming
            step_index += 1
            while retry and retry[0][0] <= now:
                dirty.add(self.syms[heapq.heappop(retry)[1]])
            self.clock.set(now)
            self.positions_now.clear()
            dirty |= self._apply(now, settling_at.get(now, ()), unknown_at.get(now, ()))
            self._cycle(now, dirty, retry)
            dirty = set()
            if self.progress is not None and step_index % report_every == 0:
                self.progress(step_index, total)
        end = self.reported_end
        for sym in self.syms:
            if sym.in_market_since is not None:
                sym.time_in_market += end - sym.in_market_since
                sym.in_market_since = None
        if self.progress is not None:
            self.progress(total, total)
        return BacktestResult(
            settings=self.settings,
            start=self.start,
            end=end,
            venues=tuple(self.venues),
            symbols=tuple(sym.base for sym in self.syms),
            coverage=tuple(coverage(s.data.window(self.start, self.end)) for s in self.series),
            fills=tuple(self.fills),
            funding=tuple(self.funding_events),
            equity=tuple(self.equity),
            symbol_points=SymbolPoints(self.symbol_points),
            decisions=tuple(self.decisions),
            problems=tuple(self.problems),
            missed_in_position=dict(sorted(self.missed.items())),
            time_in_market={sym.base: sym.time_in_market for sym in self.syms},
            per_symbol={
                sym.base: SymbolTotals(
                    funding=sym.funding,
                    fees=sym.fees,
                    slippage=sym.slippage,
                    price_pnl=sym.cash + sym.value + sym.slippage,
                    max_drawdown=sym.drawdown,
                )
                for sym in self.syms
            },
            peak_gross_notional=self.peak_gross,
            steps=len(steps),
            decision_runs=self.decision_runs,
            screened=self.screened,
            capital=self.capital,
            assumed_prices=dict(sorted(self.assumed_prices.items())),
            safety_actions=self.safety_actions,
            liquidations=tuple(self.liquidations),
        )

    def _apply(
        self,
        now: datetime,
        settling: Sequence[tuple[SeriesState, int]],
        unknowns: Sequence[tuple[int, int]],
    ) -> set[SymbolState]:
        """Apply the settlements (series, row) and the unknowns (series index, row) at
        ``now``, each in the events' order; the symbols they touched."""
        moved: set[SymbolState] = set()
        for state, row in settling:
            mark = state.marks[row]
            if mark is not None:
                state.own_mark = mark
                sym = state.sym
                sym.reference = mark
                sym.reference_time = now
                moved.add(sym)
        # only symbols whose price moved need their venues' marks and their value updated
        repriced = sorted(moved, key=_index) if len(moved) > 1 else list(moved)
        ensure_listed = self._ensure_listed
        for sym in repriced:
            reference = sym.reference
            for other in sym.series:
                price = other.own_mark  # SeriesState.price inline
                if price is None:
                    price = reference
                if price is not None:
                    ensure_listed(other, price)
        self._settle_all(settling, now)
        touched = {state.sym for state, _ in settling}
        for index, row in unknowns:
            state = self.series[index]
            if state.known != row:
                continue
            state.available = False
            state.refresh()
            touched.add(state.sym)
            if state.position != 0:
                data = state.data
                key = f"{data.venue} {data.symbol.base}"
                if row + 1 < len(data.times):
                    step = expected_interval(data, row + 1)
                    missing = max(1, round((data.times[row + 1] - data.times[row]) / step) - 1)
                else:
                    # settlements expected after the last one and before the window end
                    overdue = self.end - data.times[row] - timedelta(microseconds=1)
                    missing = max(1, overdue // data.intervals[row])
                self.missed[key] = self.missed.get(key, 0) + missing
        liquidated = self._absorb_liquidations(now)
        if liquidated:
            touched |= liquidated
            repriced = sorted(set(repriced) | liquidated, key=_index)
        for sym in repriced:  # in index order
            self._revalue(sym)
        return touched

    def _cycle(
        self, now: datetime, syms: set[SymbolState], retry: list[tuple[datetime, int]]
    ) -> None:
        """Consider ``syms`` and every symbol on a venue whose account changed since it
        was last considered (:meth:`_account_changed`), in symbol order, as the live
        runner's cycle does; an account changed by a fill in this cycle brings in the
        symbols after the filling one now and those before it at the next instant."""
        self.clock.set(now)
        pending = self.pending
        pending |= syms
        if pending:
            for sym in self.syms:  # in index order
                if sym not in pending:
                    continue
                pending.discard(sym)
                self._cycle_symbol(sym, now, retry)
                # AccountingRun._track_drawdown inline, with SymbolState.net's sums in
                # its order, for a symbol whose books moved since it was last tracked
                # (also when screened: a liquidation that leaves the symbol flat moves
                # its net and is then screened in the same cycle). Tracking unmoved books
                # again changes nothing: net is the same value, already <= peak_net, and
                # peak_net - net already <= drawdown. Most considered symbols are flat and
                # screened, with books that have not moved since their last fill.
                if sym.books_moved:
                    sym.books_moved = False
                    net = sym.funding - sym.fees + sym.cash + sym.value
                    sym.tracked_net = net
                    peak = sym.peak_net
                    if net > peak:
                        sym.peak_net = net
                    elif peak - net > sym.drawdown:
                        sym.drawdown = peak - net
        self._equity_point(now)

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
        # the widest gross spread, best - worst (worst's venue long, best's short), None
        # with fewer than two venues or when one venue is both (AccountingRun._spread);
        # its (spread, long, short) tuple is built only past the screen
        # (tests/backtest/test_cycle_and_revalue_are_eec4b55.py)
        gap = best - worst if usable else None
        spread = None if gap is None or best_name == worst_name else gap
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
            point = (spread, ZERO)
            if sym.last_point != point:
                sym.last_point = point
                self.symbol_points.append(
                    (now, sym.base, spread, None if spread is None else worst_name,
                     None if spread is None else best_name, ZERO, reference, sym.funding,
                     sym.funding - sym.fees + sym.cash + sym.value
                     if sym.books_moved else sym.tracked_net)
                )  # fmt: skip
            return False
        if aprs is None:
            aprs = self._aprs(sym)
        widest = None if spread is None else (spread, worst_name, best_name)
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


def _index(sym: SymbolState) -> int:
    return sym.index


def run_backtest(
    series: Sequence[FundingSeries],
    settings: BacktestSettings,
    progress: Progress | None = None,
    *,
    venues: SimulatedVenueFactory,
) -> BacktestResult:
    """Replay ``series`` (one per venue and symbol) under ``settings`` on the venues
    ``venues`` builds (``adapters.paper.backtest.backtest_venue``: the paper venue).
    Synchronous: the paper venues answer at once, so no event loop is needed (call it from
    a worker thread inside an async application). The garbage collector runs less often
    meanwhile (:func:`~atomic_fp.backtest.collector.fewer_collections`)."""
    with fewer_collections():
        return _Run(series, settings, progress, venues).run()


__all__ = [
    "BacktestResult",
    "BacktestSettings",
    "ExecutionProblem",
    "HistoryGap",
    "Progress",
    "SymbolTotals",
    "default_capital",
    "run_backtest",
]
