"""Start-up reconciliation: journal against venues, the venues being authoritative.

1. Every order the journal holds without a final outcome is looked up on its venue by
   client id under the validity-window rule (:mod:`~atomic_fp.orchestration.validity`):
   found = its real fill is journaled; not found *after* its deadline + margin = it never
   arrived; not found before = still in flight, watched until then.
   Recent orders journaled as never sent are looked up again; one that appeared is
   journaled and its signal resumed (:mod:`~atomic_fp.orchestration.late_fills`).
2. Every signal left unfinished (the process died mid-execution) is resumed with the same
   residual policy as a live execution (:func:`~atomic_fp.orchestration.execution.
   resume_signal`): nothing is re-sent under an id the venue may hold.
3. Journaled positions are compared with the venues' positions. A difference, or a venue
   whose positions cannot be read, makes the report not clean; the orchestrator then opens
   nothing new until a later reconciliation is clean (or an operator adopts the venues'
   figures with :meth:`ArbitrageOrchestrator.accept_venue_positions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from returns.result import Failure

from atomic_fp.aggregators import PositionAggregator
from atomic_fp.models import ArbitrageConfig, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.execution import ExecutionPolicy, resume_signal
from atomic_fp.orchestration.journal import ExecutionJournal
from atomic_fp.orchestration.late_fills import recheck_never_sent
from atomic_fp.orchestration.report import (
    LegOutcome,
    OrderResolution,
    PositionDifference,
    ReconciliationReport,
    UnverifiedVenue,
)
from atomic_fp.orchestration.validity import resolve_order, with_deadline


async def reconcile(
    *,
    symbol: Symbol,
    traders: Mapping[ExchangeIdentifier, AtomicTrader],
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    journal: ExecutionJournal,
    config: ArbitrageConfig,
    policy: ExecutionPolicy,
    clock: Callable[[], datetime],
    query_timeout: float | None,
) -> ReconciliationReport:
    at = clock()
    resolved: list[OrderResolution] = []
    unresolved: list[str] = []
    for journaled in await journal.unresolved_orders(symbol):
        request = journaled.intent.request
        cid = request.client_order_id
        trader = traders.get(request.exchange)
        if trader is None:
            unresolved.append(f"{cid} on {request.exchange} (no trader configured for it)")
            continue
        request = with_deadline(request, journaled.intent.recorded_at)
        outcome, order, error = await resolve_order(trader, request, None, policy, clock)
        if outcome is LegOutcome.AMBIGUOUS:
            why = error.describe() if error is not None else "still live"
            unresolved.append(f"{cid} on {request.exchange} ({why})")
            continue
        await journal.record_outcome(cid, outcome, order, error, clock())
        resolved.append(
            OrderResolution(
                client_order_id=cid,
                exchange=request.exchange,
                outcome=outcome,
                filled_size=order.filled_size if order is not None else Decimal(0),
                detail="(never reached the venue)" if outcome is LegOutcome.NOT_SENT else "",
            )
        )

    late, recovered = await recheck_never_sent(
        symbol=symbol,
        traders=traders,
        queryers=queryers,
        journal=journal,
        config=config,
        policy=policy,
        clock=clock,
    )
    resolved += late
    for signal in await journal.open_signals(symbol):
        orders = await journal.orders_for_signal(signal.signal_id)
        if any(not order.is_resolved for order in orders):
            continue
        recovered.append(
            await resume_signal(
                signal,
                orders,
                traders=traders,
                queryers=queryers,
                journal=journal,
                config=config,
                policy=policy,
                clock=clock,
            )
        )

    journaled_positions = await journal.positions()
    aggregator = PositionAggregator((q.client for q in queryers.values()), query_timeout)
    venue_positions = await aggregator.get_all_positions(symbol)
    differences: list[PositionDifference] = []
    unverified: list[UnverifiedVenue] = []
    for venue, result in venue_positions.items():
        if isinstance(result, Failure):
            unverified.append(UnverifiedVenue(venue, result.failure().describe()))
            continue
        position = result.unwrap()
        venue_base = position.base_size if position is not None else Decimal(0)
        journal_base = journaled_positions.get((venue, symbol), Decimal(0))
        if venue_base != journal_base:
            differences.append(PositionDifference(venue, symbol, journal_base, venue_base))

    report = ReconciliationReport(
        at=at,
        symbol=symbol,
        resolved=tuple(resolved),
        unresolved=tuple(unresolved),
        differences=tuple(differences),
        unverified=tuple(unverified),
        recovered=tuple(recovered),
    )
    await journal.record_reconciliation(report)
    return report


__all__ = ["reconcile"]
