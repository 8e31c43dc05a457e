"""Layer 5: one symbol across any number of venues, one cycle at a time.

``run_strategy_cycle`` gathers every venue's rates, positions, markets, books and account
margins at once,
asks the pure decisions in order of urgency (safety, then rebalance, then the funding
hedge) and executes the first signal with leg-safe execution. A venue whose data failed is
passed to the decisions as its ``Failure`` (never as zero) and named in the cycle report.

Opening is refused while reconciliation is not clean (unresolved orders, a position
mismatch, a venue whose positions cannot be read); reducing signals still run, except
while an order's fate is unknown, when nothing trades at all. A venue whose reading
contradicts the journal is not acted on at all (its position counts as unknown), so no
rebalance or close is computed from a reading reconciliation flagged.

The cycle's inputs and how they are fetched: :mod:`~atomic_fp.orchestration.cycle_inputs`;
its report: :mod:`~atomic_fp.orchestration.cycle_report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TypeVar

import anyio
import attrs
from returns.result import Failure

from atomic_fp.aggregators import DEFAULT_TIMEOUT, check_key
from atomic_fp.decisions.cycle import CycleDecision, decide_cycle
from atomic_fp.models import ArbitrageConfig, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.cycle_inputs import (
    RateEstimator,
    StrategyInputs,
    gather_strategy_inputs,
)
from atomic_fp.orchestration.cycle_report import CycleReport
from atomic_fp.orchestration.execution import ExecutionPolicy, execute_signal
from atomic_fp.orchestration.journal import ExecutionJournal, MemoryJournal
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.pushed_rates import PushedRateSource
from atomic_fp.orchestration.reconcile import reconcile
from atomic_fp.orchestration.report import (
    ExecutionReport,
    ExecutionStatus,
    ReconciliationReport,
)
from atomic_fp.orchestration.validity import Clock


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


Operations = TypeVar("Operations", AtomicQueryer, AtomicTrader)


def _keyed(
    items: Iterable[Operations]
    | Mapping[str, Operations]
    | Mapping[ExchangeIdentifier, Operations],
    what: str,
) -> dict[ExchangeIdentifier, Operations]:
    """By venue; a mapping's keys must name their items' venues (``check_key``)."""
    pairs: Iterable[tuple[ExchangeIdentifier | str | None, Operations]] = (
        items.items() if isinstance(items, Mapping) else ((None, item) for item in items)
    )
    keyed: dict[ExchangeIdentifier, Operations] = {}
    for key, item in pairs:
        if not isinstance(item, (AtomicQueryer, AtomicTrader)):
            raise TypeError(f"{what} must be AtomicQueryer/AtomicTrader, got {item!r}")
        if key is not None:
            check_key(key, item.exchange, what)
        if item.exchange in keyed:
            raise ValueError(f"two {what} for venue {item.exchange}")
        keyed[item.exchange] = item
    return keyed




class ArbitrageOrchestrator:
    """Runs the strategy for one symbol over the given venues.

    ``queryers``/``traders`` are :class:`~atomic_fp.operations.AtomicQueryer`/
    :class:`~atomic_fp.operations.AtomicTrader` for ``symbol``: a sequence, or a mapping by
    venue name as the seed writes it (``{"grvt": AtomicQueryer(grvt_client, symbol)}``; a
    key contradicting its client's venue id is a ``ValueError``). A mapping is read afresh
    each cycle, so the seed's "adding an exchange" works as written: after
    ``queryers["binance"] = AtomicQueryer(binance_client, symbol)`` (and the trader) the next
    cycle sees Binance; a changed venue set is reconciled before anything trades.
    ``journal`` defaults to an in-memory one (nothing survives a restart: give a
    ``SqliteJournal`` for live trading). ``clock`` is the only source of "now".
    ``rate_estimator`` (optional) replaces the fetched rates by the configured estimator's
    before the decisions see them (see :data:`RateEstimator`). ``rate_source`` (optional)
    supplies pushed rates from market streams; REST answers for every venue it cannot.
    """

    def __init__(
        self,
        *,
        queryers: Iterable[AtomicQueryer]
        | Mapping[str, AtomicQueryer]
        | Mapping[ExchangeIdentifier, AtomicQueryer],
        traders: Iterable[AtomicTrader]
        | Mapping[str, AtomicTrader]
        | Mapping[ExchangeIdentifier, AtomicTrader],
        config: ArbitrageConfig,
        symbol: Symbol,
        journal: ExecutionJournal | None = None,
        policy: ExecutionPolicy | None = None,
        clock: Clock | None = None,
        query_timeout: float | None = DEFAULT_TIMEOUT,
        book_depth: int = 20,
        rate_estimator: RateEstimator | None = None,
        order_updates: OrderUpdateBook | None = None,
        rate_source: PushedRateSource | None = None,
    ) -> None:
        self._queryer_source = queryers if isinstance(queryers, Mapping) else tuple(queryers)
        self._trader_source = traders if isinstance(traders, Mapping) else tuple(traders)
        self.config = config
        self.symbol = symbol
        self.queryers  # noqa: B018 (validates now: a bad key or symbol fails at construction)
        self.traders  # noqa: B018
        self.journal: ExecutionJournal = journal if journal is not None else MemoryJournal()
        self.policy = policy if policy is not None else ExecutionPolicy()
        self.clock: Clock = clock if clock is not None else utc_now
        self.query_timeout = query_timeout
        self.book_depth = book_depth
        self.rate_estimator = rate_estimator
        self.order_updates = order_updates
        """Fed by account streams: ambiguous orders settle as soon as a fill is pushed."""
        self.rate_source = rate_source
        """Market streams: rates pushed (fresh, stream live) are used without a REST call
        (see :mod:`atomic_fp.orchestration.pushed_rates`)."""
        self.last_reconciliation: ReconciliationReport | None = None
        self._needs_reconcile = True
        self._reconciled_venues: frozenset[ExchangeIdentifier] = frozenset()
        self._execution_lock = anyio.Lock()

    @property
    def queryers(self) -> dict[ExchangeIdentifier, AtomicQueryer]:
        """The queryers by venue, as given now (a mapping given is read afresh)."""
        return self._checked(_keyed(self._queryer_source, "queryers"))

    @property
    def traders(self) -> dict[ExchangeIdentifier, AtomicTrader]:
        """The traders by venue, as given now (a mapping given is read afresh)."""
        return self._checked(_keyed(self._trader_source, "traders"))

    def _checked(
        self, keyed: dict[ExchangeIdentifier, Operations]
    ) -> dict[ExchangeIdentifier, Operations]:
        for item in keyed.values():
            if item.symbol != self.symbol:
                raise ValueError(f"{item!r} is for {item.symbol}, not {self.symbol}")
        return keyed

    @property
    def venues(self) -> frozenset[ExchangeIdentifier]:
        return frozenset(self.queryers) | frozenset(self.traders)

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
    def contradicted_venues(self) -> dict[ExchangeIdentifier, str]:
        """Venues whose reading of this symbol the last reconciliation found contradicting
        the journal: no decision acts on their readings (fail closed) until a clean
        reconciliation or an operator's ``accept_venue_positions``."""
        if self.last_reconciliation is None:
            return {}
        return {
            d.exchange: f"journal/venue mismatch: {d.describe()}"
            for d in self.last_reconciliation.differences
            if d.symbol == self.symbol
        }

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
        self._reconciled_venues = self.venues
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

    async def gather_inputs(self) -> StrategyInputs:
        """Rates, positions, markets and books of every venue, all at once."""
        return await gather_strategy_inputs(
            self.symbol,
            self.queryers,
            at=self.clock(),
            query_timeout=self.query_timeout,
            book_depth=self.book_depth,
            rate_source=self.rate_source,
            rate_estimator=self.rate_estimator,
        )

    # ------------------------------------------------------------------ cycle

    async def run_strategy_cycle(self) -> CycleReport:
        """One cycle: reconcile if needed, gather, decide, execute at most one signal."""
        reconciliation = None
        if self._needs_reconcile or self.venues != self._reconciled_venues:
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
            quotes={
                str(venue): market.unwrap().settle_asset
                for venue, market in inputs.markets.items()
                if not isinstance(market, Failure)
            },
            margins={
                venue: margin.unwrap()
                for venue, margin in inputs.margins.items()
                if not isinstance(margin, Failure)
            },
            rate_sources={str(venue): text for venue, text in inputs.rate_sources.items()},
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
            margins=inputs.margins,
            books=inputs.books,
            config=self.config,
            now=inputs.at,
            open_blocked=self.open_blocked if apply_reconciliation else (),
            blocked_venues=self.blocked_venues if apply_reconciliation else {},
            contradicted=self.contradicted_venues if apply_reconciliation else {},
        )

    def _blocked_reasons(self) -> tuple[str, ...]:
        return (
            self.open_blocked
            + tuple(f"no opening on {venue}: {why}" for venue, why in self.blocked_venues.items())
            + tuple(
                f"{venue} {self.symbol} reading not acted on ({why})"
                for venue, why in self.contradicted_venues.items()
            )
        )

    async def execute_signal(self, signal: TradingSignal) -> ExecutionReport:
        """Execute one signal, legs concurrently, with the bounded residual policy. A signal
        naming no symbol (the seed's ``TradingSignal(legs=[...], reason=...)``) is executed
        for this orchestrator's symbol.

        Shielded from cancellation: once the first intent is journaled the execution runs
        to its report (each venue call is bounded by ``policy.order_timeout``), so a
        stopping runner never leaves a leg half-done and unjournaled.
        """
        if signal.symbol is not None and signal.symbol != self.symbol:
            raise ValueError(f"signal for {signal.symbol} given to the {self.symbol} orchestrator")
        signal = signal.for_symbol(self.symbol)  # an unbound (seed-style) signal is ours
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


__all__ = [
    "ArbitrageOrchestrator",
    "CycleReport",
    "RateEstimator",
    "StrategyInputs",
    "utc_now",
]
