"""Child process of the crash drill: ``python -m tests.reliability.crash_child DIR RUN
KILL_AT SEED``.

Runs strategy cycles for BTC on two paper venues whose state persists in ``DIR/a.json`` and
``DIR/b.json``, journaled in the SQLite journal ``DIR/journal.db``, exactly as a restarted
``atomic-fp run`` would: the orchestrator reconciles first, then cycles.

``KILL_AT`` >= 0: the process SIGKILLs itself at that numbered *effect boundary*: before
or after each journal write and before or after each order is acted on by a venue (and
before its answer comes back). Numbering is deterministic for a given state and seed, so
a failing drill replays exactly. ``KILL_AT`` < 0: no self-kill (the parent kills it at
a random time instead; it prints ``READY`` once set up, ``P <n>`` as it reaches effect
boundary ``n`` (so the parent times its kill from how far the child got, not from how fast
the machine runs), ``DONE`` when its cycles are over, and then waits for its stdin to
close, so the parent's kill never races its exit).

Every order a venue acts on is first appended (fsync'd) to ``DIR/<venue>.submits``, so the
parent can count acceptances per client order id across restarts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
from returns.result import Result

from adapters.journal import SqliteJournal
from adapters.paper import ManualClock, PaperFaults, PaperMarketState, PaperVenue
from atomic_fp.errors import VenueError
from atomic_fp.models import Order, OrderRequest
from atomic_fp.orchestration import ExecutionPolicy
from tests.shell.helpers import BTC, PRICE, T0, TAKER_ONLY, market, orchestrator

RATES = (Decimal("-0.0005"), Decimal("0.0001"), Decimal("0.001"), Decimal("0.002"))
CYCLES_PER_RUN = 3


class Killer:
    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.count = 0

    def point(self) -> None:
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.kill_at < 0:  # the parent's timed kill waits for a boundary (module doc)
            print(f"P {self.count}", flush=True)
        self.count += 1


class DrillVenue(PaperVenue):
    """A persisted paper venue with kill points around each order it acts on."""

    killer: Killer
    submits: Path

    def _accept(self, request: OrderRequest, fault: Any) -> Result[Order, VenueError]:
        self.killer.point()  # before the venue acts
        with self.submits.open("a") as handle:
            handle.write(request.client_order_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return super()._accept(request, fault)

    async def _place(self, request: OrderRequest) -> Result[Order, VenueError]:
        result = await super()._place(request)
        self.killer.point()  # acted on and saved, answer not yet back
        return result


def venue(directory: Path, name: str, clock: ManualClock, killer: Killer, seed: int) -> DrillVenue:
    rng = random.Random(seed)
    drill = DrillVenue(
        name,
        [PaperMarketState(market(name), PRICE)],
        fees=TAKER_ONLY,
        clock=clock,
        faults=PaperFaults(
            reject_probability=0.05,
            timeout_after_fill_probability=0.05,
            drop_probability=0.03,
            partial_fill_probability=0.1,
            partial_fill_ratio=Decimal("0.4"),
            # Issue 13: "status unknown" now, executed 0.5-3 s later (venue clock) inside
            # the order's validity window; pending orders persist in the state file, so a
            # late fill can land after the kill, before or during the restart.
            late_execution_probability=0.05,
            late_execution_delay=(0.5, 3.0),
            latency=0.002,
            rng=rng,
        ),
        state_path=directory / f"{name}.json",
    )
    drill.killer = killer
    drill.submits = directory / f"{name}.submits"
    return drill


class KillingJournal:
    """The SQLite journal with kill points before and after every write."""

    WRITES = frozenset(
        {
            "record_signal",
            "record_intent",
            "record_outcome",
            "finish_signal",
            "adjust_position",
            "record_reconciliation",
        }
    )

    def __init__(self, inner: SqliteJournal, killer: Killer) -> None:
        self._inner = inner
        self._killer = killer

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in self.WRITES:
            return attribute

        async def write(*args: Any, **kwargs: Any) -> Any:
            self._killer.point()
            result = await attribute(*args, **kwargs)
            self._killer.point()
            return result

        return write


async def main(directory: Path, run: int, kill_at: int, seed: int) -> None:
    rng = random.Random(seed * 1_000_003 + run)
    killer = Killer(kill_at)
    clock = ManualClock(T0 + timedelta(minutes=run))
    a = venue(directory, "a", clock, killer, rng.randrange(2**32))
    b = venue(directory, "b", clock, killer, rng.randrange(2**32))
    for paper in (a, b):
        paper.set_funding_rate(BTC, rng.choice(RATES))
    opened = SqliteJournal.open(directory / "journal.db", synchronous="NORMAL")
    if not opened:
        print(json.dumps({"locked": str(opened.failure())}), flush=True)
        return
    journal = opened.unwrap()
    orch = orchestrator(
        [a, b],
        journal=KillingJournal(journal, killer),
        clock=clock,
        policy=ExecutionPolicy(lookup_delay=0.0, order_timeout=5.0),
    )
    print("READY", flush=True)
    actions: list[str] = []
    for _ in range(CYCLES_PER_RUN):
        report = await orch.run_strategy_cycle()
        status = report.execution.status.value if report.execution else "-"
        actions.append(f"{report.action}:{status}")
        clock.advance(timedelta(seconds=10))
    await journal.close()
    print(json.dumps({"actions": actions, "points": killer.count}), flush=True)
    if kill_at < 0:
        # A timed kill must always find this process alive, however slow the machine is
        # (a loaded machine once let all but one child finish before its timer fired):
        # say so, then stay until the parent closes stdin.
        print("DONE", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.readline)


def run_child(argv: list[str]) -> None:
    directory, run, kill_at, seed = Path(argv[1]), int(argv[2]), int(argv[3]), int(argv[4])
    entry: Callable[[], Awaitable[None]] = lambda: main(directory, run, kill_at, seed)  # noqa: E731
    anyio.run(entry)


if __name__ == "__main__":
    run_child(sys.argv)
