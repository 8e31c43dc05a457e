"""Market streams for ``run``: the venues that have one (Binance, Hyperliquid, GRVT,
Lighter) push their rates, and the cycles decide on those instead of asking every venue's
REST API each time (see :mod:`adapters.streams.live_rates` for when a pushed rate is
trusted). The streams subscribe to the traded symbols only, as listed by each venue's
market list; a venue whose market list cannot be read, or whose kind has no stream, stays
on REST. Positions, books, markets and order lookups stay on REST in every case.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from returns.result import Success

from adapters.streams.live_rates import Clock, LiveRates
from adapters.streams.registry import wire_for
from adapters.streams.types import GapDetected, Listing, StateChanged, StreamEvent
from atomic_fp.aggregators import MarketAggregator
from atomic_fp.models import Symbol
from scripts.runtime import Venue, aggregator, in_venue_order

log = logging.getLogger("scripts.run")


def _log_event(event: StreamEvent) -> None:
    if isinstance(event, GapDetected):
        log.warning("market stream gap: %s", event.gap.describe())
    elif isinstance(event, StateChanged):
        detail = f" ({event.detail})" if event.detail else ""
        log.info("%s market stream: %s%s", event.venue, event.state.value, detail)


async def market_streams(
    venues: Sequence[Venue],
    ws_urls: Mapping[str, str | None],
    symbols: Sequence[Symbol],
    max_age: timedelta,
    clock: Clock,
) -> LiveRates | None:
    """The streams of every venue that has one, subscribed to ``symbols``; not yet
    running (start :meth:`LiveRates.run` in a task group). ``None`` when no venue has a
    stream (every rate is asked over REST, as before)."""
    live = LiveRates(max_age=max_age, clock=clock, on_event=_log_event)
    streamed = [v for v in venues if wire_for(v.kind, str(v.id), None) is not None]
    if not streamed:
        return None
    markets = in_venue_order(streamed, await aggregator(streamed, MarketAggregator).get_markets())
    wanted = frozenset(symbols)
    for venue in streamed:
        found = markets[venue.id]
        if not isinstance(found, Success):
            log.warning(
                "%s: no market list (%s); its rates come from REST",
                venue.id,
                found.failure().describe(),
            )
            continue
        listings = [Listing.of_market(m) for m in found.unwrap() if m.symbol in wanted]
        wire = wire_for(venue.kind, str(venue.id), ws_urls.get(str(venue.id)))
        if wire is None or not listings:
            continue
        live.add(venue.id, wire, listings, ca_bundle=venue.ca_bundle)
    return live if live.feeds else None
