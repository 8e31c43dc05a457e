"""Crash drill (SIGKILL between the legs) and the one-process journal lock
(What it must show: 5 and 7)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from returns.result import Failure

from adapters.journal import JournalLocked, SqliteJournal
from atomic_fp.models import OrderStatus
from atomic_fp.orchestration import ExecutionStatus, LegOutcome, OrderPurpose
from tests.conftest import REPO_ROOT
from tests.shell.helpers import BTC, hedge, net_base, orchestrator, paper


def spawn(command: str, directory: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.shell.crash_child", command, str(directory)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")


def venue_orders(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    orders: list[dict[str, object]] = json.loads(path.read_text())["orders"]
    return orders


def crash_between_legs(directory: Path) -> None:
    """Run the child until leg A is on its venue and leg B is in flight; SIGKILL it."""
    child = spawn("trade", directory)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY", child.stderr
        wait_for(lambda: venue_orders(directory / "a.json"))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert venue_orders(directory / "b.json") == []  # B never reached its venue


@pytest.mark.anyio
@pytest.mark.parametrize("b_on_restart", ["accepts", "rejects"])
async def test_sigkill_between_legs_then_restart_reconciles_without_duplicates(
    tmp_path: Path, b_on_restart: str
) -> None:
    crash_between_legs(tmp_path)
    # The next run: same venue state, same journal (the kernel released the dead lock).
    a = paper("a", state_path=tmp_path / "a.json")
    b = paper("b", state_path=tmp_path / "b.json")
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == 0  # exposed one-legged
    if b_on_restart == "rejects":
        b.faults.reject_probability = 1.0
    journal = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    try:
        signal_id = hedge().signal_id
        assert [s.signal_id for s in await journal.open_signals()] == [signal_id]
        orch = orchestrator([a, b], journal=journal)
        report = await orch.reconcile()

        assert report.clean, report.describe()
        resolved = {r.client_order_id: r.outcome for r in report.resolved}
        cid_a, cid_b = hedge().client_order_id(0, 0), hedge().client_order_id(1, 0)
        assert resolved.get(cid_b) is LegOutcome.NOT_SENT  # never arrived: safe to retry
        (recovered,) = report.recovered
        assert recovered.recovered and recovered.residual_base == 0
        assert "recovered after restart" in report.describe()
        # No duplicate: A's entry exists exactly once.
        a_ids = [o.client_order_id for o in a.orders()]
        assert a_ids.count(cid_a) == 1
        if b_on_restart == "accepts":
            # The short side is retried under a new id; the hedge completes.
            assert recovered.status is ExecutionStatus.COMPLETE
            retry = [x for x in recovered.attempts if x.purpose is OrderPurpose.RETRY]
            assert [(x.leg_index, x.attempt, x.outcome) for x in retry] == [
                (1, 1, LegOutcome.FILLED)
            ]
            assert a_ids == [cid_a]
            assert [o.client_order_id for o in b.orders()] == [hedge().client_order_id(1, 1)]
            assert all(o.status is OrderStatus.FILLED for o in (*a.orders(), *b.orders()))
            expected = {a.exchange: Decimal(1), b.exchange: Decimal(-1)}
        else:
            # B still refuses: A's leg is unwound with a reduce-only order.
            assert recovered.status is ExecutionStatus.NOT_EXECUTED
            assert a_ids == [cid_a, hedge().client_order_id(0, 50)]
            assert a.orders()[1].reduce_only and a.position_size(BTC) == 0
            expected = {a.exchange: Decimal(0), b.exchange: Decimal(0)}
        assert net_base([a, b]) == 0
        positions = await journal.positions()
        for venue, size in expected.items():
            assert positions.get((venue, BTC), Decimal(0)) == size
        assert not await journal.open_signals()
        assert await journal.signal_status(signal_id) is recovered.status
        # A second reconciliation finds nothing left to do.
        again = await orch.reconcile()
        assert again.clean and not again.resolved and not again.recovered
    finally:
        await journal.close()


def test_second_process_on_the_same_journal_refuses_and_says_why(tmp_path: Path) -> None:
    holder = spawn("hold", tmp_path)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "LOCKED"
        second = SqliteJournal.open(tmp_path / "journal.db")
        assert isinstance(second, Failure)
        refusal = second.failure()
        assert isinstance(refusal, JournalLocked)
        message = refusal.describe()
        assert f"pid {holder.pid}" in message
        assert "refusing to trade it from a second process" in message
    finally:
        holder.kill()
        holder.wait(10)
    # The holder is gone (killed): the lock went with it.
    reopened = SqliteJournal.open(tmp_path / "journal.db").unwrap()
    import anyio

    anyio.run(reopened.close)
