"""The embedded execution journal: stdlib ``sqlite3`` in WAL mode, off the event loop.

Implements :class:`atomic_fp.orchestration.ExecutionJournal`, in three parts:
:mod:`adapters.journal.connection` (opening under the process lock, the worker-thread
plumbing, commit before returning), :mod:`adapters.journal.writes` and
:mod:`adapters.journal.reads`. Schema and migrations: :mod:`adapters.journal.schema`;
errors as values: :mod:`adapters.journal.errors`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from returns.result import Result

from adapters.journal.errors import JournalError
from adapters.journal.lock import JournalLocked
from adapters.journal.reads import JournalReads
from adapters.journal.schema import MIGRATIONS, SCHEMA_VERSION
from adapters.journal.writes import JournalWrites


class SqliteJournal(JournalWrites, JournalReads):
    """The journal: its writes and reads over one connection (see the module docstring).
    Build with :meth:`open`; call :meth:`close` when done (or use ``async with``)."""


def open_journal(
    path: Path | str,
    *,
    synchronous: Literal["FULL", "NORMAL"] = "FULL",
    busy_timeout: float = 30.0,
) -> Result[SqliteJournal, JournalLocked | JournalError]:
    """Open the journal for trading (takes the process lock)."""
    return SqliteJournal.open(path, synchronous=synchronous, busy_timeout=busy_timeout)


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "JournalError", "SqliteJournal", "open_journal"]
