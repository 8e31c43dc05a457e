"""``execute`` and ``run`` under ``[strategy] basis``: the orchestrator's rate estimator,
backed by the local funding store.

Each cycle the fetched rates are (``run`` only) recorded in the store as observations, so
a running loop keeps the store current as ``collect`` does; then the rates are replaced by
the estimator's (:func:`atomic_fp.decisions.estimators.estimate_inputs`) from the
store's settlements. A venue without enough history is left out of the decision with
that reason; nothing is read as zero. ``predicted`` needs a venue's published estimate,
which these commands do not fetch: every venue is left out (the decision says why).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from returns.result import Failure, Success

from atomic_fp.decisions.estimators import (
    PERSISTENCE_WINDOW,
    Basis,
    EstimateUnavailable,
    estimate_inputs,
)
from atomic_fp.decisions.types import RateInputs
from atomic_fp.orchestration.orchestrator import RateEstimator

log = logging.getLogger("scripts.store")


def store_estimator(basis: Basis, store_path: Path, *, record: bool) -> RateEstimator | None:
    """The estimator for ``basis`` (``None`` for ``current`` without recording)."""
    if basis is Basis.CURRENT and not record:
        return None
    window = max(basis.window or PERSISTENCE_WINDOW, PERSISTENCE_WINDOW)

    def estimate(rates: RateInputs, at: datetime) -> RateInputs:
        from adapters.store import FundingStore, StoreError

        settled = {}
        try:
            if record or store_path.is_file():
                with FundingStore(store_path) as store:
                    if record:
                        store.record_observed(
                            r.unwrap() for r in rates.values() if isinstance(r, Success)
                        )
                    if basis is not Basis.CURRENT:
                        settled = store.settled(since=at - window, until=at)
        except StoreError as problem:
            log.warning("funding store: %s", problem)
            if basis is not Basis.CURRENT:  # no history: every estimate is unavailable
                return {
                    venue: Failure(EstimateUnavailable(venue.name, f"funding store: {problem}"))
                    for venue in rates
                }
        return estimate_inputs(basis, rates, now=at, settled=settled)

    return estimate


__all__ = ["store_estimator"]
