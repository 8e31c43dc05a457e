"""Small steps every venue's funding reads repeat: time ranges, symbol filters, doubts.

- a history or payments query needs timezone-aware ``start < end`` (else
  :class:`InvalidRequest`, nothing sent); its answer keeps what settled in ``[start, end)``;
- a funding read for some symbols keeps only those;
- a current rate whose interval contradicts its next funding time carries
  ``interval_doubt`` (:func:`atomic_fp.intervals.interval_doubt`) and is left out downstream
  with that reason, never annualised on a guess.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

import attrs
from returns.result import Failure

from atomic_fp.errors import InvalidRequest, VenueError
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import FundingRate, Symbol


def millis(moment: datetime) -> int:
    """Epoch milliseconds (what venues' time parameters take)."""
    return int(moment.timestamp() * 1000)


def range_refusal(
    venue: str, start: datetime, end: datetime, what: str
) -> Failure[VenueError] | None:
    """Why ``[start, end)`` cannot be asked for, or ``None``."""
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        return Failure(InvalidRequest(venue, f"{what} needs aware start < end"))
    return None


def settled_within(
    rates: Iterable[FundingRate], start: datetime, end: datetime
) -> tuple[FundingRate, ...]:
    """The rates that settled in ``[start, end)``."""
    return tuple(r for r in rates if r.funding_time is not None and start <= r.funding_time < end)


def for_symbols(
    rates: Iterable[FundingRate], symbols: Collection[Symbol] | None
) -> tuple[FundingRate, ...]:
    """The rates of ``symbols`` (all when ``None``)."""
    if symbols is None:
        return tuple(rates)
    wanted = set(symbols)
    return tuple(rate for rate in rates if rate.symbol in wanted)


def with_doubt(rate: FundingRate) -> FundingRate:
    """``rate`` carrying its interval doubt, if it has one (a doubt already set stays)."""
    if rate.interval_doubt is not None:
        return rate
    doubt = interval_doubt(rate)
    return rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt)


__all__ = ["for_symbols", "millis", "range_refusal", "settled_within", "with_doubt"]
