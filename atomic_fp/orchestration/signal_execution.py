"""Steps 2, 4 and 5 of a signal's execution (see :mod:`~atomic_fp.orchestration.execution`):
the entry round, retrying the short side, unwinding the excess, each round honouring the
venues' ``Retry-After``; nothing is retried or unwound while an order's fate is unknown or
the journal cannot record."""

from __future__ import annotations

from decimal import Decimal

from atomic_fp.orchestration.execution_result import execution_report
from atomic_fp.orchestration.leg_orders import LegOrders
from atomic_fp.orchestration.preflight import LegState
from atomic_fp.orchestration.pricing import floor_to
from atomic_fp.orchestration.report import (
    RETRY_ATTEMPTS,
    UNWIND_ATTEMPTS,
    ExecutionReport,
    LegOutcome,
    OrderPurpose,
)


class SignalExecution(LegOrders):
    """One execution (or resumption) of one signal. Not reusable."""

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

    def report(self, *, recovered: bool = False) -> ExecutionReport:
        return execution_report(self, recovered=recovered)
