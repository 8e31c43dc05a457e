"""Which configuration file ``atomic-fp`` reads, and the built-in venues without one.

A module of its own, importing only the standard library, so that the console script's
early pre-connect (:mod:`scripts.early_preconnect`) finds the file exactly as
:func:`scripts.config.load` does (which re-exports every name here) without importing the
config's parser and the models it builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

ENV_CONFIG = "ATOMIC_FP_CONFIG"
DEFAULT_FILE = "atomic-fp.toml"
DEFAULT_VENUES = ("binance", "hyperliquid", "grvt", "lighter")
"""The venues of a config without ``[venues]`` (each its kind's public mainnet endpoints)."""
BUILTIN_KIND_NAMES = (
    "binance", "hyperliquid", "grvt", "lighter", "bybit", "okx", "aster", "paradex", "paper",
    "ccxt",
)  # fmt: skip
"""A venue's ``kind`` is one of these or ``"package.module:factory"``. Kept in step with
``adapters.registry.BUILTIN_KINDS`` (a test checks it); duplicated here so that reading a
config does not import httpx."""
SECTIONS = ("venues", "strategy", "journal", "store", "alerts", "tls")
"""The top-level tables a config file may have (any other is refused)."""


def locate(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """Which file to read (``None`` = defaults). An explicit or env path must exist."""
    if explicit:
        return Path(explicit)
    if environ.get(ENV_CONFIG):
        return Path(environ[ENV_CONFIG])
    candidate = cwd / DEFAULT_FILE
    return candidate if candidate.is_file() else None


__all__ = [
    "BUILTIN_KIND_NAMES",
    "DEFAULT_FILE",
    "DEFAULT_VENUES",
    "ENV_CONFIG",
    "SECTIONS",
    "locate",
]
