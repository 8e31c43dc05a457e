"""The local funding store (embedded SQLite): settled funding rates per venue and symbol,
kept current by ``atomic-fp collect`` and ``run``, backfilled by ``funding-history
--store``; read by the trailing-average estimators and persistence at no request cost."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.store.names import DEFAULT_STORE, HISTORY, OBSERVED, StoreError

if TYPE_CHECKING:
    from adapters.store.sqlite import FundingStore


def __getattr__(name: str) -> Any:
    """:class:`FundingStore`, imported (with ``sqlite3``) on first use (PEP 562; see
    :mod:`adapters.store.names`)."""
    if name == "FundingStore":
        from adapters.store.sqlite import FundingStore

        return FundingStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "FundingStore"})


def load_history_file(store: FundingStore, path: Path) -> int:
    """Record every settlement of a funding-history file (CSV/Parquet, or a research
    dataset the backtest reads) in ``store``; returns the rows written."""
    from returns.result import Failure

    from adapters.history.loaders import load_path
    from adapters.snapshot.history import rate_of

    loaded = load_path(path)
    if isinstance(loaded, Failure):
        raise StoreError(f"cannot read funding history {path}: {loaded.failure()}")
    return store.record_settled(rate_of(row) for row in loaded.unwrap())


__all__ = [
    "DEFAULT_STORE",
    "HISTORY",
    "OBSERVED",
    "FundingStore",
    "StoreError",
    "load_history_file",
]
