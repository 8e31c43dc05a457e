"""What callers of the funding store need without opening one: its default file name, its
row sources and its error. A module of its own, without ``sqlite3``, so that ``scan``,
which only asks whether a store file exists before reading one, does not import the
database driver for a store that is not there (issue 20)."""

from __future__ import annotations

DEFAULT_STORE = "atomic-fp-funding.sqlite"
HISTORY = "history"
OBSERVED = "observed"


class StoreError(Exception):
    """The store file cannot be used (unreadable, not a store, written by a newer version)."""


__all__ = ["DEFAULT_STORE", "HISTORY", "OBSERVED", "StoreError"]
