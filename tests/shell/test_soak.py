"""Soak drill (What it must show: 8): many executions against paper venues with seeded
random faults on both legs. After every execution the venues' net exposure moved by exactly
the residual the report states (zero, or reported and journaled); at the end the journal
matches the venues and memory stayed flat.

CI runs 300 executions per backend; the full 2,000 are behind ``-m long``.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.journal import SqliteJournal
from adapters.paper import ManualClock, PaperFaults
from atomic_fp.orchestration import ExecutionStatus
from tests.shell.helpers import (
    BTC,
    LOT,
    T0,
    hedge,
    journaled_residuals,
    net_base,
    orchestrator,
    paper,
)

pytestmark = pytest.mark.anyio


def faults(rng: random.Random) -> PaperFaults:
    return PaperFaults(
        reject_probability=0.05,
        timeout_after_fill_probability=0.05,
        drop_probability=0.03,
        partial_fill_probability=0.08,
        partial_fill_ratio=Decimal("0.37"),
        read_failure_probability=0.03,
        rng=rng,
    )


async def soak(tmp_path: Path, cycles: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    clock = ManualClock(T0)
    venues = [
        paper(
            name,
            clock=clock,
            faults=faults(random.Random(rng.random())),
            order_retention=200,
            ledger_retention=200,
            submit_log_size=200,
        )
        for name in ("a", "b")
    ]
    journal = SqliteJournal.open(tmp_path / "soak.db", synchronous="NORMAL").unwrap()
    orch = orchestrator(venues, journal=journal, clock=clock)
    statuses: dict[str, int] = {}
    reported = Decimal(0)
    warm = max(cycles // 5, 150)  # after the venues' bounded histories have filled
    tracemalloc.start()
    baseline = 0
    try:
        for cycle in range(cycles):
            if cycle == warm:
                gc.collect()
                baseline = tracemalloc.get_traced_memory()[0]
            clock.advance(timedelta(seconds=1))
            size = LOT * rng.randint(100, 2000)
            long_venue, short_venue = ("a", "b") if cycle % 2 == 0 else ("b", "a")
            before = net_base(venues)
            # Occasional storms: lookups by client id mostly failing on one venue, or a
            # venue refusing reduce-only orders (so an unwind cannot be done).
            storm = rng.random()
            stormy = venues[rng.randrange(2)]
            if storm < 0.04:
                stormy.faults.read_failure_probability = 0.9
            elif storm < 0.08:
                stormy.faults.reject_reduce_only = True
            report = await orch.execute_signal(hedge(long_venue, short_venue, size, at=clock()))
            stormy.faults.read_failure_probability = 0.03
            stormy.faults.reject_reduce_only = False
            residual = report.residual_base
            if report.status is ExecutionStatus.UNRESOLVED:
                # Exposure unknown: reconciliation resolves the order and finishes the signal.
                recovered = []
                for _ in range(20):
                    rec = await orch.reconcile()
                    recovered += [r for r in rec.recovered if r.signal_id == report.signal_id]
                    if not await journal.open_signals():
                        break
                assert not await journal.open_signals(), "signal never finished"
                residual = recovered[-1].residual_base
                statuses["resolved-later"] = statuses.get("resolved-later", 0) + 1
            statuses[report.status.value] = statuses.get(report.status.value, 0) + 1
            moved = net_base(venues) - before
            assert moved == residual, (cycle, report.describe())
            if residual != 0:
                reported += residual
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    # Every unit of exposure left is one a report stated, and the journal recorded.
    assert net_base(venues) == reported
    assert sum(await journaled_residuals(journal)) == reported
    # The journal matches the venues (positions, nothing unresolved, nothing unfinished).
    for venue in venues:
        venue.faults.clear()
    final = await orch.reconcile()
    assert final.clean, final.describe()
    positions = await journal.positions()
    for venue in venues:
        assert positions.get((venue.exchange, BTC), Decimal(0)) == venue.position_base(BTC)
    await journal.close()
    return {"statuses": statuses, "memory_growth": grown, "residual": reported}


async def run_and_check(tmp_path: Path, cycles: int) -> None:
    started = time.perf_counter()
    # Seed chosen so that 300 cycles exercise every path of the policy (the validity-window
    # watch of issue 13 changed how many random draws a cycle makes; 20260301 no longer
    # produced a residual in 300).
    result = await soak(tmp_path, cycles, seed=4)
    elapsed = time.perf_counter() - started
    statuses = result["statuses"]
    assert isinstance(statuses, dict)
    # The faults really happened: every path of the policy was exercised.
    for status in ("complete", "partial", "not_executed", "residual", "unresolved"):
        assert statuses.get(status, 0) > 0, statuses
    growth = result["memory_growth"]
    assert isinstance(growth, int)
    assert growth < 600_000, f"memory grew {growth} bytes over the run"
    print(f"soak {cycles}: {elapsed:.1f} s, {statuses}, memory growth {growth} B")


async def test_soak_300_executions_with_random_faults(tmp_path: Path) -> None:
    await run_and_check(tmp_path, 300)


@pytest.mark.long
async def test_soak_2000_executions_with_random_faults(tmp_path: Path) -> None:
    await run_and_check(tmp_path, 2000)
