"""Rates a cycle takes from live market streams instead of asking every venue's REST API.

A :class:`PushedRateSource` (``run`` gives one fed by the venues' market streams, see
``adapters/streams/live_rates.py``) answers, per venue, either the pushed
:class:`FundingRate` to decide on, or why that venue's rate must come from REST this cycle
(its stream is down, reconnecting, not subscribed to the symbol, or its data is older than
``max_data_age``: stale stream data is never handed to the decisions). Venues it does not
mention are asked over REST as before. Positions, markets, books and order lookups stay on
REST whatever the source: they are the safety net.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from returns.result import Result, Success

from atomic_fp.aggregators import FundingRateAggregator
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.per_venue import ByVenue, RateInputs
from atomic_fp.venue import VenueClient

STREAM = "stream"
REST = "REST"


class PushedRateSource(Protocol):
    def rates_for(
        self, symbol: Symbol, venues: Collection[ExchangeIdentifier], now: datetime
    ) -> Mapping[ExchangeIdentifier, FundingRate | str]:
        """Per venue: the pushed rate to use, or (text) why REST must answer instead."""
        ...


def describe_source(pushed: FundingRate | str | None, now: datetime) -> str:
    """What a cycle report says about where a venue's rate came from."""
    if pushed is None:
        return REST
    if isinstance(pushed, str):
        return f"{REST} fallback: {pushed}"
    age = max(0, int((now - pushed.observed_at).total_seconds()))
    return f"{STREAM} (age {age}s)"


async def gather_rates(
    symbol: Symbol,
    clients: Sequence[VenueClient],
    source: PushedRateSource,
    now: datetime,
    query_timeout: float | None,
) -> tuple[RateInputs, dict[ExchangeIdentifier, str]]:
    """The cycle's rates (pushed where the source has a usable one, REST for the rest, in
    the clients' order) and, per venue, where each came from."""
    venues = [client.exchange for client in clients]
    pushed = source.rates_for(symbol, venues, now)
    polled = [c for c in clients if not isinstance(pushed.get(c.exchange), FundingRate)]
    rest: Mapping[ExchangeIdentifier, Result[FundingRate, VenueError]] = (
        await FundingRateAggregator(polled, query_timeout).get_all_rates(symbol) if polled else {}
    )
    merged: list[tuple[ExchangeIdentifier, Result[FundingRate, VenueError]]] = []
    for venue in venues:
        value = pushed.get(venue)
        merged.append((venue, Success(value) if isinstance(value, FundingRate) else rest[venue]))
    sources = {venue: describe_source(pushed.get(venue), now) for venue in venues}
    return ByVenue(merged), sources
