"""One trader per journal whatever the path (issue 13): the lock is on the database file's
identity, so a symlink, a hard link, a relative path or a deleted ``.lock`` file never
lets a second trader in. (``flock`` conflicts between two open files of one process as
between two processes, so most cases run in-process; one uses a real second process.)"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from returns.result import Failure

from adapters.journal import JournalLocked, SqliteJournal
from adapters.journal.lock import FileIdentity, JournalLock, flock_holder
from tests.conftest import REPO_ROOT


@pytest.fixture
def held(tmp_path: Path) -> Iterator[SqliteJournal]:
    journal = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    yield journal
    anyio.run(journal.close)


def refused(path: Path) -> JournalLocked:
    second = SqliteJournal.open(path, synchronous="NORMAL")
    if not isinstance(second, Failure):
        anyio.run(second.unwrap().close)
        raise AssertionError(f"a second trader got in through {path}")
    refusal = second.failure()
    assert isinstance(refusal, JournalLocked), refusal
    return refusal


def test_a_symlink_to_a_held_journal_is_refused(tmp_path: Path, held: SqliteJournal) -> None:
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(tmp_path / "journal.db")
    refusal = refused(link)
    assert f"pid {os.getpid()}" in refusal.describe()


def test_a_hard_link_to_a_held_journal_is_refused(tmp_path: Path, held: SqliteJournal) -> None:
    other = tmp_path / "hard.db"
    os.link(tmp_path / "journal.db", other)
    refusal = refused(other)
    # The sidecar lives next to the other name, so the holder comes from /proc/locks.
    assert f"pid {os.getpid()}" in refusal.describe()


def test_deleting_the_lock_file_does_not_let_a_second_trader_in(
    tmp_path: Path, held: SqliteJournal
) -> None:
    sidecar = tmp_path / "journal.db.lock"
    assert sidecar.exists()  # the holder's description, information only
    sidecar.unlink()
    refusal = refused(tmp_path / "journal.db")
    assert f"pid {os.getpid()}" in refusal.describe()  # read from /proc/locks instead
    # A stale sidecar describing another file is not believed either.
    sidecar.write_text('{"pid": 1, "host": "x", "since": "y", "device": 0, "inode": 0}')
    assert "pid 1 " not in refused(tmp_path / "journal.db").describe()


def test_a_relative_path_with_dotdot_is_refused(
    tmp_path: Path, held: SqliteJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    refused(Path("..") / "journal.db")


def test_another_process_through_a_symlink_is_refused_and_named(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.shell.crash_child", "hold", str(tmp_path)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "LOCKED"
        (tmp_path / "journal.db.lock").unlink()
        link = tmp_path / "via-link.db"
        link.symlink_to(tmp_path / "journal.db")
        assert f"pid {holder.pid}" in refused(link).describe()
    finally:
        holder.kill()
        holder.wait(10)
    # The holder died: the kernel released its lock, through any name.
    anyio.run(SqliteJournal.open(tmp_path / "via-link.db").unwrap().close)


def test_released_lock_can_be_taken_again_through_another_name(tmp_path: Path) -> None:
    first = JournalLock.acquire(tmp_path / "journal.db").unwrap()
    os.link(tmp_path / "journal.db", tmp_path / "again.db")
    assert isinstance(JournalLock.acquire(tmp_path / "again.db"), Failure)
    first.release()
    second = JournalLock.acquire(tmp_path / "again.db").unwrap()
    assert second.identity == first.identity
    second.release()


def test_proc_locks_lines_are_read_by_device_and_inode(tmp_path: Path) -> None:
    identity = FileIdentity(device=os.makedev(8, 1), inode=1234)
    table = tmp_path / "locks"
    table.write_text(
        "1: POSIX  ADVISORY  WRITE 11 08:01:1234 0 EOF\n"
        "2: FLOCK  ADVISORY  WRITE 22 08:01:9999 0 EOF\n"
        "3: FLOCK  ADVISORY  WRITE 33 08:01:1234 0 EOF\n"
        "3: -> FLOCK  ADVISORY  WRITE 44 08:01:1234 0 EOF\n"
    )
    assert flock_holder(identity, table) == 33
    assert flock_holder(FileIdentity(os.makedev(8, 2), 1234), table) is None
    assert flock_holder(identity, tmp_path / "missing") is None


def test_an_older_version_holding_only_the_sidecar_lock_still_keeps_us_out(
    tmp_path: Path,
) -> None:
    """Before issue 13 the lock was a ``flock`` on ``<path>.lock`` alone: during an upgrade
    an old trader holding it must still keep a new one out (and vice versa)."""
    import fcntl
    import json

    old = (tmp_path / "journal.db.lock").open("a+")
    fcntl.flock(old.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    old.write(json.dumps({"pid": 4242, "host": "old-box", "since": "2026-01-01T00:00:00"}))
    old.flush()
    try:
        refusal = refused(tmp_path / "journal.db")
        assert "pid 4242 on old-box" in refusal.describe()
        assert "older atomic-fp" in refusal.describe()
    finally:
        old.close()
    # The old one gone, the new one locks both; an old-style attempt is then refused.
    journal = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    try:
        again = (tmp_path / "journal.db.lock").open("a+")
        with pytest.raises(BlockingIOError):
            fcntl.flock(again.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        again.close()
    finally:
        anyio.run(journal.close)
