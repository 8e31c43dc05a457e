"""Net exposure over venues: pure arithmetic on positions as fetched (failures kept).

A total is only a total when every venue answered: :func:`total_exposure` names the venues
it could not count, and :class:`IncompleteExposure` is what a caller gets instead of a
partial sum passed off as the whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs
from returns.result import Failure, Result

from atomic_fp.errors import VenueError
from atomic_fp.models import Position, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


@attrs.frozen
class ExposureReport:
    """Net signed base-asset exposure per symbol over the venues that answered.

    ``uncounted`` names every venue whose positions could not be read, with why: the net
    figures do not include them and must not be read as if they did (``complete`` is
    ``False``). A symbol whose exposure nets to zero is still listed when any venue holds it.
    """

    net: Mapping[Symbol, Decimal]
    by_venue: Mapping[ExchangeIdentifier, Mapping[Symbol, Decimal]]
    uncounted: Mapping[ExchangeIdentifier, VenueError]

    @property
    def complete(self) -> bool:
        return not self.uncounted

    def describe(self) -> str:
        parts = [f"{symbol}: {amount}" for symbol, amount in sorted(self.net.items())]
        text = "net exposure " + (", ".join(parts) if parts else "none")
        if self.uncounted:
            missing = "; ".join(f"{e.describe()}" for e in self.uncounted.values())
            text += f" (NOT COUNTED: {missing})"
        return text


@attrs.frozen
class IncompleteExposure:
    """Why a total exposure is not known: the venues whose positions could not be read
    (``counted`` is the net over the others, never to be taken for the total)."""

    symbol: Symbol
    counted: Decimal
    uncounted: Mapping[ExchangeIdentifier, VenueError]

    def describe(self) -> str:
        missing = "; ".join(error.describe() for error in self.uncounted.values())
        return f"{self.symbol} exposure unknown: NOT COUNTED {missing} (counted {self.counted})"

    def __str__(self) -> str:
        return self.describe()


def total_exposure(
    positions: Mapping[ExchangeIdentifier, Result[tuple[Position, ...], VenueError]],
) -> ExposureReport:
    net: dict[Symbol, Decimal] = {}
    by_venue: dict[ExchangeIdentifier, Mapping[Symbol, Decimal]] = {}
    uncounted: dict[ExchangeIdentifier, VenueError] = {}
    for venue, result in positions.items():
        if isinstance(result, Failure):
            uncounted[venue] = result.failure()
            continue
        held: dict[Symbol, Decimal] = {}
        for position in result.unwrap():
            held[position.symbol] = held.get(position.symbol, Decimal(0)) + position.base_size
            net[position.symbol] = net.get(position.symbol, Decimal(0)) + position.base_size
        by_venue[venue] = held
    return ExposureReport(net=net, by_venue=by_venue, uncounted=uncounted)


__all__ = ["ExposureReport", "IncompleteExposure", "total_exposure"]
