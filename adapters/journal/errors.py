"""What goes wrong with the journal file, as values: :class:`JournalError` (the file cannot
be used at all) and :func:`unavailable` (one call failed: busy, disk full, read-only...)."""

from __future__ import annotations

import errno
from pathlib import Path

import attrs

from atomic_fp.orchestration.journal import JournalUnavailable


@attrs.frozen
class JournalError:
    """The journal file cannot be used (corrupt, newer schema, unreadable)."""

    path: str
    message: str

    def describe(self) -> str:
        return f"journal {self.path}: {self.message}"

    def __str__(self) -> str:
        return self.describe()


_KINDS = {
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_IOERR": "I/O error",
    "SQLITE_CANTOPEN": "I/O error",
}


def unavailable(path: Path, operation: str, error: BaseException) -> JournalUnavailable:
    """``error`` (from ``sqlite3`` or the OS) as a :class:`JournalUnavailable`. The kind
    comes from SQLite's primary result code (``SQLITE_BUSY`` after ``busy_timeout``,
    ``SQLITE_FULL``, ``SQLITE_READONLY``, ``SQLITE_IOERR_*``; sqlite.org/rescode.html)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    kind = next((k for prefix, k in _KINDS.items() if name.startswith(prefix)), None)
    if kind is None and isinstance(error, OSError):
        kind = "disk full" if error.errno == errno.ENOSPC else "I/O error"
    return JournalUnavailable(
        str(path), operation, kind or "other", f"{type(error).__name__}: {error}"
    )


__all__ = ["JournalError", "unavailable"]
