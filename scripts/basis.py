"""The estimator names for click options, without importing the decisions at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

BASES = ("current", "predicted", "avg24h", "avg7d")

if TYPE_CHECKING:
    from atomic_fp.decisions.estimators import Basis as Basis
else:

    def __getattr__(name: str) -> object:
        if name == "Basis":
            from atomic_fp.decisions.estimators import Basis

            return Basis
        raise AttributeError(name)


__all__ = ["BASES", "Basis"]
