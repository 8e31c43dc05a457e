"""Leg-safe execution of one signal.

The sequence, for a fresh signal:

1. *Preflight*: every leg gets its venue's market, a reference price and a slippage-capped
   IOC limit price rounded to the tick in the safe direction. If any leg cannot be priced
   or sized, nothing is sent (``REFUSED``).
2. *Entry*: the signal, then each order's intent, are journaled; every leg's order is
   prepared (signed) before any is sent (:mod:`~atomic_fp.orchestration.prepare`: a leg
   that cannot be prepared sends nothing on any venue); all legs are sent concurrently
   (one task group, no garbage collection meanwhile:
   :mod:`~atomic_fp.orchestration.gc_pause`), each with the deterministic client order id
   ``signal.client_order_id(leg, attempt)``.
3. Each answer is classified (:class:`~atomic_fp.orchestration.report.LegOutcome`). Every
   order carries a venue-enforced deadline (``expires_at``, ``policy.validity_window``
   after it is planned). An ambiguous answer (timeout, 5xx, ``-1007``, an unreadable
   answer to a write) stays in flight: the order is looked up by its client id until the
   venue shows it (its real fill) or its deadline plus the skew margin and grace has
   passed with the order still unknown (only then ``NOT_SENT``, so a retry with the
   *next* attempt id cannot double it); see :mod:`~atomic_fp.orchestration.validity`.
   A live (non-IOC or stuck) order is cancelled and read back.
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

from collections.abc import Awaitable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

import anyio
import attrs
from returns.result import Failure, Result

from atomic_fp.errors import Ambiguous, VenueError
from atomic_fp.models import (
    ArbitrageConfig,
    Order,
    Side,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.gc_pause import collection_paused
from atomic_fp.orchestration.journal import (
    ExecutionJournal,
    JournaledOrder,
    JournalUnavailable,
    OrderIntent,
)
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.policy import ExecutionPolicy
from atomic_fp.orchestration.preflight import LegState, prepare_legs
from atomic_fp.orchestration.prepare import prepare_round
from atomic_fp.orchestration.pricing import floor_to
from atomic_fp.orchestration.report import (
    RETRY_ATTEMPTS,
    UNWIND_ATTEMPTS,
    ExecutionReport,
    ExecutionStatus,
    LegOutcome,
    OrderAttempt,
    OrderPurpose,
)
from atomic_fp.orchestration.validity import Clock, classify, resolve_order, with_deadline
from atomic_fp.venue import PreparedOrder


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
        """Account streams' pushes: an ambiguous order settles on a pushed fill."""
        self.signal = signal
        self.legs = list(legs)
        self.journal = journal
        self.policy = policy
        self.clock = clock
        self.attempts: list[OrderAttempt] = []
        self.actions: list[str] = []
        self.journal_failure: JournalUnavailable | None = None
        self.unjournaled: list[OrderAttempt] = []
        """Orders whose outcome is known here but could not be journaled."""

    async def _journaled(self, call: Awaitable[None]) -> bool:
        """Await one journal write; a failure stops everything after it (nothing more is
        sent) and is reported, never raised: see :class:`JournalUnavailable`."""
        try:
            await call
        except JournalUnavailable as error:
            self.journal_failure = self.journal_failure or error
            return False
        return True

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
        now = self.clock()
        request = attrs.evolve(
            state.trader.request(side, size, cid, limit_price=price, reduce_only=reduce_only),
            expires_at=now + timedelta(seconds=self.policy.validity_window),
        )
        return OrderIntent(
            signal_id=self.signal.signal_id,
            leg_index=state.index,
            attempt=attempt,
            purpose=purpose,
            request=request,
            contract_multiplier=state.market.contract_multiplier,
            recorded_at=now,
        )

    async def _round(self, intents: Sequence[OrderIntent]) -> list[OrderAttempt]:
        """Journal every intent of the round, prepare (sign) every order of it, then send
        them all at once, so the legs' skew is the network's alone. A journal failure or
        a failed preparation sends nothing of the round (an intent journaled but not
        sent is found "not sent" by the next start's lookup)."""
        for intent in intents:
            if not await self._journaled(self.journal.record_intent(intent)):
                return []
        prepared = await prepare_round(
            [(self.legs[intent.leg_index].trader, intent.request) for intent in intents],
            self.policy.order_timeout,
        )
        records: dict[int, OrderAttempt] = {}
        if isinstance(prepared, Failure):
            # Nothing of the round was sent: each leg's answer is that fact.
            for position, (intent, error) in enumerate(
                zip(intents, prepared.failure(), strict=True)
            ):
                state = self.legs[intent.leg_index]
                records[position] = await self._record(state, intent, Failure(error))
            return [records[i] for i in range(len(intents))]
        ready = prepared.unwrap()

        async def send(position: int, intent: OrderIntent) -> None:
            records[position] = await self._submit(
                self.legs[intent.leg_index], intent, ready[position]
            )

        try:
            with collection_paused():  # a GC pause between the legs' writes is skew
                async with anyio.create_task_group() as group:
                    for position, intent in enumerate(intents):
                        group.start_soon(send, position, intent)
        finally:
            for order in ready:  # a no-op for every order sent; frees one never started
                if order is not None:
                    order.discard()
        return [records[i] for i in range(len(intents))]

    async def _submit(
        self, state: LegState, intent: OrderIntent, prepared: PreparedOrder | None
    ) -> OrderAttempt:
        result: Result[Order, VenueError] = Failure(
            Ambiguous(str(state.leg.exchange), f"no answer within {self.policy.order_timeout} s")
        )
        with anyio.move_on_after(self.policy.order_timeout):
            if prepared is None:
                result = await state.trader.place_order(intent.request)
            else:
                result = await state.trader.send_prepared(prepared)
        return await self._record(state, intent, result)

    async def _record(
        self, state: LegState, intent: OrderIntent, result: Result[Order, VenueError]
    ) -> OrderAttempt:
        request = intent.request
        cid = request.client_order_id
        outcome, order, error = classify(result)
        if error is not None and error.retry_after is not None:
            until = self.clock() + error.retry_after
            state.not_before = until if state.not_before is None else max(state.not_before, until)
        looked_up = False
        if outcome is LegOutcome.AMBIGUOUS:
            outcome, order, lookup_error = await resolve_order(
                state.trader, request, order, self.policy, self.clock, updates=self.order_updates
            )
            looked_up = True
            error = lookup_error or error
        journaled = await self._journaled(
            self.journal.record_outcome(cid, outcome, order, error, self.clock())
        )
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
        if not journaled:
            self._unjournaled(state, record)
        return record

    def _unjournaled(self, state: LegState, record: OrderAttempt) -> None:
        self.unjournaled.append(record)
        if record.client_order_id not in state.unresolved:
            state.unresolved.append(record.client_order_id)

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
                state.trader,
                with_deadline(intent.request, intent.recorded_at),
                None,
                self.policy,
                self.clock,
            )
            recorded = await self._journaled(
                self.journal.record_outcome(
                    intent.client_order_id, outcome, order, error, self.clock()
                )
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
            if not recorded:
                self._unjournaled(state, record)

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
        if not await self._journaled(self.journal.record_signal(self.signal, self.clock())):
            return
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
        return self.journal_failure is not None or any(state.unresolved for state in self.legs)

    async def retry_short_side(self) -> None:
        for _ in range(self.policy.max_retries):
            if self._blocked():
                return
            best = max(self.legs, key=lambda state: state.fraction)
            if best.held <= 0:
                return
            wants: list[tuple[LegState, Decimal]] = []
            for state in self.legs:
                # best.held / best.target of this leg's target, without rounding the ratio;
                # never beyond the target (a leg over-filled, e.g. by a late fill under an
                # id called never sent, is unwound, not matched).
                matched = min(best.held * state.target / best.target, state.target)
                want = floor_to(matched, state.market.lot_size) - state.held
                if want <= 0 or want < state.market.min_size:
                    continue
                if state.last_outcome is LegOutcome.REJECTED and not self.policy.retry_rejected:
                    continue
                if state.next_attempt not in RETRY_ATTEMPTS:
                    self.actions.append(f"leg {state.index}: retry ids exhausted")
                    continue
                wants.append((state, want))
            wants = await self._after_retry_after(wants, "retry")
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
            excess = await self._after_retry_after(excess, "unwind")
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

    async def _after_retry_after(
        self, wants: list[tuple[LegState, Decimal]], what: str
    ) -> list[tuple[LegState, Decimal]]:
        """Honour each venue's ``Retry-After``: wait for it (up to ``max_retry_after``),
        or leave out the legs whose venue asked for longer."""
        now = self.clock()
        kept: list[tuple[LegState, Decimal]] = []
        longest = 0.0
        for state, size in wants:
            wait = 0.0 if state.not_before is None else (state.not_before - now).total_seconds()
            if wait > self.policy.max_retry_after:
                self.actions.append(
                    f"leg {state.index} on {state.leg.exchange}: the venue asked to wait "
                    f"{wait:.0f} s (Retry-After): no {what} from this execution"
                )
                continue
            longest = max(longest, wait)
            kept.append((state, size))
        if kept and longest > 0:
            self.actions.append(f"waited {longest:.1f} s (Retry-After) before the {what}")
            await self.policy.sleep(longest)
        return kept

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
        if self.journal_failure is not None:
            status, message = self._journal_failed(self.journal_failure)
        elif unresolved:
            status = ExecutionStatus.UNRESOLVED
            message = (
                f"order(s) {', '.join(unresolved)} could not be resolved by client id; "
                "exposure is unknown until reconciliation resolves them; no new positions"
            )
        elif residual != 0:
            status = ExecutionStatus.RESIDUAL
            lots = ", ".join(f"{s.leg.exchange} lot {s.market.base_lot}" for s in self.legs)
            message = (
                f"UNHEDGED RESIDUAL {residual} {self.signal.bound_symbol.base} remains after the "
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
            journal_error=None if self.journal_failure is None else self.journal_failure.describe(),
        )

    def _journal_failed(self, failure: JournalUnavailable) -> tuple[ExecutionStatus, str]:
        if not self.attempts:
            return ExecutionStatus.REFUSED, f"refused before sending anything: {failure}"
        in_flight = [
            f"{a.client_order_id} ({a.request.exchange} {a.request.side.value} "
            f"{a.request.size}: {a.outcome.value}, filled {a.filled_size})"
            for a in self.unjournaled
        ] + [
            f"{cid} ({state.leg.exchange}: ambiguous)"
            for state in self.legs
            for cid in state.unresolved
            if cid not in {a.client_order_id for a in self.unjournaled}
        ]
        return ExecutionStatus.UNRESOLVED, (
            f"JOURNAL WRITE FAILED: {failure}; nothing more was sent. Orders in flight "
            f"(outcome not journaled): {', '.join(in_flight) or 'none'}. The next start "
            "looks each one up by client id and resumes the signal."
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
    try:
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
    except JournalUnavailable as error:  # nothing was sent
        return attrs.evolve(refused(signal, str(error)), journal_error=error.describe())
    run = SignalExecution(signal, prepared.unwrap(), journal, policy, clock, order_updates)
    await run.entry()
    await run.retry_short_side()
    await run.unwind_excess()
    return await _finish(journal, run.report(), clock)


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
    return await _finish(journal, run.report(recovered=True), clock)


async def _finish(
    journal: ExecutionJournal, report: ExecutionReport, clock: Clock
) -> ExecutionReport:
    if report.status is ExecutionStatus.UNRESOLVED:
        # Left open on purpose: reconciliation resumes it once the orders are resolved.
        return report
    try:
        await journal.finish_signal(
            report.signal_id, report.status, report.residual_base, report.message, clock()
        )
    except JournalUnavailable as error:
        # Every order's outcome is journaled; only the end is not: the next start finds
        # the signal open and finishes it (resume_signal sends nothing more if balanced).
        return attrs.evolve(
            report,
            journal_error=error.describe(),
            message=f"{report.message}; JOURNAL WRITE FAILED recording the end: {error}",
        )
    return report


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
