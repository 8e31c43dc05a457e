"""Steps 2-3 of a signal's execution (see :mod:`~atomic_fp.orchestration.execution`): the
orders of one round planned, journaled, prepared (signed) and sent all at once, each answer
classified, an ambiguous one resolved by client id, and every outcome journaled and folded
into its leg's :class:`~atomic_fp.orchestration.preflight.LegState`. On resumption the
journal's orders are folded in the same way (:meth:`LegOrders.resolve_journaled`).

A journal write that fails stops everything after it (nothing more is sent); the orders
whose outcome is known here but not journaled are kept for the report."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import timedelta
from decimal import Decimal

import anyio
import attrs
from returns.result import Failure, Result

from atomic_fp.errors import Ambiguous, VenueError
from atomic_fp.models import Order, Side, TradingSignal
from atomic_fp.orchestration.gc_pause import collection_paused
from atomic_fp.orchestration.journal import (
    ExecutionJournal,
    JournaledOrder,
    JournalUnavailable,
    OrderIntent,
)
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.policy import ExecutionPolicy
from atomic_fp.orchestration.preflight import LegState
from atomic_fp.orchestration.prepare import prepare_round
from atomic_fp.orchestration.report import LegOutcome, OrderAttempt, OrderPurpose
from atomic_fp.orchestration.validity import Clock, classify, resolve_order, with_deadline
from atomic_fp.venue import PreparedOrder


class LegOrders:
    """The legs of one signal and every order sent (or resolved) for them, with what the
    journal could not record."""

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
        return await self._settle(state, intent, outcome, order, error, looked_up=looked_up)

    async def _settle(
        self,
        state: LegState,
        intent: OrderIntent,
        outcome: LegOutcome,
        order: Order | None,
        error: VenueError | None,
        *,
        looked_up: bool,
    ) -> OrderAttempt:
        """Journal an order's outcome and fold it into its leg; an outcome the journal
        could not record leaves the order unresolved (see :meth:`_unjournaled`)."""
        journaled = await self._journaled(
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
            looked_up=looked_up,
        )
        self._apply(state, intent.purpose, record)
        self.attempts.append(record)
        if not journaled:
            self._unjournaled(state, record)
        return record

    def _unjournaled(self, state: LegState, record: OrderAttempt) -> None:
        """An outcome known here but not journaled: the order counts as unresolved (nothing
        more is sent) and the report names it."""
        self.unjournaled.append(record)
        if record.client_order_id not in state.unresolved:
            state.unresolved.append(record.client_order_id)

    def _apply(self, state: LegState, purpose: OrderPurpose, record: OrderAttempt) -> None:
        self._fold(state, purpose, record.outcome, record.filled_size)
        if record.outcome is LegOutcome.AMBIGUOUS:
            state.unresolved.append(record.client_order_id)

    def _fold(
        self, state: LegState, purpose: OrderPurpose, outcome: LegOutcome, filled: Decimal
    ) -> None:
        if purpose is OrderPurpose.UNWIND:
            state.unwound += filled
        else:
            state.filled += filled
            state.last_outcome = outcome

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
            record = await self._settle(state, intent, outcome, order, error, looked_up=True)
            self.actions.append(f"resolved journaled order {record.describe()}")
