"""Writing output files so that nothing already computed is lost and nothing half-written
is left behind.

An output path is checked *before* the long work that produces its content (a download,
a backtest): its directory must exist and be writable and the name must not be a
directory. The content is then written to a temporary file in the same directory and
moved into place with :func:`os.replace` (atomic on POSIX), so a reader never sees a
partial file and a failed write leaves any previous file untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """An output path that cannot be written; the message names the path and why."""


def check_output_file(path: Path, what: str) -> None:
    """Raise :class:`OutputError` unless ``path`` can be created or replaced.

    ``what`` names the option (``--out``) in the message."""
    if path.is_dir():
        raise OutputError(f"{what}: {path} is a directory, expected a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"{what}: directory {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise OutputError(f"{what}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{what}: directory {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{what}: {path} exists and is not writable")
    _probe(parent, what)


def _probe(directory: Path, what: str) -> None:
    """Create and remove a file in ``directory``: permission bits do not tell the whole
    story (root ignores them; /proc, read-only mounts and full disks refuse anyway)."""
    try:
        handle, name = tempfile.mkstemp(prefix=".atomic-fp-probe.", dir=directory)
    except OSError as error:
        raise OutputError(
            f"{what}: cannot create files in {directory}: {error.strerror or error}"
        ) from None
    os.close(handle)
    Path(name).unlink(missing_ok=True)


def check_output_dir(path: Path, what: str) -> None:
    """Raise :class:`OutputError` unless ``path`` is, or can be created as, a writable
    directory (its nearest existing ancestor must be a writable directory)."""
    if path.exists():
        if not path.is_dir():
            raise OutputError(f"{what}: {path} exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputError(f"{what}: directory {path} is not writable")
        _probe(path, what)
        return
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{what}: cannot create {path}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{what}: cannot create {path}: {ancestor} is not writable")
    _probe(ancestor, what)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; moved onto ``path`` when the block succeeds,
    removed when it fails. For writers that want a file name (Parquet, matplotlib)."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=directory
    )
    os.close(handle)
    temp_path = Path(temporary)
    os.chmod(temp_path, 0o666 & ~_umask())  # what open() would have given, not mkstemp's 0600
    try:
        yield temp_path
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with replacing(path) as temporary:
        temporary.write_text(text, "utf-8")


def write_with(path: Path, writer: Callable[[Path], object]) -> None:
    """Let ``writer`` write a temporary file, then move it onto ``path``."""
    with replacing(path) as temporary:
        writer(temporary)
