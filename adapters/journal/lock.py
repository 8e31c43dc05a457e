"""One trading process per journal: an exclusive ``flock`` on a sidecar lock file.

The kernel releases the lock when the holder dies, even by SIGKILL, so a crashed run never
leaves a stale lock behind; a live holder makes the next process refuse with who holds it.
The sidecar holds the holder's pid, host and start time for that message.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import attrs
from returns.result import Failure, Result, Success


@attrs.frozen
class JournalLocked:
    """Another process holds the journal."""

    path: str
    holder: str

    def describe(self) -> str:
        return (
            f"journal {self.path} is in use by another atomic-fp process ({self.holder}); "
            "refusing to trade it from a second process (overlapping cron runs?). "
            "Wait for it to finish or stop it."
        )

    def __str__(self) -> str:
        return self.describe()


class JournalLock:
    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @classmethod
    def acquire(cls, database: Path) -> Result[JournalLock, JournalLocked]:
        path = database.with_name(database.name + ".lock")
        handle = path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _describe_holder(handle.read())
            handle.close()
            return Failure(JournalLocked(str(database), holder))
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        return Success(cls(path, handle))

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is None:
            return
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _describe_holder(text: str) -> str:
    try:
        data = json.loads(text)
        return f"pid {data['pid']} on {data['host']} since {data['since']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


__all__ = ["JournalLock", "JournalLocked"]
