"""Where the ``scan``'s code cache file is (:mod:`scripts.attrs_code_cache`) and what it
depends on besides the code's source: the environment, the interpreter's exact build and
the installed attrs (split from :mod:`scripts.attrs_code_cache`, issue 20)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def cache_file(directory: Path, prefix: str, build: str, command: str) -> tuple[Path, str]:
    """The file of ``command``'s code for the environment at ``prefix`` (``sys.prefix``: a
    virtual environment, or the interpreter's own) and ``build`` (interpreter and attrs
    install), and a glob of the files it supersedes: the same environment's and command's
    files for another build (an upgrade). Each environment has its own file: two
    environments on one machine (two checkouts, two projects) each with its own attrs
    install no longer remove each other's file at every run, compiling every class again
    and rewriting the file each time (issue 20)."""
    import hashlib

    environment = hashlib.blake2b(prefix.encode(), digest_size=6).hexdigest()
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in command)
    path = directory / f"attrs-code-{environment}-{build}-{name}.marshal"
    return path, f"attrs-code-{environment}-*-{name}.marshal"


def build_id(attrs_make_file: str | None) -> str | None:
    """What the cached code depends on besides its source: the interpreter (cache tag,
    bytecode magic, and its exact build: ``re``'s compiler changes within a minor version,
    3.11.2 and 3.11.7 building different programs for some patterns, while the tag, the
    magic and ``_sre.MAGIC`` stay the same, so an upgrade in place gets a new file) and the
    installed attrs (as a .pyc records its source: size and modification time); ``None``
    when attrs' file cannot be read."""
    import importlib.util

    tag = sys.implementation.cache_tag or "python"
    magic = importlib.util.MAGIC_NUMBER.hex()
    interpreter = hashlib.blake2b(sys.version.encode(), digest_size=4).hexdigest()
    try:
        source = os.stat(attrs_make_file)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None
    return f"{tag}-{magic}-{interpreter}-{source.st_size}-{source.st_mtime_ns}"


__all__ = ["build_id", "cache_file"]
