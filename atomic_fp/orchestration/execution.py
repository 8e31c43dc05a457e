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

Where each step lives: 1 :mod:`~atomic_fp.orchestration.preflight`; 2-3, one round of
orders and its answers, :mod:`~atomic_fp.orchestration.leg_orders`; 2, 4 and 5 as phases,
:mod:`~atomic_fp.orchestration.signal_execution`; 6, the report,
:mod:`~atomic_fp.orchestration.execution_result`. This module runs them in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs
from returns.result import Failure

from atomic_fp.models import ArbitrageConfig, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.execution_result import refused
from atomic_fp.orchestration.journal import ExecutionJournal, JournaledOrder, JournalUnavailable
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.policy import ExecutionPolicy
from atomic_fp.orchestration.preflight import LegState, prepare_legs
from atomic_fp.orchestration.report import ExecutionReport, ExecutionStatus
from atomic_fp.orchestration.signal_execution import SignalExecution
from atomic_fp.orchestration.validity import Clock, classify, resolve_order


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
