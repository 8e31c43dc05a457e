"""What ``positions`` and ``collateral`` share: each venue's margin report, fetched
concurrently (one result per configured venue, in the configured order), and its JSON view.
A venue whose client reports no margin is a ``NotSupported`` failure, never an empty
account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from returns.result import Result, Success

from atomic_fp.aggregators import PositionAggregator
from atomic_fp.errors import VenueError
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from scripts.output import dec
from scripts.runtime import Venue, aggregator, in_venue_order

Margins = dict[ExchangeIdentifier, Result[AccountMargin, VenueError]]


async def fetch_margins(venues: Sequence[Venue]) -> Margins:
    return in_venue_order(venues, await aggregator(venues, PositionAggregator).get_margins())


def margin_view(result: Result[AccountMargin, VenueError]) -> dict[str, Any]:
    if not isinstance(result, Success):
        return {"ok": False, "error": result.failure().describe()}
    margin = result.unwrap()
    return {
        "ok": True,
        "asset": margin.asset,
        "equity": dec(margin.equity),
        "maintenance_margin": dec(margin.maintenance_margin),
        "margin_ratio": dec(margin.margin_ratio),
        "excess": dec(margin.excess),
        "observed_at": margin.observed_at,
    }
