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
   interval, a mark, a rate's availability, a position, the collateral behind a position):
   with unchanged inputs the pure decisions would return the same ``NoTrade`` again (they
   read the time only to judge staleness, and inputs are always observed "now"). A flat
   symbol whose best ordered pair cannot clear ``build_threshold`` even before the entry
   gap (gross spread minus the amortised fees, from the decisions' own cost function) is
   not asked either: nothing to close, reduce or rebalance, and no open is possible. The
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
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from atomic_fp import costs
from atomic_fp.backtest.gaps import GAP_TOLERANCE, Coverage, coverage, expected_interval
from atomic_fp.backtest.records import (
    Decision,
    EquityPoint,
    Fill,
    FundingEvent,
    SymbolPoint,
)
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.backtest.venue import SimulatedVenue, SimulatedVenueFactory
from atomic_fp.clock import ManualClock
from atomic_fp.decisions.cycle import decide_cycle
from atomic_fp.decisions.estimators import EstimateUnavailable
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    HOURS_PER_YEAR,
    ArbitrageConfig,
    FundingRate,
    Market,
    OrderBook,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
    TradingSignal,
    interval_hours,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin

T = TypeVar("T")
_ZERO = Decimal(0)
_SETTLE = 0
_UNKNOWN = 1

Progress = Callable[[int, int], None]


@attrs.frozen
class HistoryGap(VenueError):
    """The history has no rate for this venue and symbol at this time (a gap, before the
    series starts, or after it ends). Never read as zero."""


@attrs.frozen
class BacktestSettings:
    """How to simulate. ``half_spread`` is the slippage model: the paper venue's synthetic
    book quotes ``mark * (1 +- half_spread)``, so every fill pays it against the mark.
    ``lot_size``/``tick_size`` are the simulated markets' steps in venue units.
    ``capital`` is the collateral, split equally over the venues (the paper venues'
    starting balances, which their liquidation estimates use) and the base of
    ``return_on_capital``. ``None`` = fully collateralised: each venue gets enough to carry
    ``max_position`` of every symbol at that symbol's highest price in the history (a
    deliberate look-ahead that only sizes collateral -- the liquidation estimate and the ROC
    denominator; give ``capital`` to avoid it).
    ``prices``: an assumed constant price per base unit for symbols whose history has no
    mark price on any venue (without it such a symbol cannot be priced and never trades)."""

    config: ArbitrageConfig
    start: datetime | None = None
    end: datetime | None = None
    half_spread: Decimal = Decimal("0.0002")
    capital: Decimal | None = None
    lot_size: Decimal = Decimal("0.00000001")
    tick_size: Decimal = Decimal("0.00000001")
    gap_tolerance: timedelta = GAP_TOLERANCE
    cycle_interval: timedelta = timedelta(minutes=1)
    use_books: bool = True
    prices: Mapping[str, Decimal] = attrs.field(factory=dict)


@attrs.frozen
class ExecutionProblem:
    time: datetime
    signal_id: str
    venue: str
    symbol: str
    detail: str


@attrs.frozen
class SymbolTotals:
    """One symbol's totals at the end. ``price_pnl`` is the mark-to-market PnL of its
    positions excluding slippage, so ``net_pnl = funding - fees - slippage + price_pnl``.
    ``max_drawdown`` is the largest fall of its net PnL from a previous peak."""

    funding: Decimal
    fees: Decimal
    slippage: Decimal
    price_pnl: Decimal
    max_drawdown: Decimal

    @property
    def net_pnl(self) -> Decimal:
        return self.funding - self.fees - self.slippage + self.price_pnl


@attrs.frozen
class BacktestResult:
    """Everything a run produced (metrics are computed from it, see ``metrics.py``)."""

    settings: BacktestSettings
    start: datetime
    end: datetime
    venues: tuple[str, ...]
    symbols: tuple[str, ...]
    coverage: tuple[Coverage, ...]
    fills: tuple[Fill, ...]
    funding: tuple[FundingEvent, ...]
    equity: tuple[EquityPoint, ...]
    symbol_points: tuple[SymbolPoint, ...]
    decisions: tuple[Decision, ...]
    problems: tuple[ExecutionProblem, ...]
    missed_in_position: Mapping[str, int]
    """Per ``venue symbol``: settlements the history lacks while a position was open there
    (their funding is unknown and NOT in the totals)."""
    time_in_market: Mapping[str, timedelta]
    per_symbol: Mapping[str, SymbolTotals]
    peak_gross_notional: Decimal
    steps: int
    decision_runs: int
    """Times the decisions were asked (inputs changed and the symbol was not screened)."""
    screened: int
    """Times a flat symbol's inputs changed but its widest gross spread was below
    ``build_threshold``, so no decision could trade and none was asked."""
    capital: Decimal
    assumed_prices: Mapping[str, Decimal]
    safety_actions: int = 0
    """Times the safety decision (liquidation buffer or exposure cap) acted."""
    liquidations: tuple[Fill, ...] = ()
    """Positions the paper venues liquidated (its margin model, ``adapters/paper/margin``):
    each closed at the mark, its ``fee`` the liquidation fee; also in ``fills``."""


class _Sym:
    """Mutable replay state of one symbol: its series (one per venue) and its books."""

    __slots__ = (
        "base", "cash", "drawdown", "fees", "funding", "in_market_since", "index",
        "last_point", "peak_net", "reference", "reference_time", "seen", "series",
        "slippage", "symbol", "time_in_market", "value",
    )  # fmt: skip

    def __init__(self, index: int, symbol: Symbol) -> None:
        self.index = index
        self.symbol = symbol
        self.base = symbol.base
        self.series: list[_Series] = []
        self.reference: Decimal | None = None
        self.reference_time: datetime | None = None
        self.cash = _ZERO
        self.fees = _ZERO
        self.slippage = _ZERO
        self.funding = _ZERO
        self.value = _ZERO
        self.peak_net = _ZERO
        self.drawdown = _ZERO
        self.in_market_since: datetime | None = None
        self.time_in_market = timedelta(0)
        self.seen: tuple[Any, ...] | None = None
        self.last_point: tuple[Any, ...] | None = None

    @property
    def net(self) -> Decimal:
        return self.funding - self.fees + self.cash + self.value

    @property
    def flat(self) -> bool:
        return all(s.position == 0 for s in self.series)


class _Series:
    """Mutable replay state of one series (one symbol on one venue)."""

    __slots__ = (
        "aprs", "available", "data", "index", "known", "listed", "own_mark", "position",
        "sym", "venue", "venue_id", "venue_name",
    )  # fmt: skip

    def __init__(self, index: int, data: FundingSeries, sym: _Sym, venue: SimulatedVenue) -> None:
        self.index = index
        self.data = data
        self.sym = sym
        self.venue = venue
        self.venue_name = data.venue
        self.venue_id = ExchangeIdentifier(data.venue)
        self.known = -1
        self.available = False
        self.listed = False
        self.own_mark: Decimal | None = None
        self.position = _ZERO
        self.aprs: list[Decimal | None] = [None] * len(data.times)

    @property
    def usable(self) -> bool:
        """Its current rate (and the estimator's value of it) is known and it can be
        traded (a price is known)."""
        return (
            self.available
            and self.known >= 0
            and self.listed
            and self.data.signal(self.known) is not None
        )

    @property
    def price(self) -> Decimal | None:
        """Price per base unit on this venue now."""
        return self.own_mark if self.own_mark is not None else self.sym.reference

    def apr(self) -> Decimal:
        """APR of the current rate, the formula of ``FundingRate.apr``."""
        row = self.known
        cached = self.aprs[row]
        if cached is None:
            data = self.data
            signal = data.signal(row)
            if signal is None:  # pragma: no cover - apr() is read only when usable
                raise AssertionError("no estimate")
            cached = signal / interval_hours(data.intervals[row]) * HOURS_PER_YEAR
            self.aprs[row] = cached
        return cached


def _unknown_after(series: FundingSeries, row: int, tolerance: timedelta) -> datetime | None:
    """When the rate of settlement ``row`` stops being the venue's current rate without a
    successor: the instant the next settlement is overdue. ``None`` when the successor
    arrives in time."""
    times = series.times
    if row + 1 < len(times):
        step = expected_interval(series, row + 1)
        if times[row + 1] - times[row] > step + tolerance:
            return times[row] + step + tolerance
        return None
    return times[row] + series.intervals[row] + tolerance


def default_capital(series: Sequence[FundingSeries], settings: BacktestSettings) -> Decimal:
    """Collateral per venue that carries ``max_position`` of every symbol at its highest
    price in the history (fully collateralised, no leverage)."""
    peaks: dict[str, Decimal] = {}
    for data in series:
        for mark in data.marks:
            if mark is not None and mark > peaks.get(data.symbol.base, _ZERO):
                peaks[data.symbol.base] = mark
    for base, price in settings.prices.items():
        peaks.setdefault(base, price)
    return sum((settings.config.max_position * price for price in peaks.values()), _ZERO)


def _call(future: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    """Run one paper-venue call to completion without an event loop. The backtest's paper
    venues have no latency knob set, so their calls never suspend; if one did, that is a
    bug here, not something to wait for."""
    coroutine = future.awaitable()
    try:
        coroutine.send(None)
    except StopIteration as done:
        return unsafe_perform_io(done.value)
    coroutine.close()
    raise RuntimeError("a paper venue call suspended; backtest venues must have no latency")


class _Run:
    """One backtest run; :func:`run_backtest` is the entry point."""

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
        by_symbol: dict[Symbol, _Sym] = {}
        for data in sorted(series, key=lambda s: (s.symbol, s.venue)):
            if data.symbol not in by_symbol:
                by_symbol[data.symbol] = _Sym(len(by_symbol), data.symbol)
        self.syms = list(by_symbol.values())
        self.series: list[_Series] = []
        for index, data in enumerate(series):
            sym = by_symbol[data.symbol]
            state = _Series(index, data, sym, self.venues[data.venue])
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
        self.holding: dict[int, _Series] = {}
        self.positions_now: dict[str, dict[Symbol, Position]] = {}
        self.missed: dict[str, int] = {}
        self.fills: list[Fill] = []
        self.funding_events: list[FundingEvent] = []
        self.equity: list[EquityPoint] = []
        self.symbol_points: list[SymbolPoint] = []
        self.decisions: list[Decision] = []
        self.problems: list[ExecutionProblem] = []
        self.peak_gross = _ZERO
        self.decision_runs = 0
        self.screened = 0
        self.safety_actions = 0
        self.liquidations: list[Fill] = []
        self.liquidations_seen: dict[str, int] = {name: 0 for name in names}
        self.fee_apr: dict[tuple[str, str], Decimal] = {}
        self.total_funding = _ZERO
        self.total_fees = _ZERO
        self.total_slippage = _ZERO
        self.total_cash = _ZERO
        self.total_value = _ZERO

    # ------------------------------------------------------------------ setup

    def _events(self) -> list[tuple[datetime, int, int, int]]:
        """``(time, kind, series, row)`` in processing order."""
        events: list[tuple[datetime, int, int, int]] = []
        tolerance = self.settings.gap_tolerance
        for state in self.series:
            data = state.data
            times = data.times
            prior = -1
            for row, when in enumerate(times):
                if when < self.start:
                    prior = row
                    continue
                if when >= self.end:
                    break
                events.append((when, _SETTLE, state.index, row))
            for row in range(max(prior, 0), len(times)):
                if times[row] >= self.end:
                    break
                unknown = _unknown_after(data, row, tolerance)
                if unknown is not None and self.start < unknown < self.end:
                    events.append((unknown, _UNKNOWN, state.index, row))
            if prior >= 0:
                unknown = _unknown_after(data, prior, tolerance)
                self._warm(state, prior, unknown is None or unknown > self.start)
        events.sort()
        return events

    def _warm(self, state: _Series, row: int, available: bool) -> None:
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

    # ------------------------------------------------------------------ venue plumbing

    def _ensure_listed(self, state: _Series, base_price: Decimal) -> None:
        """List the market on its paper venue once a price is known; keep its mark current."""
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
                funding_rate=(data.signal(row) or _ZERO) if state.known >= 0 else _ZERO,
                half_spread=self.settings.half_spread,
                depth=Decimal(10) ** 15,
            )
            state.listed = True
        elif venue.market_state(data.symbol).mark_price != venue_price:
            venue.set_mark_price(data.symbol, venue_price)
            self.positions_now.pop(state.venue_name, None)

    def _settle(self, state: _Series, row: int, now: datetime) -> None:
        data = state.data
        size = state.position
        if size != 0 and state.listed:
            payment = state.venue.settle_funding(data.symbol, now, data.rates[row])
            self.positions_now.pop(state.venue_name, None)
            if payment is not None:
                mark = state.venue.market_state(data.symbol).mark_price
                state.sym.funding += payment.amount
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
        previous = state.known
        state.known = row
        state.available = True
        if state.listed and (
            previous < 0
            or data.signal(previous) != data.signal(row)
            or data.intervals[previous] != data.intervals[row]
        ):
            signal = data.signal(row)
            state.venue.set_funding_rate(
                data.symbol, _ZERO if signal is None else signal, data.intervals[row]
            )

    # ------------------------------------------------------------------ inputs

    def _rate(self, state: _Series, now: datetime) -> Result[FundingRate, VenueError]:
        data = state.data
        if state.known < 0 or not state.available:
            when = "before its history starts" if state.known < 0 else "(gap in the history)"
            return Failure(
                HistoryGap(data.venue, f"no funding rate for {data.symbol.base} at {now} {when}")
            )
        if not state.listed:
            return Failure(
                HistoryGap(data.venue, f"no price known yet for {data.symbol.base} at {now}")
            )
        if data.signal(state.known) is None:
            return Failure(
                EstimateUnavailable(
                    data.venue,
                    f"{data.basis} of {data.symbol.base} at {now}: too little settled history",
                )
            )
        fetched: Result[tuple[FundingRate, ...], VenueError] = _call(
            state.venue.fetch_funding_rates([data.symbol])
        )
        return fetched.bind(
            lambda rates: (
                Success(rates[0])
                if rates
                else Failure(HistoryGap(data.venue, f"{data.symbol.base} not listed"))
            )
        )

    def _position(self, state: _Series) -> Result[Position | None, VenueError]:
        """The venue's answer, fetched once per venue and instant (and again after any
        change on that venue: a fill, a settlement, a mark move)."""
        if state.position == 0:
            return Success(None)
        snapshot = self.positions_now.get(state.venue_name)
        if snapshot is None:
            fetched: Result[tuple[Position, ...], VenueError] = _call(state.venue.fetch_positions())
            if not is_successful(fetched):
                return Failure(fetched.failure())
            snapshot = {p.symbol: p for p in fetched.unwrap()}
            self.positions_now[state.venue_name] = snapshot
        return Success(snapshot.get(state.data.symbol))

    def _market(self, state: _Series) -> Result[Market, VenueError]:
        data = state.data
        if not state.listed:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} has no price yet"))
        return Success(state.venue.market_state(data.symbol).market)

    def _margin(self, state: _Series) -> Result[AccountMargin, VenueError]:
        data = state.data
        if not state.listed:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} has no price yet"))
        settle = state.venue.market_state(data.symbol).market.settle_asset
        return Success(state.venue.margin(settle))

    def _book(self, state: _Series) -> Result[OrderBook, VenueError]:
        data = state.data
        if not state.listed:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} has no price yet"))
        return Success(state.venue.book(data.symbol))

    # ------------------------------------------------------------------ decide and execute

    def _fingerprint(self, sym: _Sym) -> tuple[Any, ...]:
        """Everything the decisions read for this symbol, except the time."""
        parts: list[Any] = []
        for state in sym.series:
            if state.usable:
                data = state.data
                row = state.known
                parts.append((data.signal(row), data.intervals[row], state.price))
            else:
                parts.append(None)
            # the position, and the collateral behind its liquidation estimate and the
            # opening check on margin (read even when flat)
            parts.append((state.position, state.venue.balance()))
        return tuple(parts)

    def _decide(self, sym: _Sym, now: datetime) -> TradingSignal | None:
        rates: dict[ExchangeIdentifier, Result[FundingRate, VenueError]] = {}
        positions: dict[ExchangeIdentifier, Result[Position | None, VenueError]] = {}
        markets: dict[ExchangeIdentifier, Result[Market, VenueError]] = {}
        books: dict[ExchangeIdentifier, Result[OrderBook, VenueError]] = {}
        margins: dict[ExchangeIdentifier, Result[AccountMargin, VenueError]] = {}
        for state in sym.series:
            venue = state.venue_id
            rates[venue] = self._rate(state, now)
            positions[venue] = self._position(state)
            markets[venue] = self._market(state)
            margins[venue] = self._margin(state)
            if self.settings.use_books:
                books[venue] = self._book(state)
        self.decision_runs += 1
        outcome = decide_cycle(
            rates=rates,
            positions=positions,
            markets=markets,
            margins=margins,
            books=books if self.settings.use_books else None,
            config=self.config,
            now=now,
        )
        signal = outcome.to_execute
        if signal is None:
            return None
        if outcome.action == "safety":
            self.safety_actions += 1
        self.decisions.append(
            Decision(now, sym.base, signal.kind.value, signal.signal_id, signal.reason)
        )
        return signal

    def _execute(self, sym: _Sym, signal: TradingSignal, now: datetime) -> bool:
        """Send every leg; ``True`` when anything filled."""
        by_venue = {state.venue_name: state for state in sym.series}
        filled = False
        for index, leg in enumerate(signal.legs):
            state = by_venue.get(leg.exchange.name)
            if state is None:
                self.problems.append(
                    ExecutionProblem(
                        now, signal.signal_id, leg.exchange.name, leg.bound_symbol.base,
                        "no such venue in the backtest",
                    )
                )  # fmt: skip
                continue
            venue = state.venue
            client_id = signal.client_order_id(index)
            request = OrderRequest(
                exchange=leg.exchange,
                symbol=leg.bound_symbol,
                side=leg.side,
                size=leg.size,
                client_order_id=client_id,
                order_type=OrderType.MARKET,
                time_in_force=TimeInForce.IOC,
                reduce_only=leg.reduce_only,
            )
            mark = venue.market_state(leg.bound_symbol).mark_price
            placed = _call(venue.place_order(request))
            self.positions_now.pop(state.venue_name, None)
            if not is_successful(placed):
                self.problems.append(
                    ExecutionProblem(
                        now, signal.signal_id, leg.exchange.name, leg.bound_symbol.base,
                        str(placed.failure()),
                    )
                )  # fmt: skip
                continue
            order = placed.unwrap()
            if order.filled_size != leg.size or order.average_price is None:
                self.problems.append(
                    ExecutionProblem(
                        now, signal.signal_id, leg.exchange.name, leg.bound_symbol.base,
                        f"filled {order.filled_size} of {leg.size} ({order.status.value})",
                    )
                )  # fmt: skip
            if order.filled_size == 0 or order.average_price is None:
                continue
            filled = True
            multiplier = leg.contract_multiplier
            base_size = order.filled_size * multiplier
            price = order.average_price / multiplier
            base_mark = mark / multiplier
            adverse = (price - base_mark) * leg.side.sign * base_size
            fee = order.fee or _ZERO
            signed = base_size * leg.side.sign
            state.position += signed
            if state.position != 0:
                self.holding[state.index] = state
            else:
                self.holding.pop(state.index, None)
            sym.cash -= signed * price
            self.total_cash -= signed * price
            sym.fees += fee
            self.total_fees += fee
            sym.slippage += adverse
            self.total_slippage += adverse
            self.fills.append(
                Fill(
                    time=now,
                    signal_id=signal.signal_id,
                    kind=signal.kind.value,
                    symbol=leg.bound_symbol.base,
                    venue=leg.exchange.name,
                    side=leg.side,
                    size=order.filled_size,
                    base_size=base_size,
                    price=price,
                    mark=base_mark,
                    fee=fee,
                    slippage=adverse,
                    client_order_id=client_id,
                    reason=signal.reason,
                )
            )
        return filled

    # ------------------------------------------------------------------ screening

    def _spread(self, sym: _Sym) -> tuple[Decimal, str, str] | None:
        """The widest gross funding spread (APR) among venues whose rate is known now:
        ``(spread, long venue, short venue)``; ``None`` with fewer than two."""
        best: tuple[Decimal, str] | None = None
        worst: tuple[Decimal, str] | None = None
        for state in sym.series:
            if not state.usable:
                continue
            apr = state.apr()
            if best is None or apr > best[0]:
                best = (apr, state.venue_name)
            if worst is None or apr < worst[0]:
                worst = (apr, state.venue_name)
        if best is None or worst is None or best[1] == worst[1]:
            return None
        return best[0] - worst[0], worst[1], best[1]

    def _may_open(self, sym: _Sym) -> bool:
        """Whether any ordered pair of venues with known rates clears ``build_threshold``
        before the entry gap (an upper bound of the decision's net APR)."""
        usable = [(s.venue_name, s.apr()) for s in sym.series if s.usable]
        threshold = self.config.build_threshold
        for long_venue, long_apr in usable:
            for short_venue, short_apr in usable:
                if long_venue == short_venue or short_apr - long_apr < threshold:
                    continue
                pair = (long_venue, short_venue)
                fee = self.fee_apr.get(pair)
                if fee is None:
                    fee = self.fee_apr[pair] = costs.fee_apr(self.config, *pair)
                if short_apr - long_apr - fee >= threshold:
                    return True
        return False

    # ------------------------------------------------------------------ accounting

    def _revalue(self, sym: _Sym) -> None:
        total = _ZERO
        for state in sym.series:
            if state.position != 0:
                price = state.price
                assert price is not None  # a filled position had a price
                total += state.position * price
        self.total_value += total - sym.value
        sym.value = total

    def _track_market_time(self, sym: _Sym, now: datetime) -> None:
        holding = not sym.flat
        if holding and sym.in_market_since is None:
            sym.in_market_since = now
        elif not holding and sym.in_market_since is not None:
            sym.time_in_market += now - sym.in_market_since
            sym.in_market_since = None

    def _symbol_point(
        self, sym: _Sym, now: datetime, widest: tuple[Decimal, str, str] | None
    ) -> None:
        spread = widest[0] if widest is not None else None
        held = sum((s.position for s in sym.series if s.position > 0), _ZERO)
        key = (spread, held)
        if sym.last_point == key:
            return
        sym.last_point = key
        self.symbol_points.append(
            SymbolPoint(
                time=now,
                symbol=sym.base,
                spread_apr=spread,
                long_venue=widest[1] if widest is not None else None,
                short_venue=widest[2] if widest is not None else None,
                position_base=held,
                price=sym.reference,
                funding=sym.funding,
                net_pnl=sym.net,
            )
        )

    def _equity_point(self, now: datetime) -> None:
        gross = _ZERO
        for state in self.holding.values():
            price = state.price
            assert price is not None
            gross += abs(state.position) * price
        if gross > self.peak_gross:
            self.peak_gross = gross
        self.equity.append(
            EquityPoint(
                time=now,
                funding=self.total_funding,
                fees=self.total_fees,
                slippage=self.total_slippage,
                price_pnl=self.total_cash + self.total_value + self.total_slippage,
                gross_notional=gross,
            )
        )

    def _track_drawdown(self, sym: _Sym) -> None:
        net = sym.net
        if net > sym.peak_net:
            sym.peak_net = net
        elif sym.peak_net - net > sym.drawdown:
            sym.drawdown = sym.peak_net - net

    # ------------------------------------------------------------------ the loop

    def run(self) -> BacktestResult:
        events = self._events()
        by_time: dict[datetime, list[tuple[int, int, int]]] = {}
        for when, kind, index, row in events:
            by_time.setdefault(when, []).append((kind, index, row))
        steps = sorted({self.start, *by_time})
        for sym in self.syms:
            for state in sym.series:
                price = state.price
                if price is not None:
                    self._ensure_listed(state, price)
        dirty: set[_Sym] = set(self.syms)
        retry: list[tuple[datetime, int]] = []
        total = len(steps)
        report_every = max(1, total // 200)
        step_index = 0
        while True:
            upcoming = steps[step_index] if step_index < total else None
            if retry and (upcoming is None or retry[0][0] < upcoming):
                now = retry[0][0]
                again: set[_Sym] = set()
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
            dirty |= self._apply(now, by_time.get(now, ()))
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
            symbol_points=tuple(self.symbol_points),
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

    def _apply(self, now: datetime, events: Sequence[tuple[int, int, int]]) -> set[_Sym]:
        """Apply the settlements and unknowns at ``now``; the symbols they touched."""
        touched: set[_Sym] = set()
        settling = [(self.series[i], row) for kind, i, row in events if kind == _SETTLE]
        for state, row in settling:
            mark = state.data.marks[row]
            if mark is not None:
                state.own_mark = mark
                state.sym.reference = mark
                state.sym.reference_time = now
        # only symbols whose price moved need their venues' marks and their value updated
        repriced = sorted(
            {state.sym for state, row in settling if state.data.marks[row] is not None},
            key=lambda sym: sym.index,
        )
        for sym in repriced:
            for other in sym.series:
                price = other.price
                if price is not None:
                    self._ensure_listed(other, price)
        for state, row in settling:
            self._settle(state, row, now)
            touched.add(state.sym)
        for kind, index, row in events:
            if kind != _UNKNOWN:
                continue
            state = self.series[index]
            if state.known != row:
                continue
            state.available = False
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
        touched |= liquidated
        for sym in sorted(set(repriced) | liquidated, key=lambda sym: sym.index):
            self._revalue(sym)
        return touched

    def _absorb_liquidations(self, now: datetime) -> set[_Sym]:
        """Book what the paper venues liquidated since the last look (a mark move or a
        settlement can liquidate): the position closes at the liquidation price, the fee
        is a cost, and it is recorded as a ``liquidation`` fill."""
        by_key = {(s.venue_name, s.data.symbol): s for s in self.series}
        touched: set[_Sym] = set()
        for name, venue in self.venues.items():
            seen = self.liquidations_seen[name]
            for event in venue.liquidations[seen:]:
                state = by_key[(name, event.position.symbol)]
                sym = state.sym
                multiplier = state.data.contract_multiplier
                base = event.position.size * multiplier
                price = event.price / multiplier
                state.position -= base
                if state.position == 0:
                    self.holding.pop(state.index, None)
                sym.cash += base * price
                self.total_cash += base * price
                sym.fees += event.fee
                self.total_fees += event.fee
                fill = Fill(
                    time=now,
                    signal_id="liquidation",
                    kind="liquidation",
                    symbol=sym.base,
                    venue=name,
                    side=Side.SELL if base > 0 else Side.BUY,
                    size=abs(event.position.size),
                    base_size=abs(base),
                    price=price,
                    mark=price,
                    fee=event.fee,
                    slippage=_ZERO,
                    client_order_id="liquidation",
                    reason=(
                        f"{name} liquidated: equity {event.equity:.2f} <= maintenance "
                        f"margin {event.maintenance_margin:.2f}"
                    ),
                )
                self.fills.append(fill)
                self.liquidations.append(fill)
                self.positions_now.pop(name, None)
                sym.seen = None
                self._track_market_time(sym, now)
                touched.add(sym)
            self.liquidations_seen[name] = len(venue.liquidations)
        return touched

    def _cycle(self, now: datetime, syms: set[_Sym], retry: list[tuple[datetime, int]]) -> None:
        self.clock.set(now)
        for sym in sorted(syms, key=lambda s: s.index):
            self._cycle_symbol(sym, now, retry)
            self._track_drawdown(sym)
        self._equity_point(now)

    def _cycle_symbol(self, sym: _Sym, now: datetime, retry: list[tuple[datetime, int]]) -> None:
        fingerprint = self._fingerprint(sym)
        if sym.seen == fingerprint:
            return
        widest = self._spread(sym)
        if sym.flat and not self._may_open(sym):
            # Provably no trade, so the decisions are not asked: flat means nothing to
            # close, reduce or rebalance, and opening needs, for some ordered pair,
            # net = spread - amortised fees - entry gap >= build_threshold, with the
            # fees from the same cost function the decision uses and the gap >= 0.
            self.screened += 1
            sym.seen = fingerprint
            self._symbol_point(sym, now, widest)
            return
        signal = self._decide(sym, now)
        filled = signal is not None and self._execute(sym, signal, now)
        if filled:
            # Positions changed: decide again one cycle later (a live runner keeps
            # cycling), e.g. to scale in by trade_size up to max_position.
            self._revalue(sym)
            self._track_market_time(sym, now)
            sym.seen = None
            following = now + self.settings.cycle_interval
            if following < self.end:
                heapq.heappush(retry, (following, sym.index))
        else:
            # Same inputs give the same outcome: skip until one of them changes.
            sym.seen = fingerprint
        self._symbol_point(sym, now, widest if not filled else self._spread(sym))


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
    a worker thread inside an async application)."""
    return _Run(series, settings, progress, venues).run()


__all__ = [
    "BacktestResult",
    "BacktestSettings",
    "ExecutionProblem",
    "HistoryGap",
    "Progress",
    "SymbolTotals",
    "run_backtest",
]
