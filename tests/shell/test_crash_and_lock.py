"""Crash drill (SIGKILL between the legs) and the one-process journal lock
(What it must show: 5 and 7)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
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


@pytest.mark.anyio
async def test_sigkill_between_legs_then_restart_reconciles_without_duplicates(
    tmp_path: Path,
) -> None:
    child = spawn("trade", tmp_path)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY", child.stderr
        wait_for(lambda: venue_orders(tmp_path / "a.json"))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert venue_orders(tmp_path / "b.json") == []  # B never reached its venue

    # The next run: same venue state, same journal (the kernel released the dead lock).
    a = paper("a", state_path=tmp_path / "a.json")
    b = paper("b", state_path=tmp_path / "b.json")
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == 0  # exposed one-legged
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
        assert recovered.recovered and recovered.status is ExecutionStatus.COMPLETE
        retry = [x for x in recovered.attempts if x.purpose is OrderPurpose.RETRY]
        assert [(x.leg_index, x.attempt, x.outcome) for x in retry] == [(1, 1, LegOutcome.FILLED)]
        # No duplicate: A holds exactly its one order, B only the retry.
        assert [o.client_order_id for o in a.orders()] == [cid_a]
        assert [o.client_order_id for o in b.orders()] == [hedge().client_order_id(1, 1)]
        assert all(o.status is OrderStatus.FILLED for o in (*a.orders(), *b.orders()))
        assert net_base([a, b]) == 0
        positions = await journal.positions()
        assert positions[(a.exchange, BTC)] == 1 and positions[(b.exchange, BTC)] == -1
        assert not await journal.open_signals()
        assert await journal.signal_status(signal_id) is ExecutionStatus.COMPLETE
        assert "recovered after restart" in report.describe()
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
