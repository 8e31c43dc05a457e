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

Older atomic-fp versions locked only a sidecar ``<path>.lock``; that sidecar is still
``flock``-ed too (when it can be opened), so an old and a new version never trade one
journal together during an upgrade.

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

    def __init__(
        self,
        database: Path,
        fd: int,
        identity: FileIdentity,
        sidecar: Path,
        legacy_fd: int | None = None,
    ) -> None:
        self.database = database
        self.identity = identity
        self.path = sidecar
        self._fd: int | None = fd
        self._legacy_fd = legacy_fd

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
        legacy = database.with_name(database.name + ".lock")
        legacy_fd = _legacy_lock(legacy)
        if legacy_fd is _BLOCKED:  # an older atomic-fp holds the path's sidecar lock
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            holder = _describe_holder(legacy, None)
            return Failure(JournalLocked(str(database), f"{holder}, an older atomic-fp?"))
        _write_sidecar(sidecar, identity)
        if legacy != sidecar:
            _write_sidecar(legacy, identity)
        return Success(cls(database, fd, identity, sidecar, legacy_fd))

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Unlock. Call only after the SQLite connection to this file is closed."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if self._legacy_fd is not None:
            os.close(self._legacy_fd)  # closing drops its flock
            self._legacy_fd = None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


_BLOCKED = -1


def _legacy_lock(path: Path) -> int | None:
    """``flock`` the path's sidecar as older versions did: its fd, ``None`` when it cannot
    be opened (the database lock alone then decides), ``_BLOCKED`` when held."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return _BLOCKED
    except OSError:
        os.close(fd)
        return None
    return fd


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


def _describe_holder(sidecar: Path, identity: FileIdentity | None) -> str:
    """Who holds the lock: the sidecar's description when it is about this file (any
    sidecar, for an older version's lock: ``identity`` None), else ``/proc/locks``."""
    try:
        data = json.loads(sidecar.read_text())
        same = identity is None or (
            data.get("device") == identity.device and data.get("inode") == identity.inode
        )
        if same:
            return f"pid {data['pid']} on {data['host']} since {data['since']}"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    if identity is None:
        return "holder unknown"
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
