"""Leg-safe execution of one signal.

The sequence, for a fresh signal:

1. *Preflight*: every leg gets its venue's market, a reference price and a slippage-capped
   IOC limit price rounded to the tick in the safe direction. If any leg cannot be priced
   or sized, nothing is sent (``REFUSED``).
2. *Entry*: the signal, then each order's intent, are journaled; all legs are sent
   concurrently (one task group), each with the deterministic client order id
   ``signal.client_order_id(leg, attempt)``.
3. Each answer is classified (:class:`~atomic_fp.orchestration.report.LegOutcome`). An
   ambiguous one (timeout, 5xx, an unreadable answer to a write) is resolved right away by
   looking the order up by its client id: found = its real fill; ``OrderNotFound`` = it
   never arrived (so a retry with the *next* attempt id cannot double it). A live (non-IOC
   or stuck) order is cancelled and read back.
4. *Retry the short side*: while some leg filled a smaller fraction of its target than the
   best-filled leg, that leg is retried for the difference, up to ``max_retries`` rounds.
5. *Unwind the excess*: whatever is still unbalanced is reduced with reduce-only IOC orders
   on the over-filled legs, up to ``max_unwind_rounds`` rounds.
6. The residual left (zero, under one lot, or a failure to unwind) is stated in the report
   and in the journal. While any order's fate is unknown nothing is retried or unwound on
   the strength of a guess: the report is ``UNRESOLVED`` and reconciliation takes over.

:func:`resume_signal` runs steps 3-6 for a signal the journal holds as unfinished (the
process died mid-execution), from the journaled orders: no order is ever re-sent under an
id the venue may already hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    NotSent,
    NotSupported,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    Order,
    OrderRequest,
    OrderStatus,
    Side,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.journal import ExecutionJournal, JournaledOrder, OrderIntent
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.pricing import capped_limit_price, floor_to
from atomic_fp.orchestration.report import (
    RETRY_ATTEMPTS,
    UNWIND_ATTEMPTS,
    ExecutionReport,
    ExecutionStatus,
    LegOutcome,
    LegSummary,
    OrderAttempt,
    OrderPurpose,
)

Clock = Callable[[], datetime]


@attrs.frozen
class ExecutionPolicy:
    """Bounds of the residual policy and of the waits around orders."""

    max_retries: int = 2
    """Rounds of retrying the short side."""
    max_unwind_rounds: int = 2
    """Rounds of reduce-only unwinds of the excess."""
    retry_rejected: bool = True
    """Retry a leg the venue rejected (a rejection can be transient: margin, rate limit)."""
    order_timeout: float = 10.0
    """Seconds an order call may take; past that the order is ambiguous."""
    lookup_attempts: int = 3
    """Lookups by client id to resolve one ambiguous order."""
    lookup_delay: float = 0.5
    """Seconds before each lookup (gives a late order time to reach the venue's book, so
    'not found' means it never arrived)."""
    unwind_slippage_factor: Decimal = Decimal(2)
    """Unwinds accept this multiple of the configured slippage cap: closing exposure
    matters more than its price."""


_NOT_SENT = (NotSent, InvalidRequest, NotConfigured, NotSupported)
_REJECTED = (VenueRejected, UnknownSymbol, AuthenticationError, RateLimited)


def classify(
    result: Result[Order, VenueError],
) -> tuple[LegOutcome, Order | None, VenueError | None]:
    """One order call's answer as a leg outcome. An answer that is not understood is
    ambiguous: the venue may have acted."""
    if isinstance(result, Failure):
        error = result.failure()
        if isinstance(error, _NOT_SENT):
            return LegOutcome.NOT_SENT, None, error
        if isinstance(error, _REJECTED):
            return LegOutcome.REJECTED, None, error
        return LegOutcome.AMBIGUOUS, None, error
    order = result.unwrap()
    if not order.status.is_terminal:
        return LegOutcome.AMBIGUOUS, order, None
    if order.filled_size > 0 and (order.status is OrderStatus.FILLED or order.remaining == 0):
        return LegOutcome.FILLED, order, None
    if order.filled_size > 0:
        return LegOutcome.PARTIALLY_FILLED, order, None
    return LegOutcome.REJECTED, order, None


@attrs.define
class LegState:
    """Mutable progress of one leg during one execution."""

    index: int
    leg: TradeLeg
    market: Market
    trader: AtomicTrader
    limit_price: Decimal
    unwind_price: Decimal
    filled: Decimal = Decimal(0)
    unwound: Decimal = Decimal(0)
    next_attempt: int = 0
    next_unwind: int = UNWIND_ATTEMPTS.start
    last_outcome: LegOutcome | None = None
    unresolved: list[str] = attrs.field(factory=list)

    @property
    def target(self) -> Decimal:
        return self.leg.size

    @property
    def held(self) -> Decimal:
        return self.filled - self.unwound

    @property
    def fraction(self) -> Decimal:
        return self.held / self.target

    @property
    def net_base(self) -> Decimal:
        return self.held * self.leg.side.sign * self.market.contract_multiplier

    def summary(self) -> LegSummary:
        return LegSummary(
            leg_index=self.index,
            exchange=self.leg.exchange,
            target_size=self.target,
            filled_size=self.filled,
            unwound_size=self.unwound,
            net_base=self.net_base,
            unresolved=tuple(self.unresolved),
        )


async def prepare_legs(
    signal: TradingSignal,
    traders: Mapping[ExchangeIdentifier, AtomicTrader],
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    config: ArbitrageConfig,
    policy: ExecutionPolicy,
) -> Result[list[LegState], str]:
    """Preflight: market, reference and limit price for every leg, concurrently. Any
    problem refuses the whole signal before anything is sent."""
    problems: list[str] = []
    states: dict[int, LegState] = {}

    async def one(index: int, leg: TradeLeg) -> None:
        trader = traders.get(leg.exchange)
        queryer = queryers.get(leg.exchange)
        if trader is None or queryer is None:
            problems.append(f"leg {index}: no trader/queryer for venue {leg.exchange}")
            return
        if leg.symbol != trader.symbol:
            problems.append(f"leg {index}: symbol {leg.symbol} but trader trades {trader.symbol}")
            return
        market_result = await queryer.market()
        if isinstance(market_result, Failure):
            problems.append(f"leg {index}: market unknown: {market_result.failure()}")
            return
        market = market_result.unwrap()
        if leg.contract_multiplier != market.contract_multiplier:
            problems.append(
                f"leg {index}: multiplier {leg.contract_multiplier} != venue's "
                f"{market.contract_multiplier}"
            )
            return
        if leg.size % market.lot_size != 0 or leg.size < market.min_size:
            problems.append(
                f"leg {index}: size {leg.size} invalid on {leg.exchange} "
                f"(lot {market.lot_size}, min {market.min_size})"
            )
            return
        reference = leg.reference_price
        if reference is None:
            book = await queryer.order_book(depth=1)
            if isinstance(book, Failure):
                problems.append(f"leg {index}: no reference price: {book.failure()}")
                return
            reference = book.unwrap().best_ask if leg.side is Side.BUY else book.unwrap().best_bid
            if reference is None:
                problems.append(f"leg {index}: no reference price: empty book side")
                return
        limit = capped_limit_price(leg.side, reference, config.slippage_cap, market.tick_size)
        unwind_cap = config.slippage_cap * policy.unwind_slippage_factor
        unwind = capped_limit_price(leg.side.opposite, reference, unwind_cap, market.tick_size)
        if limit is None or unwind is None:
            problems.append(f"leg {index}: no positive limit price from {reference}")
            return
        states[index] = LegState(index, leg, market, trader, limit, unwind)

    async def bounded(index: int, leg: TradeLeg) -> None:
        with anyio.move_on_after(policy.order_timeout):
            await one(index, leg)
            return
        problems.append(
            f"leg {index}: {leg.exchange} did not answer within {policy.order_timeout} s"
        )

    async with anyio.create_task_group() as group:
        for index, leg in enumerate(signal.legs):
            group.start_soon(bounded, index, leg)
    if problems:
        return Failure("; ".join(sorted(problems)))
    return Success([states[i] for i in range(len(signal.legs))])


async def resolve_order(
    trader: AtomicTrader,
    cid: str,
    order: Order | None,
    policy: ExecutionPolicy,
    *,
    updates: OrderUpdateBook | None = None,
    request: OrderRequest | None = None,
) -> tuple[LegOutcome, Order | None, VenueError | None]:
    """Settle an ambiguous order by its client id (cancelling it first if it is live).

    ``OrderNotFound`` means the venue never received it (``NOT_SENT``): after
    ``lookup_delay`` a real venue has either booked the order or never will. With an
    account stream (``updates``), each wait before a lookup listens to it: a terminal
    update pushed for ``cid`` settles the order without (or before) the lookup.
    """
    last_error: VenueError | None = None
    for attempt in range(max(1, policy.lookup_attempts)):
        if order is not None and not order.status.is_terminal:
            with anyio.move_on_after(policy.order_timeout):
                await trader.cancel_order(cid)
            order = None
        if attempt > 0 or policy.lookup_delay > 0:
            if updates is not None and request is not None:
                with anyio.move_on_after(policy.lookup_delay):
                    pushed = await updates.wait_terminal(trader.exchange, cid)
                    return classify(Success(pushed.as_order(request)))
            else:
                await anyio.sleep(policy.lookup_delay)
        found: Result[Order, VenueError] = Failure(
            Ambiguous(str(trader.exchange), f"lookup of {cid} timed out")
        )
        with anyio.move_on_after(policy.order_timeout):
            found = await trader.fetch_order(cid)
        if isinstance(found, Failure):
            last_error = found.failure()
            if isinstance(last_error, OrderNotFound):
                return LegOutcome.NOT_SENT, None, last_error
            continue
        outcome, order, _ = classify(found)
        if outcome is not LegOutcome.AMBIGUOUS:
            return outcome, order, None
    return LegOutcome.AMBIGUOUS, order, last_error


class SignalExecution:
    """One execution (or resumption) of one signal. Not reusable."""

    def __init__(
        self,
        signal: TradingSignal,
        legs: Sequence[LegState],
        journal: ExecutionJournal,
        policy: ExecutionPolicy,
        clock: Clock,
        order_updates: OrderUpdateBook | None = None,
    ) -> None:
        self.order_updates = order_updates
        self.signal = signal
        self.legs = list(legs)
        self.journal = journal
        self.policy = policy
        self.clock = clock
        self.attempts: list[OrderAttempt] = []
        self.actions: list[str] = []

    # ------------------------------------------------------------------ orders

    def _plan(
        self,
        state: LegState,
        attempt: int,
        purpose: OrderPurpose,
        side: Side,
        size: Decimal,
        price: Decimal,
        reduce_only: bool,
    ) -> OrderIntent:
        cid = self.signal.client_order_id(state.index, attempt)
        request = state.trader.request(side, size, cid, limit_price=price, reduce_only=reduce_only)
        return OrderIntent(
            signal_id=self.signal.signal_id,
            leg_index=state.index,
            attempt=attempt,
            purpose=purpose,
            request=request,
            contract_multiplier=state.market.contract_multiplier,
            recorded_at=self.clock(),
        )

    async def _round(self, intents: Sequence[OrderIntent]) -> list[OrderAttempt]:
        """Journal every intent of the round, then send them all at once. A journal
        failure raises before anything of the round has been sent."""
        for intent in intents:
            await self.journal.record_intent(intent)
        records: dict[int, OrderAttempt] = {}

        async def send(position: int, intent: OrderIntent) -> None:
            records[position] = await self._submit(self.legs[intent.leg_index], intent)

        async with anyio.create_task_group() as group:
            for position, intent in enumerate(intents):
                group.start_soon(send, position, intent)
        return [records[i] for i in range(len(intents))]

    async def _submit(self, state: LegState, intent: OrderIntent) -> OrderAttempt:
        request = intent.request
        cid = request.client_order_id
        result: Result[Order, VenueError] = Failure(
            Ambiguous(str(state.leg.exchange), f"no answer within {self.policy.order_timeout} s")
        )
        with anyio.move_on_after(self.policy.order_timeout):
            result = await state.trader.place_order(request)
        outcome, order, error = classify(result)
        looked_up = False
        if outcome is LegOutcome.AMBIGUOUS:
            outcome, order, lookup_error = await resolve_order(
                state.trader, cid, order, self.policy, updates=self.order_updates, request=request
            )
            looked_up = True
            error = lookup_error or error
        await self.journal.record_outcome(cid, outcome, order, error, self.clock())
        record = OrderAttempt(
            leg_index=state.index,
            attempt=intent.attempt,
            purpose=intent.purpose,
            request=request,
            outcome=outcome,
            order=order,
            error=error,
            looked_up=looked_up,
        )
        self._apply(state, intent.purpose, record)
        self.attempts.append(record)
        return record

    def _apply(self, state: LegState, purpose: OrderPurpose, record: OrderAttempt) -> None:
        if purpose is OrderPurpose.UNWIND:
            state.unwound += record.filled_size
        else:
            state.filled += record.filled_size
            state.last_outcome = record.outcome
        if record.outcome is LegOutcome.AMBIGUOUS:
            state.unresolved.append(record.client_order_id)

    async def resolve_journaled(self, orders: Sequence[JournaledOrder]) -> None:
        """Resume: fold journaled orders into the legs, resolving any whose outcome was
        never recorded (or was ambiguous) by looking it up on the venue."""
        for journaled in orders:
            intent = journaled.intent
            state = self.legs[intent.leg_index]
            if intent.purpose is OrderPurpose.UNWIND:
                state.next_unwind = max(state.next_unwind, intent.attempt + 1)
            else:
                state.next_attempt = max(state.next_attempt, intent.attempt + 1)
            if journaled.is_resolved:
                assert journaled.outcome is not None
                self._fold(state, intent.purpose, journaled.outcome, journaled.filled_size)
                continue
            outcome, order, error = await resolve_order(
                state.trader, intent.client_order_id, None, self.policy
            )
            await self.journal.record_outcome(
                intent.client_order_id, outcome, order, error, self.clock()
            )
            record = OrderAttempt(
                leg_index=intent.leg_index,
                attempt=intent.attempt,
                purpose=intent.purpose,
                request=intent.request,
                outcome=outcome,
                order=order,
                error=error,
                looked_up=True,
            )
            self.attempts.append(record)
            self._apply(state, intent.purpose, record)
            self.actions.append(f"resolved journaled order {record.describe()}")

    def _fold(
        self, state: LegState, purpose: OrderPurpose, outcome: LegOutcome, filled: Decimal
    ) -> None:
        if purpose is OrderPurpose.UNWIND:
            state.unwound += filled
        else:
            state.filled += filled
            state.last_outcome = outcome

    # ------------------------------------------------------------------ phases

    async def entry(self) -> None:
        await self.journal.record_signal(self.signal, self.clock())
        intents = []
        for state in self.legs:
            state.next_attempt = 1
            intents.append(
                self._plan(
                    state,
                    0,
                    OrderPurpose.ENTRY,
                    state.leg.side,
                    state.leg.size,
                    state.limit_price,
                    state.leg.reduce_only,
                )
            )
        await self._round(intents)

    def _blocked(self) -> bool:
        return any(state.unresolved for state in self.legs)

    async def retry_short_side(self) -> None:
        for _ in range(self.policy.max_retries):
            if self._blocked():
                return
            best = max(self.legs, key=lambda state: state.fraction)
            if best.held <= 0:
                return
            wants: list[tuple[LegState, Decimal]] = []
            for state in self.legs:
                # best.held / best.target of this leg's target, without rounding the ratio.
                matched = best.held * state.target / best.target
                want = floor_to(matched, state.market.lot_size) - state.held
                if want <= 0 or want < state.market.min_size:
                    continue
                if state.last_outcome is LegOutcome.REJECTED and not self.policy.retry_rejected:
                    continue
                if state.next_attempt not in RETRY_ATTEMPTS:
                    self.actions.append(f"leg {state.index}: retry ids exhausted")
                    continue
                wants.append((state, want))
            if not wants:
                return

            intents = []
            for state, size in wants:
                intents.append(
                    self._plan(
                        state,
                        state.next_attempt,
                        OrderPurpose.RETRY,
                        state.leg.side,
                        size,
                        state.limit_price,
                        state.leg.reduce_only,
                    )
                )
                state.next_attempt += 1
            for record in await self._round(intents):
                self.actions.append(
                    f"retried short leg {record.leg_index} on {record.request.exchange} for "
                    f"{record.request.size}: {record.outcome.value} ({record.filled_size} filled)"
                )

    async def unwind_excess(self) -> None:
        for _ in range(self.policy.max_unwind_rounds):
            if self._blocked():
                return
            least = min(self.legs, key=lambda state: state.fraction)
            excess: list[tuple[LegState, Decimal]] = []
            for state in self.legs:
                matched = least.held * state.target / least.target
                size = floor_to(state.held - matched, state.market.lot_size)
                if size <= 0 or size < state.market.min_size:
                    continue
                if state.leg.reduce_only:
                    self.actions.append(
                        f"leg {state.index} on {state.leg.exchange} over-filled by {size} but "
                        "is a reducing leg: not re-opened; residual left for rebalancing"
                    )
                    continue
                if state.next_unwind not in UNWIND_ATTEMPTS:
                    self.actions.append(f"leg {state.index}: unwind ids exhausted")
                    continue
                excess.append((state, size))
            if not excess:
                return

            intents = []
            for state, size in excess:
                intents.append(
                    self._plan(
                        state,
                        state.next_unwind,
                        OrderPurpose.UNWIND,
                        state.leg.side.opposite,
                        size,
                        state.unwind_price,
                        True,
                    )
                )
                state.next_unwind += 1
            for record in await self._round(intents):
                self.actions.append(
                    f"unwound excess of leg {record.leg_index} on {record.request.exchange}: "
                    f"reduce-only {record.request.side.value} {record.request.size}: "
                    f"{record.outcome.value} ({record.filled_size} filled)"
                )

    # ------------------------------------------------------------------ result

    def report(self, *, recovered: bool = False) -> ExecutionReport:
        least = min(self.legs, key=lambda state: state.fraction)
        level = max(least.fraction, Decimal(0))
        # The exposure beyond what executing ``level`` of every leg would leave: per leg,
        # what it holds minus its matched share (computed without rounding the ratio, so a
        # fully matched execution is exactly zero).
        residual = sum(
            (
                (state.held - least.held * state.target / least.target)
                * state.leg.side.sign
                * state.market.contract_multiplier
                for state in self.legs
            ),
            Decimal(0),
        )
        unresolved = [cid for state in self.legs for cid in state.unresolved]
        if unresolved:
            status = ExecutionStatus.UNRESOLVED
            message = (
                f"order(s) {', '.join(unresolved)} could not be resolved by client id; "
                "exposure is unknown until reconciliation resolves them; no new positions"
            )
        elif residual != 0:
            status = ExecutionStatus.RESIDUAL
            lots = ", ".join(f"{s.leg.exchange} lot {s.market.base_lot}" for s in self.legs)
            message = (
                f"UNHEDGED RESIDUAL {residual} {self.signal.symbol.base} remains after the "
                f"residual policy ({lots}); recorded in the journal"
            )
        elif all(state.held == state.target for state in self.legs):
            status, message = ExecutionStatus.COMPLETE, "all legs filled"
        elif all(state.held == 0 for state in self.legs):
            status, message = ExecutionStatus.NOT_EXECUTED, "nothing filled; no exposure"
        else:
            status = ExecutionStatus.PARTIAL
            message = f"executed {level} of the signal; legs balanced"
        return ExecutionReport(
            signal=self.signal,
            status=status,
            attempts=tuple(self.attempts),
            legs=tuple(state.summary() for state in self.legs),
            residual_base=residual,
            executed_fraction=level,
            actions=tuple(self.actions),
            message=message,
            recovered=recovered,
        )


def refused(signal: TradingSignal, why: str) -> ExecutionReport:
    return ExecutionReport(
        signal=signal,
        status=ExecutionStatus.REFUSED,
        attempts=(),
        legs=(),
        residual_base=Decimal(0),
        executed_fraction=Decimal(0),
        message=f"refused before sending anything: {why}",
    )


async def execute_signal(
    signal: TradingSignal,
    *,
    traders: Mapping[ExchangeIdentifier, AtomicTrader],
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    journal: ExecutionJournal,
    config: ArbitrageConfig,
    policy: ExecutionPolicy,
    clock: Clock,
    order_updates: OrderUpdateBook | None = None,
) -> ExecutionReport:
    """Execute ``signal`` with the residual policy; see the module docstring.

    A signal the journal already holds is refused: the same decision on the same data has
    the same id, and its orders' ids are already taken (finishing an *unfinished* one is
    reconciliation's job, :func:`resume_signal`)."""
    if await journal.knows_signal(signal.signal_id):
        return refused(signal, f"signal {signal.signal_id} is already in the journal")
    prepared = await prepare_legs(signal, traders, queryers, config, policy)
    if isinstance(prepared, Failure):
        report = refused(signal, prepared.failure())
        await journal.record_signal(signal, clock())
        await journal.finish_signal(
            signal.signal_id, report.status, Decimal(0), report.message, clock()
        )
        return report
    run = SignalExecution(signal, prepared.unwrap(), journal, policy, clock, order_updates)
    await run.entry()
    await run.retry_short_side()
    await run.unwind_excess()
    report = run.report()
    await _finish(journal, report, clock)
    return report


async def resume_signal(
    signal: TradingSignal,
    orders: Sequence[JournaledOrder],
    *,
    traders: Mapping[ExchangeIdentifier, AtomicTrader],
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    journal: ExecutionJournal,
    config: ArbitrageConfig,
    policy: ExecutionPolicy,
    clock: Clock,
) -> ExecutionReport:
    """Finish a signal the journal holds as unfinished: resolve its orders by client id,
    then apply the same residual policy. Entries that never went out are not re-sent
    unless another leg filled (then they are the short side, retried under new ids)."""
    prepared = await prepare_legs(signal, traders, queryers, config, policy)
    if isinstance(prepared, Failure):
        return attrs.evolve(
            refused(signal, prepared.failure()),
            status=ExecutionStatus.UNRESOLVED,
            message=f"cannot resume yet: {prepared.failure()}",
            recovered=True,
        )
    run = SignalExecution(signal, prepared.unwrap(), journal, policy, clock)
    await run.resolve_journaled(orders)
    await run.retry_short_side()
    await run.unwind_excess()
    report = run.report(recovered=True)
    await _finish(journal, report, clock)
    return report


async def _finish(journal: ExecutionJournal, report: ExecutionReport, clock: Clock) -> None:
    if report.status is ExecutionStatus.UNRESOLVED:
        # Left open on purpose: reconciliation resumes it once the orders are resolved.
        return
    await journal.finish_signal(
        report.signal_id, report.status, report.residual_base, report.message, clock()
    )


__all__ = [
    "ExecutionPolicy",
    "LegState",
    "SignalExecution",
    "classify",
    "execute_signal",
    "prepare_legs",
    "refused",
    "resolve_order",
    "resume_signal",
]
