"""What ``positions`` and ``collateral`` share: each venue's margin report, fetched
concurrently, and its JSON view. A venue whose client reports no margin is a
``NotSupported`` failure, never an empty account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from returns.future import FutureResult
from returns.result import Result, Success

from atomic_fp.errors import NotSupported, VenueError
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import MarginReporter, VenueClient
from scripts.output import dec
from scripts.runtime import Venue, call_all

Margins = dict[ExchangeIdentifier, Result[AccountMargin, VenueError]]


def _margin_of(client: VenueClient) -> FutureResult[AccountMargin, VenueError]:
    if isinstance(client, MarginReporter):
        return client.fetch_margin()
    return FutureResult.from_failure(
        NotSupported(str(client.exchange), "this venue client reports no account margin")
    )


async def fetch_margins(venues: Sequence[Venue]) -> Margins:
    return await call_all(venues, _margin_of)


def margin_view(result: Result[AccountMargin, VenueError]) -> dict[str, Any]:
    if not isinstance(result, Success):
        error = result.failure()
        return {"ok": False, "error": error.describe()}
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
