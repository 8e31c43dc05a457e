"""Where the ``atomic-fp`` process keeps files between runs (a module of its own so that
start-up code can ask without importing :mod:`scripts.runtime` and the venue registry)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

CACHE_DIR_ENV = "ATOMIC_FP_CACHE_DIR"


def cache_dir(environ: Mapping[str, str]) -> Path:
    """Where live venue clients may keep files between runs: ``$ATOMIC_FP_CACHE_DIR``,
    else ``$XDG_CACHE_HOME/atomic-fp`` (an absolute one, as the XDG spec requires), else
    ``~/.cache/atomic-fp``."""
    explicit = environ.get(CACHE_DIR_ENV, "").strip()
    if explicit:
        try:
            return Path(explicit).expanduser()
        except RuntimeError:  # pathlib: "~user" naming no user (was a traceback, exit 1)
            from scripts.context import fail

            user = explicit.split("/", 1)[0]
            fail(f"{CACHE_DIR_ENV} {explicit!r} from the environment: no user {user[1:]!r}")
    xdg = environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "atomic-fp"
    home = environ.get("HOME", "").strip()
    return (Path(home) if home else Path.home()) / ".cache" / "atomic-fp"


__all__ = ["CACHE_DIR_ENV", "cache_dir"]
