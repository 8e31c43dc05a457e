"""SimpleStrategyRunner: cycles on an interval, clean stop on SIGTERM/SIGINT, no orphan
tasks, and an execution in flight is finished and journaled even when cancelled."""

from __future__ import annotations

import os
import signal
from decimal import Decimal

import anyio
import pytest
import sniffio

from atomic_fp.orchestration import (
    CycleReport,
    ExecutionStatus,
    MemoryJournal,
    SimpleStrategyRunner,
)
from tests.shell.helpers import BTC, hedge, net_base, orchestrator, paper

pytestmark = pytest.mark.anyio

LOW, HIGH = Decimal("0.0001"), Decimal("0.001")


def live_tasks() -> int:
    if sniffio.current_async_library() == "asyncio":
        import asyncio

        return len(asyncio.all_tasks())
    import trio

    def count(task: trio.lowlevel.Task) -> int:
        return 1 + sum(count(child) for n in task.child_nurseries for child in n.child_tasks)

    root = trio.lowlevel.current_root_task()
    assert root is not None
    return count(root)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_stops_the_runner_cleanly(signum: signal.Signals) -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    reports: list[CycleReport] = []

    def on_cycle(report: CycleReport) -> None:
        reports.append(report)
        if len(reports) == 2:
            os.kill(os.getpid(), signum)

    before = live_tasks()
    runner = SimpleStrategyRunner(orchestrator([a, b]), interval=0.01, on_cycle=on_cycle)
    with anyio.fail_after(10):
        summary = await runner.run()
    assert summary.stop_reason == f"received {signum.name}"
    assert summary.cycles == 2 and len(reports) == 2
    assert summary.reconciliations[0].clean
    assert live_tasks() == before  # nothing outlived run()
    assert reports[0].execution is not None


async def test_max_cycles_and_stop() -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    runner = SimpleStrategyRunner(orchestrator([a, b]), interval=0, max_cycles=3)
    summary = await runner.run()
    assert summary.cycles == 3 and summary.stop_reason == "completed 3 cycles"
    stopped = SimpleStrategyRunner(orchestrator([a, b]), interval=60, handle_signals=False)
    stopped.stop("operator")
    assert (await stopped.run()).cycles == 0


async def test_stop_mid_execution_finishes_and_journals_the_legs() -> None:
    a, b = paper("a"), paper("b")
    journal = MemoryJournal()
    orch = orchestrator([a, b], journal=journal)
    for queryer in orch.queryers.values():
        (await queryer.get_market()).unwrap()
    a.faults.latency = b.faults.latency = 0.2
    result = {}

    async def execute() -> None:
        result["report"] = await orch.execute_signal(hedge())

    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as group:
            group.start_soon(execute)
            await anyio.sleep(0.05)  # both legs are in flight
            scope.cancel()
    # The cancellation did not cut the execution in half: it completed and was journaled.
    assert "report" in result
    assert result["report"].status is ExecutionStatus.COMPLETE
    assert net_base([a, b]) == 0
    assert not await journal.open_signals()
    assert (await journal.positions())[(a.exchange, BTC)] == 1
