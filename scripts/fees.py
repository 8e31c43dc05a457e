"""Which fee each venue is charged at, and where that figure came from.

Precedence, per venue: the config's ``[venues.<id>] fees`` (source ``config``), else what
the venue's client quotes (:class:`~atomic_fp.venue.FeeQuoting`: the account's rates or
the venue's published tier), else the published tier of the venue's kind
(:mod:`adapters.published_fees`), else :data:`~atomic_fp.models.ASSUMED_FEES` (a venue
that publishes nothing: an external plugin without ``fetch_fees``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from returns.result import Failure, Result, Success

from adapters.published_fees import published_fees, with_note
from atomic_fp.aggregators import MarketAggregator
from atomic_fp.errors import NotSupported, VenueError
from atomic_fp.models import ASSUMED_FEES, FeeQuote, FeeSource, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.config import AppConfig
from scripts.runtime import Venue, aggregator, in_venue_order

FeeResults = Mapping[ExchangeIdentifier, Result[FeeQuote, VenueError]]


def configured_quote(fees: VenueFees) -> FeeQuote:
    return FeeQuote(fees, FeeSource.CONFIG, "[venues.<id>] fees in the config")


def resolve(
    kind: str, configured: VenueFees | None, quoted: Result[FeeQuote, VenueError] | None
) -> FeeQuote:
    """One venue's fee (see the module docstring for the precedence)."""
    if configured is not None:
        return configured_quote(configured)
    if isinstance(quoted, Success):
        quote: FeeQuote = quoted.unwrap()
        return quote
    published = published_fees(kind)
    if published is None:
        return ASSUMED_FEES
    if isinstance(quoted, Failure):
        return with_note(published, f"fee query failed ({quoted.failure().describe()})")
    return published


async def quote_all(venues: Sequence[Venue]) -> FeeResults:
    """Every built venue's own fee quote, concurrently (a failure is a value)."""
    return in_venue_order(venues, await aggregator(venues, MarketAggregator).get_fees())


def resolve_all(
    config: AppConfig, venues: Sequence[Venue], quoted: FeeResults
) -> dict[str, FeeQuote]:
    """The fee of every venue in ``venues`` by venue id."""
    resolved: dict[str, FeeQuote] = {}
    for venue in venues:
        configured = config.venue(str(venue.id))
        result = quoted.get(venue.id)
        if isinstance(result, Failure) and isinstance(result.failure(), NotSupported):
            result = None
        resolved[str(venue.id)] = resolve(
            venue.kind, configured.fees if configured else None, result
        )
    return resolved


def published_or_configured(config: AppConfig) -> dict[str, VenueFees]:
    """Without asking the venues: config fees, else each venue kind's published tier (what
    ``backtest`` uses, its venues being names in recorded data)."""
    fees: dict[str, VenueFees] = {}
    for venue in config.venues:
        quote = resolve(venue.kind, venue.fees, None)
        if quote.source is not FeeSource.ASSUMED:
            fees[str(venue.id)] = quote.fees
    return fees


__all__ = ["configured_quote", "published_or_configured", "quote_all", "resolve", "resolve_all"]
