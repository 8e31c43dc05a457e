"""Journal write failures after the orders went out (issue 13): busy past the timeout
(another writer holds the write lock), disk full, read-only. Each is a typed
:class:`JournalUnavailable` turned into a report naming every order in flight and its
client id; nothing more is sent; the next start resolves them.

The failures are real SQLite errors, injected at the moment that matters (after the
entry intents are journaled, before the outcomes are): a second connection holding
``BEGIN IMMEDIATE`` (SQLITE_BUSY), ``PRAGMA query_only`` (SQLITE_READONLY), SQLite's
"database or disk is full" error (SQLITE_FULL) raised on the next write; and a really
full file system (a 1 MiB tmpfs) when this process may mount one."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.journal import SqliteJournal
from atomic_fp.orchestration import (
    ExecutionStatus,
    JournalUnavailable,
    LegOutcome,
    OrderIntent,
)
from tests.shell.helpers import BTC, hedge, orchestrator, paper

pytestmark = pytest.mark.anyio

Injection = Callable[[SqliteJournal, Path], Any]


class FailAfterEntryIntents:
    """The real SQLite journal; once both entry intents are on disk, ``inject`` breaks it."""

    def __init__(self, inner: SqliteJournal, inject: Injection) -> None:
        self.inner = inner
        self.inject = inject
        self.intents = 0
        self.kept: Any = None

    async def record_intent(self, intent: OrderIntent) -> None:
        await self.inner.record_intent(intent)
        self.intents += 1
        if self.intents == 2:
            self.kept = self.inject(self.inner, self.inner.path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def hold_write_lock(_: SqliteJournal, path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer, holding on
    return other


def disk_full_on_write(journal: SqliteJournal, _: Path) -> None:
    """SQLite's own "database or disk is full" (SQLITE_FULL) on every further write, as
    the real tiny-tmpfs test below produces when this process may mount one."""
    real = journal._locked

    def locked(work: Callable[[sqlite3.Connection], Any], write: bool) -> Any:
        if write:
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode, error.sqlite_errorname = 13, "SQLITE_FULL"
            raise error
        return real(work, write)

    journal._locked = locked  # type: ignore[method-assign]


def make_read_only(journal: SqliteJournal, _: Path) -> None:
    journal._connection.execute("PRAGMA query_only = ON")


CASES = {
    "busy": (hold_write_lock, "busy"),
    "disk-full": (disk_full_on_write, "disk full"),
    "read-only": (make_read_only, "read-only"),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_a_journal_failure_after_sending_names_the_orders_and_the_next_start_resolves(
    tmp_path: Path, case: str
) -> None:
    inject, kind = CASES[case]
    path = tmp_path / "journal.db"
    a, b = paper("a"), paper("b")
    inner = SqliteJournal.open(path, synchronous="NORMAL", busy_timeout=0.2).unwrap()
    journal = FailAfterEntryIntents(inner, inject)
    orch = orchestrator([a, b], journal=journal)
    assert (await orch.reconcile()).clean
    signal = hedge(size=Decimal("0.01"))
    report = await orch.execute_signal(signal)  # raises nothing

    cids = [signal.client_order_id(0, 0), signal.client_order_id(1, 0)]
    assert report.status is ExecutionStatus.UNRESOLVED, report.describe()
    assert report.journal_error is not None and f"({kind})" in report.journal_error
    assert "JOURNAL WRITE FAILED" in report.message
    for cid in cids:
        assert cid in report.message  # every order in flight, by client id
    assert set(report.unresolved) == set(cids)
    assert not report.hedged
    # Both legs did fill on the venues; nothing more was sent.
    assert [o.client_order_id for o in a.orders()] == cids[:1]
    assert [o.client_order_id for o in b.orders()] == cids[1:]
    if isinstance(journal.kept, sqlite3.Connection):
        journal.kept.rollback()
        journal.kept.close()
    await inner.close()

    # The next start: the intents are on disk without outcomes; reconciliation looks them
    # up by client id, journals the fills and finishes the signal. No order is re-sent.
    again = SqliteJournal.open(path, synchronous="NORMAL").unwrap()
    try:
        assert {o.intent.client_order_id for o in await again.unresolved_orders()} == set(cids)
        restart = orchestrator([a, b], journal=again)
        recon = await restart.reconcile()
        assert recon.clean, recon.describe()
        assert {r.client_order_id: r.outcome for r in recon.resolved} == dict.fromkeys(
            cids, LegOutcome.FILLED
        )
        positions = await again.positions()
        assert positions[(a.exchange, BTC)] == Decimal("0.01")
        assert positions[(b.exchange, BTC)] == Decimal("-0.01")
        assert await again.signal_status(signal.signal_id) is ExecutionStatus.COMPLETE
        assert len(a.orders()) == len(b.orders()) == 1
    finally:
        await again.close()


async def test_a_journal_that_fails_before_anything_is_sent_refuses_the_signal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.db"
    a, b = paper("a"), paper("b")
    journal = SqliteJournal.open(path, synchronous="NORMAL", busy_timeout=0.1).unwrap()
    orch = orchestrator([a, b], journal=journal)
    assert (await orch.reconcile()).clean
    blocker = hold_write_lock(journal, path)
    try:
        report = await orch.execute_signal(hedge(size=Decimal("0.01")))
    finally:
        blocker.rollback()
        blocker.close()
        await journal.close()
    assert report.status is ExecutionStatus.REFUSED, report.describe()
    assert report.journal_error is not None and "(busy)" in report.journal_error
    assert a.orders() == () and b.orders() == ()


async def test_sqlite_errors_become_journal_unavailable_naming_the_operation(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.db"
    journal = SqliteJournal.open(path, synchronous="NORMAL", busy_timeout=0.05).unwrap()
    blocker = hold_write_lock(journal, path)
    try:
        with pytest.raises(JournalUnavailable) as raised:
            await journal.record_signal(hedge(), hedge().created_at)
    finally:
        blocker.rollback()
        blocker.close()
        await journal.close()
    error = raised.value
    assert (error.operation, error.kind) == ("record_signal", "busy")
    assert str(path) in error.describe() and "database is locked" in error.describe()


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs, when this process may mount one (root in CI containers)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill_the_disk(_: SqliteJournal, path: Path) -> None:
    fd = os.open(path.parent / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # ENOSPC: the file system is full
    finally:
        os.close(fd)


async def test_a_really_full_file_system_is_reported_the_same_way(tiny_filesystem: Path) -> None:
    path = tiny_filesystem / "journal.db"
    a, b = paper("a"), paper("b")
    inner = SqliteJournal.open(path, synchronous="NORMAL").unwrap()
    journal = FailAfterEntryIntents(inner, fill_the_disk)
    orch = orchestrator([a, b], journal=journal)
    assert (await orch.reconcile()).clean
    signal = hedge(size=Decimal("0.01"))
    try:
        report = await orch.execute_signal(signal)
    finally:
        await inner.close()
    assert report.status is ExecutionStatus.UNRESOLVED, report.describe()
    assert report.journal_error is not None
    assert "(disk full)" in report.journal_error or "(I/O error)" in report.journal_error
    assert signal.client_order_id(1, 0) in report.message
