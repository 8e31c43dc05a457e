"""The journal's one SQLite connection: opened (created or migrated) in WAL mode under the
process lock, and every call run off the event loop.

Every call runs in a worker thread (``anyio.to_thread.run_sync``) on one connection guarded
by a lock, and a write commits before returning, so an intent is on disk before its order is
sent. ``synchronous=FULL`` (the default) makes each commit survive power loss; ``NORMAL``
survives a killed process (the WAL is in the OS cache) and is faster, which drills and tests
use.

One process at a time: :class:`~adapters.journal.lock.JournalLock` (``flock`` on the database
file itself, so keyed on its identity, not its path) is taken on
open; a second process gets :class:`~adapters.journal.lock.JournalLocked` saying who holds it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Literal, Self, TypeVar

import anyio.to_thread
from returns.result import Failure, Result, Success

from adapters.journal.errors import JournalError, unavailable
from adapters.journal.lock import JournalLock, JournalLocked
from adapters.journal.schema import check_version, migrate

T = TypeVar("T")


def _operation(work: Callable[..., object]) -> str:
    """``record_outcome`` for the ``work`` closure defined inside ``record_outcome``."""
    qualname = getattr(work, "__qualname__", "")
    return qualname.split(".<locals>")[0].rsplit(".", 1)[-1] or "journal call"


def iso(at: datetime) -> str:
    """A time as the journal stores it."""
    return at.isoformat()


class JournalConnection:
    """The connection, its lock and the worker-thread plumbing every journal call runs
    through (:meth:`_run`)."""

    def __init__(self, path: Path, connection: sqlite3.Connection, lock: JournalLock | None):
        self.path = path
        self._connection = connection
        self._lock = lock
        self._mutex = threading.Lock()

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        lock: bool = True,
        busy_timeout: float = 30.0,
    ) -> Result[Self, JournalLocked | JournalError]:
        """Open (creating or migrating) the journal and take its process lock.

        ``lock=False`` opens it for reading alongside a running trader (e.g. a
        ``positions`` command); such a journal refuses writes.
        """
        database = Path(path)
        held: JournalLock | None = None
        if lock:
            try:
                acquired = JournalLock.acquire(database)
            except OSError as error:
                return Failure(JournalError(str(database), f"cannot lock: {error}"))
            if isinstance(acquired, Failure):
                return Failure(acquired.failure())
            held = acquired.unwrap()
        connection: sqlite3.Connection | None = None
        try:
            connection = sqlite3.connect(
                database, check_same_thread=False, isolation_level=None, timeout=busy_timeout
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA synchronous={synchronous}")
            connection.execute("PRAGMA foreign_keys=ON")
            if lock:
                migrate(connection)
            elif check_version(connection) == 0:
                connection.close()
                return Failure(JournalError(str(database), "no journal has been written here yet"))
        except (sqlite3.Error, ValueError) as error:
            if connection is not None:
                connection.close()  # before the lock: closing its fd drops SQLite's locks
            if held is not None:
                held.release()
            return Failure(JournalError(str(database), f"{type(error).__name__}: {error}"))
        return Success(cls(database, connection, held))

    async def close(self) -> None:
        await anyio.to_thread.run_sync(self._close)

    def _close(self) -> None:
        with self._mutex:
            self._connection.close()
            if self._lock is not None:
                self._lock.release()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _run(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        """Run ``work`` in a worker thread; a SQLite or OS failure (busy past the timeout,
        disk full, read-only file...) becomes :class:`JournalUnavailable` naming the
        operation, so no ``sqlite3`` exception ever reaches the orchestrator."""
        if write and self._lock is None:
            raise PermissionError(f"journal {self.path} was opened read-only")
        try:
            return await anyio.to_thread.run_sync(partial(self._locked, work, write))
        except (sqlite3.Error, OSError) as error:
            raise unavailable(self.path, _operation(work), error) from error

    def _locked(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        with self._mutex:
            if not write:
                return work(self._connection)
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
            return result
