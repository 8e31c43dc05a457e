"""One trading process per journal: an exclusive ``flock`` on the database file itself.

The lock is keyed on the file's *identity* (its device and inode), not on the path a
process was given: ``flock`` locks the open file, so a symlink, a hard link, ``..`` in the
path or a relative path all reach the same lock, and there is no separate lock file whose
deletion could let a second trader in.

The kernel releases the lock when the holder dies, even by SIGKILL, so a crashed run never
leaves a stale lock behind; a live holder makes the next process refuse, saying who holds
it. That description comes from a sidecar ``<real path>.lock`` (pid, host, start time,
device and inode), which is information only: deleting it changes nothing but the message.
When the sidecar does not describe this file (e.g. it was deleted), the holder's pid is
read from ``/proc/locks`` on Linux.

SQLite itself uses POSIX ``fcntl`` byte-range locks on the same file. On Linux ``flock``
and POSIX locks are independent, so the two do not interfere; but closing *any*
descriptor of the file drops the process's POSIX locks, so the descriptor held here is
closed only after the SQLite connection (see "How To Corrupt An SQLite Database File",
section 2.2, https://www.sqlite.org/howtocorrupt.html).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

import attrs
from returns.result import Failure, Result, Success

PROC_LOCKS = Path("/proc/locks")


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


@attrs.frozen
class FileIdentity:
    """What makes two paths the same file: device and inode."""

    device: int
    inode: int

    @classmethod
    def of(cls, fd: int) -> FileIdentity:
        status = os.fstat(fd)
        return cls(status.st_dev, status.st_ino)


class JournalLock:
    """An exclusive ``flock`` on the journal database file (see the module docstring)."""

    def __init__(self, database: Path, fd: int, identity: FileIdentity, sidecar: Path) -> None:
        self.database = database
        self.identity = identity
        self.path = sidecar
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: Path) -> Result[JournalLock, JournalLocked]:
        """Lock ``database`` (created empty if missing; SQLite takes an empty file as a new
        database). Raises ``OSError`` only when the file cannot be opened at all."""
        fd = os.open(database, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        identity = FileIdentity.of(fd)
        sidecar = Path(os.path.realpath(database) + ".lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return Failure(JournalLocked(str(database), _describe_holder(sidecar, identity)))
        except BaseException:
            os.close(fd)
            raise
        _write_sidecar(sidecar, identity)
        return Success(cls(database, fd, identity, sidecar))

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Unlock. Call only after the SQLite connection to this file is closed."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _write_sidecar(sidecar: Path, identity: FileIdentity) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "device": identity.device,
        "inode": identity.inode,
    }
    with contextlib.suppress(OSError):  # information only: the lock is on the database file
        sidecar.write_text(json.dumps(info))


def _describe_holder(sidecar: Path, identity: FileIdentity) -> str:
    try:
        data = json.loads(sidecar.read_text())
        if data.get("device") == identity.device and data.get("inode") == identity.inode:
            return f"pid {data['pid']} on {data['host']} since {data['since']}"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    pid = flock_holder(identity)
    return f"pid {pid} on this host" if pid is not None else "holder unknown"


def flock_holder(identity: FileIdentity, proc_locks: Path = PROC_LOCKS) -> int | None:
    """The pid holding a ``FLOCK`` on the file, from Linux's ``/proc/locks`` (lines like
    ``1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF``, device as hex ``major:minor``)."""
    wanted = (os.major(identity.device), os.minor(identity.device), identity.inode)
    try:
        lines = proc_locks.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) < 6 or parts[1] != "FLOCK":
            continue
        try:
            major, minor, inode = parts[5].split(":")
            if (int(major, 16), int(minor, 16), int(inode)) == wanted:
                return int(parts[4])
        except ValueError:
            continue
    return None


__all__ = ["FileIdentity", "JournalLock", "JournalLocked", "flock_holder"]
