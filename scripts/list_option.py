"""``A,B,C`` option values (``--venues``, ``--symbols``): a module of its own, standard
library only, so that the console script's early step (:mod:`scripts.early_preconnect`)
reads ``--venues`` as the commands do."""

from __future__ import annotations


def split_list(value: str | None) -> list[str] | None:
    """The comma-separated names of ``value``, stripped, empty ones dropped; ``None``
    for no value (every configured one)."""
    if not value:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


__all__ = ["split_list"]
