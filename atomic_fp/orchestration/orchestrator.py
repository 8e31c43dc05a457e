"""Layer 5: one symbol across any number of venues, one cycle at a time.

``run_strategy_cycle`` gathers every venue's rates, positions, markets and books at once,
asks the pure decisions in order of urgency (safety, then rebalance, then the funding
hedge) and executes the first signal with leg-safe execution. A venue whose data failed is
passed to the decisions as its ``Failure`` (never as zero) and named in the cycle report.

Opening is refused while reconciliation is not clean (unresolved orders, a position
mismatch, a venue whose positions cannot be read); reducing signals still run, except
while an order's fate is unknown, when nothing trades at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar

import anyio
import attrs
from returns.result import Failure, Result

from atomic_fp.aggregators import (
    DEFAULT_TIMEOUT,
    FundingRateAggregator,
    MarketAggregator,
    PositionAggregator,
    gather_keyed,
)
from atomic_fp.decisions.cycle import CycleDecision, decide_cycle
from atomic_fp.decisions.types import (
    BookInputs,
    MarketInputs,
    PositionInputs,
    RateInputs,
)
from atomic_fp.errors import VenueError, VenueTimeout
from atomic_fp.models import ArbitrageConfig, Market, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.execution import ExecutionPolicy, execute_signal
from atomic_fp.orchestration.journal import ExecutionJournal, MemoryJournal
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.reconcile import reconcile
from atomic_fp.orchestration.report import (
    ExecutionReport,
    ExecutionStatus,
    ReconciliationReport,
)

Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@attrs.frozen
class StrategyInputs:
    """One cycle's data, per venue, as fetched (failures kept)."""

    at: datetime
    rates: RateInputs
    positions: PositionInputs
    markets: MarketInputs
    books: BookInputs

    def excluded(self) -> dict[str, str]:
        """Venue -> every input that failed for it, with why."""
        out: dict[str, list[str]] = {}
        inputs: tuple[tuple[str, Mapping[ExchangeIdentifier, Result[Any, VenueError]]], ...] = (
            ("rates", self.rates),
            ("positions", self.positions),
            ("markets", self.markets),
            ("books", self.books),
        )
        for name, values in inputs:
            for venue, result in values.items():
                if isinstance(result, Failure):
                    out.setdefault(str(venue), []).append(f"{name}: {result.failure().describe()}")
        return {venue: "; ".join(reasons) for venue, reasons in out.items()}


@attrs.frozen
class CycleReport:
    """What one strategy cycle saw, decided and did."""

    symbol: Symbol
    at: datetime
    action: str
    """``safety``, ``rebalance``, ``funding`` (a signal was executed) or ``none``."""
    signal: TradingSignal | None = None
    execution: ExecutionReport | None = None
    no_trade: tuple[str, ...] = ()
    excluded: Mapping[str, str] = attrs.field(factory=dict)
    blocked: tuple[str, ...] = ()
    reconciliation: ReconciliationReport | None = None

    def describe(self) -> str:
        lines = [f"cycle {self.symbol} at {self.at.isoformat()}: {self.action}"]
        lines += [f"  excluded {venue}: {why}" for venue, why in sorted(self.excluded.items())]
        lines += [f"  opening blocked: {why}" for why in self.blocked]
        lines += [f"  no trade: {why}" for why in self.no_trade]
        if self.reconciliation is not None:
            lines.append("  " + self.reconciliation.describe().replace("\n", "\n  "))
        if self.execution is not None:
            lines.append("  " + self.execution.describe().replace("\n", "\n  "))
        return "\n".join(lines)


def _keyed(items: Iterable[T], what: str) -> dict[ExchangeIdentifier, T]:
    keyed: dict[ExchangeIdentifier, T] = {}
    for item in items:
        venue: ExchangeIdentifier = item.exchange  # type: ignore[attr-defined]
        if venue in keyed:
            raise ValueError(f"two {what} for venue {venue}")
        keyed[venue] = item
    return keyed


class ArbitrageOrchestrator:
    """Runs the strategy for one symbol over the given venues.

    ``queryers``/``traders`` are :class:`~atomic_fp.operations.AtomicQueryer`/
    :class:`~atomic_fp.operations.AtomicTrader` for ``symbol`` (a sequence, or a mapping by
    venue). ``journal`` defaults to an in-memory one (nothing survives a restart: give a
    ``SqliteJournal`` for live trading). ``clock`` is the only source of "now".
    """

    def __init__(
        self,
        *,
        queryers: Iterable[AtomicQueryer] | Mapping[ExchangeIdentifier, AtomicQueryer],
        traders: Iterable[AtomicTrader] | Mapping[ExchangeIdentifier, AtomicTrader],
        config: ArbitrageConfig,
        symbol: Symbol,
        journal: ExecutionJournal | None = None,
        policy: ExecutionPolicy | None = None,
        clock: Clock | None = None,
        query_timeout: float | None = DEFAULT_TIMEOUT,
        book_depth: int = 20,
        order_updates: OrderUpdateBook | None = None,
    ) -> None:
        self.queryers = _keyed(
            queryers.values() if isinstance(queryers, Mapping) else queryers, "queryers"
        )
        self.traders = _keyed(
            traders.values() if isinstance(traders, Mapping) else traders, "traders"
        )
        for item in (*self.queryers.values(), *self.traders.values()):
            if item.symbol != symbol:
                raise ValueError(f"{item!r} is for {item.symbol}, not {symbol}")
        self.config = config
        self.symbol = symbol
        self.journal: ExecutionJournal = journal if journal is not None else MemoryJournal()
        self.policy = policy if policy is not None else ExecutionPolicy()
        self.clock: Clock = clock if clock is not None else utc_now
        self.query_timeout = query_timeout
        self.book_depth = book_depth
        self.order_updates = order_updates
        """Fed by account streams: ambiguous orders settle as soon as a fill is pushed."""
        self.last_reconciliation: ReconciliationReport | None = None
        self._needs_reconcile = True
        self._execution_lock = anyio.Lock()
        clients = [q.client for q in self.queryers.values()]
        self._rates = FundingRateAggregator(clients, query_timeout)
        self._positions = PositionAggregator(clients, query_timeout)
        self._books = MarketAggregator(clients, query_timeout)

    # ------------------------------------------------------------------ state

    @property
    def open_blocked(self) -> tuple[str, ...]:
        """Why no new position may be opened on any venue right now (empty = allowed)."""
        if self.last_reconciliation is None:
            return ("not reconciled with the venues yet",)
        return self.last_reconciliation.blocking_problems()

    @property
    def blocked_venues(self) -> dict[ExchangeIdentifier, str]:
        """Venues no opening may involve (their positions could not be verified)."""
        if self.last_reconciliation is None:
            return {}
        return {u.exchange: u.reason for u in self.last_reconciliation.unverified}

    @property
    def trading_halted(self) -> bool:
        """An order's fate is unknown: nothing trades until it is resolved."""
        return self.last_reconciliation is not None and bool(self.last_reconciliation.unresolved)

    async def reconcile(self) -> ReconciliationReport:
        """Resolve unfinished orders and signals, compare positions; see
        :mod:`atomic_fp.orchestration.reconcile`."""
        async with self._execution_lock:
            with anyio.CancelScope(shield=True):
                report = await reconcile(
                    symbol=self.symbol,
                    traders=self.traders,
                    queryers=self.queryers,
                    journal=self.journal,
                    config=self.config,
                    policy=self.policy,
                    clock=self.clock,
                    query_timeout=self.query_timeout,
                )
        self.last_reconciliation = report
        self._needs_reconcile = not report.clean
        return report

    async def accept_venue_positions(self, reason: str) -> ReconciliationReport:
        """Adopt the venues' positions as the journal's (an operator's decision after a
        mismatch was reported): records one adjustment per difference, then reconciles."""
        report = self.last_reconciliation or await self.reconcile()
        for difference in report.differences:
            await self.journal.adjust_position(
                difference.exchange,
                difference.symbol,
                difference.difference,
                reason,
                self.clock(),
            )
        return await self.reconcile()

    # ------------------------------------------------------------------ inputs

    async def _markets(self) -> MarketInputs:
        def bind(queryer: AtomicQueryer) -> Callable[[], Any]:
            return queryer.market

        def timed_out(venue: ExchangeIdentifier) -> VenueError:
            return VenueTimeout(str(venue), f"no answer within {self.query_timeout} s")

        markets: dict[ExchangeIdentifier, Result[Market, VenueError]] = await gather_keyed(
            {venue: bind(q) for venue, q in self.queryers.items()}, self.query_timeout, timed_out
        )
        return markets

    async def gather_inputs(self) -> StrategyInputs:
        """Rates, positions, markets and books of every venue, all at once."""
        at = self.clock()
        found: dict[str, Any] = {}

        async def fetch(name: str, call: Callable[[], Any]) -> None:
            found[name] = await call()

        async with anyio.create_task_group() as group:
            group.start_soon(fetch, "rates", lambda: self._rates.rates_for(self.symbol))
            group.start_soon(fetch, "positions", lambda: self._positions.positions_for(self.symbol))
            group.start_soon(fetch, "markets", self._markets)
            group.start_soon(
                fetch, "books", lambda: self._books.books_for(self.symbol, self.book_depth)
            )
        return StrategyInputs(
            at=at,
            rates=found["rates"],
            positions=found["positions"],
            markets=found["markets"],
            books=found["books"],
        )

    # ------------------------------------------------------------------ cycle

    async def run_strategy_cycle(self) -> CycleReport:
        """One cycle: reconcile if needed, gather, decide, execute at most one signal."""
        reconciliation = None
        if self._needs_reconcile:
            reconciliation = await self.reconcile()
        if self.trading_halted:
            return CycleReport(
                symbol=self.symbol,
                at=self.clock(),
                action="none",
                no_trade=("an order's fate is unknown; trading halted until resolved",),
                blocked=self._blocked_reasons(),
                reconciliation=reconciliation,
            )
        inputs = await self.gather_inputs()
        decision = self.decide(inputs)
        report = CycleReport(
            symbol=self.symbol,
            at=inputs.at,
            action="none",
            signal=decision.signal,
            no_trade=decision.no_trade,
            excluded=inputs.excluded(),
            blocked=self._blocked_reasons(),
            reconciliation=reconciliation,
        )
        signal = decision.to_execute
        if signal is None:
            return report
        execution = await self.execute_signal(signal)
        return attrs.evolve(report, action=decision.action, execution=execution)

    def decide(self, inputs: StrategyInputs, *, apply_reconciliation: bool = True) -> CycleDecision:
        """What a cycle on ``inputs`` decides; nothing is sent or journaled.

        With ``apply_reconciliation`` (as every real cycle does) openings are refused while
        reconciliation is not clean, or has not run yet. ``execute --dry-run`` passes
        ``False``: it reads no journal, so it shows the decision the data alone yields.
        """
        return decide_cycle(
            rates=inputs.rates,
            positions=inputs.positions,
            markets=inputs.markets,
            books=inputs.books,
            config=self.config,
            now=inputs.at,
            open_blocked=self.open_blocked if apply_reconciliation else (),
            blocked_venues=self.blocked_venues if apply_reconciliation else {},
        )

    def _blocked_reasons(self) -> tuple[str, ...]:
        return self.open_blocked + tuple(
            f"no opening on {venue}: {why}" for venue, why in self.blocked_venues.items()
        )

    async def execute_signal(self, signal: TradingSignal) -> ExecutionReport:
        """Execute one signal, legs concurrently, with the bounded residual policy.

        Shielded from cancellation: once the first intent is journaled the execution runs
        to its report (each venue call is bounded by ``policy.order_timeout``), so a
        stopping runner never leaves a leg half-done and unjournaled.
        """
        if signal.symbol != self.symbol:
            raise ValueError(f"signal for {signal.symbol} given to the {self.symbol} orchestrator")
        async with self._execution_lock:
            with anyio.CancelScope(shield=True):
                report = await execute_signal(
                    signal,
                    traders=self.traders,
                    queryers=self.queryers,
                    journal=self.journal,
                    config=self.config,
                    policy=self.policy,
                    clock=self.clock,
                    order_updates=self.order_updates,
                )
        if report.status is ExecutionStatus.UNRESOLVED:
            self._needs_reconcile = True
        return report


__all__ = ["ArbitrageOrchestrator", "CycleReport", "StrategyInputs", "utc_now"]
