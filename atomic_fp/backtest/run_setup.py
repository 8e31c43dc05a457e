"""A backtest run's set-up and venue plumbing: the state every part of the run reads
(:class:`RunBase`), the replay's events, and how settlements and prices reach the
paper venues. The loop is :mod:`atomic_fp.backtest.engine`."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import compress, islice, repeat
from itertools import count as count_from
from operator import add, gt, sub

from atomic_fp.backtest.records import (
    Decision,
    EquityPoint,
    Fill,
    FundingEvent,
    SymbolPoint,
    SymbolPointFields,
)
from atomic_fp.backtest.replay_state import (
    SETTLE,
    UNKNOWN,
    ZERO,
    SeriesState,
    SymbolState,
    default_capital,
    unknown_after,
)
from atomic_fp.backtest.results import (
    BacktestSettings,
    ExecutionProblem,
    Progress,
)
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.backtest.venue import SimulatedVenue, SimulatedVenueFactory
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    Market,
    Position,
    Symbol,
    interval_hours,
)


def _overdue_candidates(
    data: FundingSeries, first: int, stop: int, tolerance: timedelta
) -> list[int]:
    """The rows in ``first .. stop - 1`` whose successor may be overdue (``unknown_after``
    can be other than ``None``), in order: the series' last row, and each row followed by
    a gap wider than the shorter of the two rows' intervals plus ``tolerance``. The
    cadence ``unknown_after`` expects (``gaps.expected_interval``) is one of those two
    intervals, so every other row's successor arrives in time; the deltas and bounds are
    taken by C-level ``map`` instead of a call per row."""
    times = data.times
    intervals = data.intervals
    last = len(times) - 1
    if first >= stop:
        return []
    end = min(stop, last)  # rows with a successor
    deltas = map(sub, islice(times, first + 1, end + 1), islice(times, first, end))
    shorter = map(min, islice(intervals, first, end), islice(intervals, first + 1, end + 1))
    rows = [
        first + offset
        for offset in compress(count_from(), map(gt, deltas, map(add, shorter, repeat(tolerance))))
    ]
    if stop > last:
        rows.append(last)
    return rows


class RunBase:
    """One backtest run's state; :func:`atomic_fp.backtest.engine.run_backtest` runs it."""

    def __init__(
        self,
        series: Sequence[FundingSeries],
        settings: BacktestSettings,
        progress: Progress | None,
        venues: SimulatedVenueFactory,
    ) -> None:
        if not series or not any(s.times for s in series):
            raise ValueError("no funding series to backtest")
        self.settings = settings
        self.config = settings.config
        self.progress = progress
        first = min(s.times[0] for s in series if s.times)
        last = max(s.times[-1] for s in series if s.times)
        self.start = settings.start or first
        # Without an explicit end the window closes just after the last settlement, so
        # that one is included; the result reports the last settlement as the end.
        self.end = settings.end or last + timedelta(microseconds=1)
        self.reported_end = settings.end or last
        if self.end <= self.start:
            raise ValueError(f"empty window: {self.start} .. {self.end}")
        self.clock = ManualClock(self.start)
        names = sorted({s.venue for s in series})
        self.capital = (
            settings.capital
            if settings.capital is not None
            else default_capital(series, settings) * len(names)
        )
        self.venues: dict[str, SimulatedVenue] = {
            name: venues(
                name,
                fees=self.config.fees_for(name),
                balance=self.capital / len(names),
                clock=self.clock,
            )
            for name in names
        }
        for name, venue in self.venues.items():
            # the engine sends a rate only before it is next read (SimulatedVenue.
            # set_funding_rate): a venue settling funding by itself would read a stale one
            if getattr(venue, "auto_funding", False):
                raise ValueError(
                    f"simulated venue {name}: settles funding by itself (auto_funding); "
                    "the backtest settles at each venue's settlement times"
                )
        by_symbol: dict[Symbol, SymbolState] = {}
        for data in sorted(series, key=lambda s: (s.symbol, s.venue)):
            if data.symbol not in by_symbol:
                by_symbol[data.symbol] = SymbolState(len(by_symbol), data.symbol)
        self.syms = list(by_symbol.values())
        self.series: list[SeriesState] = []
        for index, data in enumerate(series):
            sym = by_symbol[data.symbol]
            state = SeriesState(index, data, sym, self.venues[data.venue])
            self.series.append(state)
            sym.series.append(state)
        for sym in self.syms:
            sym.series.sort(key=lambda s: s.venue_name)
        self.assumed_prices: dict[str, Decimal] = {}
        for sym in self.syms:
            priced = any(m is not None for st in sym.series for m in st.data.marks)
            assumed = settings.prices.get(sym.base)
            if not priced and assumed is not None:
                sym.reference = assumed
                self.assumed_prices[sym.base] = assumed
        # series holding a position, by index (a dict: iteration order is deterministic)
        self.holding: dict[int, SeriesState] = {}
        self.positions_now: dict[str, dict[Symbol, Position]] = {}
        self.missed: dict[str, int] = {}
        self.fills: list[Fill] = []
        self.funding_events: list[FundingEvent] = []
        self.equity: list[EquityPoint] = []
        self.symbol_points: list[SymbolPoint | SymbolPointFields] = []
        """Each point's values in :class:`SymbolPoint`'s field order (built into points
        when the result's :class:`~atomic_fp.backtest.records.SymbolPoints` is read)."""
        self.decisions: list[Decision] = []
        self.problems: list[ExecutionProblem] = []
        self.peak_gross = ZERO
        self.decision_runs = 0
        self.screened = 0
        self.safety_actions = 0
        self.liquidations: list[Fill] = []
        self.liquidations_seen: dict[str, int] = {name: 0 for name in names}
        self.fee_apr: dict[tuple[str, str], Decimal] = {}
        # Each paper venue account is cross-margin: a mark move of one held symbol, a fill,
        # a funding payment or a liquidation changes every position's liquidation distance
        # and the margin an opening may use on that venue. The epoch counts such changes
        # (part of every symbol's fingerprint); the symbols on a changed venue are
        # considered at the next cycle, as the live runner decides every symbol each cycle.
        self.account_epoch: dict[str, int] = {name: 0 for name in names}
        self.account_key: dict[str, tuple[Decimal, int]] = {
            name: (venue.balance(), 0) for name, venue in self.venues.items()
        }
        """``(wallet balance, epoch)`` per venue, the account part of every fingerprint,
        read again at each epoch (:meth:`_account_changed`): the wallet moves only by a
        fill, a funding payment or a liquidation, and each of those moves the epoch
        before the next fingerprint is taken (``tests/backtest/test_fingerprint_layout.py``
        reads the balance fresh at every fingerprint and finds the same)."""
        self.floors: dict[tuple[str, str], tuple[int, Decimal | None]] = {}
        """``(epoch, liquidation floor)`` per (venue, settle asset), read by the quiet-hold
        certificate (:meth:`atomic_fp.backtest.run_quiet.QuietRun._floor`)."""
        self.on_venue: dict[str, list[SymbolState]] = {name: [] for name in names}
        for sym in self.syms:
            for state in sym.series:
                self.on_venue[state.venue_name].append(sym)
        self.pending: set[SymbolState] = set()
        self.total_funding = ZERO
        self.total_fees = ZERO
        self.total_slippage = ZERO
        self.total_cash = ZERO
        self.total_value = ZERO

    def _account_changed(self, venue_name: str) -> None:
        """``venue_name``'s account changed (its wallet, a held position's mark, a fill or
        a liquidation): every symbol trading there is considered at the next cycle,
        except a flat one whose last look was screened (the screening reads no account,
        so it would be screened again)."""
        epoch = self.account_epoch[venue_name] + 1
        self.account_epoch[venue_name] = epoch
        self.account_key[venue_name] = (self.venues[venue_name].balance(), epoch)
        pending = self.pending
        for sym in self.on_venue[venue_name]:
            if not sym.screened_out:
                pending.add(sym)

    def _accounts(self) -> dict[str, tuple[Decimal, int]]:
        """``(wallet balance, account epoch)`` per venue now (:attr:`account_key`)."""
        return self.account_key

    # ------------------------------------------------------------------ setup

    def _timeline(
        self,
    ) -> tuple[
        dict[datetime, list[tuple[SeriesState, int]]], dict[datetime, list[tuple[int, int]]]
    ]:
        """The replay's events grouped by instant: each instant's settlements ``(series,
        row)`` and unknowns ``(series index, row)``, each list in the events' order
        (:meth:`_events`: by series index, then row). Built directly rather than by
        sorting ~220,000 event tuples a benchmark year and regrouping them: the series are
        walked in index order and each one's rows in ascending order, so every list is
        appended to in that order already (``tests/backtest/test_replay_events.py``
        compares with main 05f40af's sort-and-group, kept verbatim). Warms each series that
        settled before the window start, as the events' walk always did."""
        settling_at: dict[datetime, list[tuple[SeriesState, int]]] = {}
        unknown_at: dict[datetime, list[tuple[int, int]]] = {}
        tolerance = self.settings.gap_tolerance
        start, end = self.start, self.end
        get = settling_at.get
        for state in self.series:
            data = state.data
            times = data.times
            # the rows start <= time < end, by bisection (times strictly increase:
            # FundingSeries), and the last one before the window (-1: none)
            low = bisect_left(times, start)
            stop = bisect_left(times, end, low)
            prior = low - 1
            for row, when in zip(range(low, stop), islice(times, low, stop), strict=True):
                bucket = get(when)
                if bucket is None:
                    settling_at[when] = [(state, row)]
                else:
                    bucket.append((state, row))
            first = max(prior, 0)
            index = state.index
            for row in _overdue_candidates(data, first, stop, tolerance):
                unknown = unknown_after(data, row, tolerance)
                if unknown is not None and start < unknown < end:
                    unknown_at.setdefault(unknown, []).append((index, row))
            if prior >= 0:
                unknown = unknown_after(data, prior, tolerance)
                self._warm(state, prior, unknown is None or unknown > start)
        return settling_at, unknown_at

    def _events(self) -> list[tuple[datetime, int, int, int]]:
        """``(time, kind, series, row)`` in processing order: :meth:`_timeline`'s events,
        flattened and sorted (what the engine's grouped lists stand for)."""
        settling_at, unknown_at = self._timeline()
        events = [
            (when, SETTLE, state.index, row)
            for when, settling in settling_at.items()
            for state, row in settling
        ]
        events += [
            (when, UNKNOWN, index, row)
            for when, unknowns in unknown_at.items()
            for index, row in unknowns
        ]
        events.sort()
        return events

    def _warm(self, state: SeriesState, row: int, available: bool) -> None:
        """Known at the window start: the last settlement before it (not re-settled)."""
        data = state.data
        mark = data.marks[row]
        if mark is not None:
            state.own_mark = mark
            sym = state.sym
            if sym.reference_time is None or data.times[row] > sym.reference_time:
                sym.reference = mark
                sym.reference_time = data.times[row]
        state.known = row
        state.available = available
        state.refresh()

    # ------------------------------------------------------------------ venue plumbing

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
            if state.position:  # held (Decimal truth; test_cycle_and_revalue_are_eec4b55)
                self._account_changed(state.venue_name)

    def _settle_all(self, settling: Sequence[tuple[SeriesState, int]], now: datetime) -> None:
        """Settle ``settling`` (series, row) at ``now``, in order: funding paid on a held
        leg, then the settled rate becomes the series' current one.

        One call per instant rather than one per settlement: ~220,000 settlements a
        benchmark year, almost all of flat series, for which this is the rate
        bookkeeping alone (``tests/backtest/test_settlements_one_call_per_instant.py``
        counts the calls; ``test_settle_and_apply_are_cfc1849.py`` compares whole results
        with cfc1849's per-settlement ``_settle``)."""
        for state, row in settling:
            if state.position and state.listed:  # a held leg (Decimal truth: != 0)
                self._pay_funding(state, row, now)
            previous = state.known
            state.known = row
            state.available = True
            signals = state.signals  # data.signal(row), read without a call per settlement
            signal = signals[row]
            # state.refresh() with available and known >= 0 just set (inline)
            if not state.listed:
                state.usable = False
                continue
            state.usable = signal is not None
            # the venue learns a first rate or a new interval at once, a new rate at the
            # same interval when its rate is next read (_send_rate): the rate compared
            # first, then the interval, as ``rate differs or interval differs`` always did
            intervals = state.intervals
            interval = intervals[row]
            if previous < 0:
                send = True
            elif signals[previous] != signal:
                send = intervals[previous] != interval
                if not send:
                    # held back until the venue's rate is read; its market is not touched
                    state.pending_rate = (ZERO if signal is None else signal, interval)
            elif intervals[previous] != interval:
                send = True
            else:
                continue
            if send:
                state.pending_rate = None
                state.venue.set_funding_rate(
                    state.data.symbol, ZERO if signal is None else signal, interval
                )

    def _pay_funding(self, state: SeriesState, row: int, now: datetime) -> None:
        """Settle funding on the paper venue for the leg ``state`` held through the period
        that settlement ``row`` ends, and book the payment."""
        data = state.data
        size = state.position
        payment = state.venue.settle_funding(data.symbol, now, data.rates[row])
        self.positions_now.pop(state.venue_name, None)
        if payment is not None:
            self._account_changed(state.venue_name)
            mark = state.venue.market_state(data.symbol).mark_price
            state.sym.funding += payment.amount
            state.sym.books_moved = True
            self.total_funding += payment.amount
            self.funding_events.append(
                FundingEvent(
                    time=now,
                    venue=data.venue,
                    symbol=data.symbol.base,
                    rate=data.rates[row],
                    interval_hours=interval_hours(data.intervals[row]),
                    position_base=size,
                    price=mark / data.contract_multiplier,
                    amount=payment.amount,
                )
            )

    def _send_rate(self, state: SeriesState) -> None:
        """Give the venue the rate the last settlements set, before its rate is read.

        A settlement that changes only the rate is not sent at once: the venue's rate is
        read by the decisions alone (``fetch_funding_rates``; the engine settles funding
        with the settled rate passed in, and the backtest venues settle nothing by
        themselves), which ask for one symbol in a few percent of the settlements, and
        ``set_funding_rate`` at an unchanged interval only replaces the rate, so the last
        call before a read leaves the venue as every call would have
        (``tests/backtest/test_rate_sent_on_read.py``). A new interval is sent at once:
        it replaces the venue's market rules, which the certificate compares."""
        pending = state.pending_rate
        if pending is not None:
            state.pending_rate = None
            state.venue.set_funding_rate(state.data.symbol, *pending)
