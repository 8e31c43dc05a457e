"""SimpleStrategyRunner: strategy cycles on an interval, stopped cleanly by a signal.

On SIGINT or SIGTERM (or :meth:`SimpleStrategyRunner.stop`) the runner finishes the cycle in
progress (executions are shielded and journaled), does not start another, and returns. All
its tasks live in one task group, so nothing outlives :meth:`run`.
"""

from __future__ import annotations

import signal as signals
from collections.abc import Callable, Sequence
from datetime import timedelta

import anyio
import attrs

from atomic_fp.orchestration.orchestrator import ArbitrageOrchestrator, CycleReport
from atomic_fp.orchestration.report import ReconciliationReport


@attrs.frozen
class RunSummary:
    cycles: int
    stop_reason: str
    reconciliations: tuple[ReconciliationReport, ...]


class SimpleStrategyRunner:
    def __init__(
        self,
        orchestrators: ArbitrageOrchestrator | Sequence[ArbitrageOrchestrator],
        interval: float | timedelta,
        *,
        max_cycles: int | None = None,
        on_cycle: Callable[[CycleReport], None] | None = None,
        handle_signals: bool = True,
        on_reconciliation: Callable[[ReconciliationReport], None] | None = None,
    ) -> None:
        self.orchestrators = (
            [orchestrators]
            if isinstance(orchestrators, ArbitrageOrchestrator)
            else list(orchestrators)
        )
        self.interval = interval.total_seconds() if isinstance(interval, timedelta) else interval
        self.max_cycles = max_cycles
        self.on_cycle = on_cycle
        self.on_reconciliation = on_reconciliation
        self.handle_signals = handle_signals
        self._stop_reason: str | None = None
        self._stopped: anyio.Event | None = None

    def stop(self, reason: str = "stop requested") -> None:
        """Ask the runner to stop after the cycle in progress."""
        if self._stop_reason is None:
            self._stop_reason = reason
        if self._stopped is not None:
            self._stopped.set()

    async def _watch_signals(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        with anyio.open_signal_receiver(signals.SIGINT, signals.SIGTERM) as received:
            task_status.started()
            async for signum in received:
                self.stop(f"received {signals.Signals(signum).name}")
                return

    async def run(self) -> RunSummary:
        """Reconcile every orchestrator, then run cycles until stopped or ``max_cycles``."""
        self._stopped = anyio.Event()
        if self._stop_reason is not None:
            self._stopped.set()
        cycles = 0
        reconciliations: list[ReconciliationReport] = []
        async with anyio.create_task_group() as group:
            if self.handle_signals:
                await group.start(self._watch_signals)
            for orchestrator in self.orchestrators:
                reconciliation = await orchestrator.reconcile()
                reconciliations.append(reconciliation)
                if self.on_reconciliation is not None:
                    self.on_reconciliation(reconciliation)
            while self._stop_reason is None:
                for orchestrator in self.orchestrators:
                    report = await orchestrator.run_strategy_cycle()
                    if self.on_cycle is not None:
                        self.on_cycle(report)
                cycles += 1
                if self.max_cycles is not None and cycles >= self.max_cycles:
                    self.stop(f"completed {cycles} cycles")
                    break
                with anyio.move_on_after(self.interval):
                    await self._stopped.wait()
            group.cancel_scope.cancel()
        return RunSummary(
            cycles=cycles,
            stop_reason=self._stop_reason or "stopped",
            reconciliations=tuple(reconciliations),
        )


__all__ = ["RunSummary", "SimpleStrategyRunner"]
