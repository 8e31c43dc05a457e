"""What ``scan`` found: the rates per venue, the ranked opportunities and how they were
ranked (built by :func:`scripts.scan_run.run_scan`, shown by :mod:`scripts.scan_render`).

Its own module so that the live scan's start-up, everything before its first connection,
does not import the decisions it names (issue 20): :mod:`scripts.scan_run` imports it
while the venues answer (:func:`scripts.startup.warm_imports`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.decisions.estimators import Basis, Estimate, EstimateUnavailable
from atomic_fp.decisions.types import Opportunity
from atomic_fp.errors import VenueError
from atomic_fp.models import ArbitrageConfig, FeeQuote, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.context import warn
from scripts.scan_carry import Carry, PairKey, Settled, carry_of, pair_key

VenueRates = Mapping[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]]


@attrs.frozen
class ScanReport:
    now: datetime
    source: str
    venues: VenueRates
    kinds: Mapping[ExchangeIdentifier, str]
    opportunities: tuple[Opportunity, ...]
    unlisted_symbols: tuple[str, ...] = ()
    """``--symbols`` that no venue which answered lists."""
    requested_symbols: tuple[str, ...] = ()
    fees: Mapping[str, FeeQuote] = attrs.field(factory=dict)
    """Each venue's fee (by venue id) with its source: what the net APRs were computed with."""
    left_out: tuple[str, ...] = ()
    """Rates left out before ranking (interval in doubt, below a liquidity floor),
    ``"venue SYMBOL: why"``."""
    basis: Basis = Basis.CURRENT
    estimates: Mapping[tuple[str, Symbol], Estimate] = attrs.field(factory=dict)
    unavailable: tuple[EstimateUnavailable, ...] = ()
    settled: Settled = attrs.field(factory=dict)
    strategy: ArbitrageConfig | None = None
    history_source: str | None = None
    _carry: dict[PairKey, Carry] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def carry(self, opportunity: Opportunity) -> Carry | None:
        """Persistence and break-even days of a ranked pair (computed when first shown:
        a full ``--all-pairs`` ranking may hold tens of thousands of pairs)."""
        if self.strategy is None:
            return None
        key = pair_key(opportunity)
        found = self._carry.get(key)
        if found is None:
            found = carry_of(
                [opportunity], settled=self.settled, config=self.strategy, now=self.now
            )[key]
            self._carry[key] = found
        return found

    @property
    def answered(self) -> int:
        return sum(1 for r in self.venues.values() if isinstance(r, Success))

    @property
    def any_ok(self) -> bool:
        return any(isinstance(r, Success) for r in self.venues.values())

    def failures(self) -> list[tuple[ExchangeIdentifier, VenueError]]:
        return [(v, r.failure()) for v, r in self.venues.items() if isinstance(r, Failure)]

    def warn_failures(self) -> None:
        for venue, error in self.failures():
            warn(
                f"venue {venue} left out: {error.describe()}",
                venue=str(venue),
                event="venue_failed",
                error_type=error.kind,
                code=error.code,
            )
        if self.unavailable:
            shown = "; ".join(e.describe() for e in self.unavailable[:3])
            more = len(self.unavailable) - 3
            warn(
                f"--basis {self.basis.value}: {len(self.unavailable)} rate(s) left out "
                f"({shown}{f'; and {more} more' if more > 0 else ''})",
                event="estimate_unavailable",
            )


__all__ = ["ScanReport", "VenueRates"]
