"""Step 6 of a signal's execution (see :mod:`~atomic_fp.orchestration.execution`): what the
legs hold and the orders did, stated as the :class:`~atomic_fp.orchestration.report.
ExecutionReport` (status, residual, executed fraction, message)."""

from __future__ import annotations

from decimal import Decimal

from atomic_fp.models import TradingSignal
from atomic_fp.orchestration.journal import JournalUnavailable
from atomic_fp.orchestration.leg_orders import LegOrders
from atomic_fp.orchestration.report import ExecutionReport, ExecutionStatus


def execution_report(run: LegOrders, *, recovered: bool = False) -> ExecutionReport:
    least = min(run.legs, key=lambda state: state.fraction)
    level = max(least.fraction, Decimal(0))
    # The exposure beyond what executing ``level`` of every leg would leave: per leg,
    # what it holds minus its matched share (computed without rounding the ratio, so a
    # fully matched execution is exactly zero).
    residual = sum(
        (
            (state.held - least.held * state.target / least.target)
            * state.leg.side.sign
            * state.market.contract_multiplier
            for state in run.legs
        ),
        Decimal(0),
    )
    unresolved = [cid for state in run.legs for cid in state.unresolved]
    if run.journal_failure is not None:
        status, message = _journal_failed(run, run.journal_failure)
    elif unresolved:
        status = ExecutionStatus.UNRESOLVED
        message = (
            f"order(s) {', '.join(unresolved)} could not be resolved by client id; "
            "exposure is unknown until reconciliation resolves them; no new positions"
        )
    elif residual != 0:
        status = ExecutionStatus.RESIDUAL
        lots = ", ".join(f"{s.leg.exchange} lot {s.market.base_lot}" for s in run.legs)
        message = (
            f"UNHEDGED RESIDUAL {residual} {run.signal.bound_symbol.base} remains after the "
            f"residual policy ({lots}); recorded in the journal"
        )
    elif all(state.held == state.target for state in run.legs):
        status, message = ExecutionStatus.COMPLETE, "all legs filled"
    elif all(state.held == 0 for state in run.legs):
        status, message = ExecutionStatus.NOT_EXECUTED, "nothing filled; no exposure"
    else:
        status = ExecutionStatus.PARTIAL
        message = f"executed {level} of the signal; legs balanced"
    return ExecutionReport(
        signal=run.signal,
        status=status,
        attempts=tuple(run.attempts),
        legs=tuple(state.summary() for state in run.legs),
        residual_base=residual,
        executed_fraction=level,
        actions=tuple(run.actions),
        message=message,
        recovered=recovered,
        journal_error=None if run.journal_failure is None else run.journal_failure.describe(),
    )


def _journal_failed(run: LegOrders, failure: JournalUnavailable) -> tuple[ExecutionStatus, str]:
    if not run.attempts:
        return ExecutionStatus.REFUSED, f"refused before sending anything: {failure}"
    in_flight = [
        f"{a.client_order_id} ({a.request.exchange} {a.request.side.value} "
        f"{a.request.size}: {a.outcome.value}, filled {a.filled_size})"
        for a in run.unjournaled
    ] + [
        f"{cid} ({state.leg.exchange}: ambiguous)"
        for state in run.legs
        for cid in state.unresolved
        if cid not in {a.client_order_id for a in run.unjournaled}
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
