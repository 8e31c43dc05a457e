"""Predicted next funding rates for ``scan --basis predicted`` (read with the current rates:
:func:`scripts.scan_run.gather`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from returns.result import Result, Success

from atomic_fp import concurrency
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import to_result
from scripts.runtime import GRACE, Venue

log = logging.getLogger("scripts.scan")

VenueRates = Mapping[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]]


PREDICTED_SOURCES = {"hyperliquid": "HlPerp", "binance": "BinPerp", "bybit": "BybitPerp"}
"""Venue kinds whose next funding Hyperliquid's ``predictedFundings`` predicts, by its tag
(docs.chainstack.com hyperliquid-info-predicted-fundings; fact sheet B9)."""


async def predictions(venues: Sequence[Venue]) -> VenueRates:
    """Predicted rates per venue: a venue of a kind in :data:`PREDICTED_SOURCES` gets
    Hyperliquid's prediction for it, from the first configured Hyperliquid venue (one
    request each); other venues publish none and are left out by the estimator."""
    source = next(
        (
            v.client.unwrap()
            for v in venues
            if v.kind == "hyperliquid" and isinstance(v.client, Success)
        ),
        None,
    )
    fetch = getattr(source, "fetch_predicted_funding_rates", None)
    out: dict[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]] = {}
    if fetch is None:
        return out

    async def one(venue: Venue) -> None:
        future = fetch(None, source=PREDICTED_SOURCES[venue.kind], exchange=venue.id)
        with concurrency.move_on_after(venue.timeout + GRACE):
            out[venue.id] = to_result(await future)

    async with concurrency.task_group() as group:
        for venue in venues:
            if venue.kind in PREDICTED_SOURCES:
                group.start_soon(one, venue)
    return out


def predicted_by_venue(results: VenueRates) -> dict[tuple[str, Symbol], FundingRate]:
    out: dict[tuple[str, Symbol], FundingRate] = {}
    for venue, result in results.items():
        if isinstance(result, Success):
            for rate in result.unwrap():
                out[(venue.name, rate.symbol)] = rate
        else:
            log.info("venue %s: no predicted rates: %s", venue, result.failure().describe())
    return out
