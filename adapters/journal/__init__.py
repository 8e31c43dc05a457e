"""The embedded execution journal (SQLite) and its one-process lock."""

from adapters.journal.lock import JournalLock, JournalLocked
from adapters.journal.sqlite import JournalError, SqliteJournal, open_journal

__all__ = ["JournalError", "JournalLock", "JournalLocked", "SqliteJournal", "open_journal"]
