"""The latest rate of every (venue, symbol), from streams or from REST, with its source.

Pure bookkeeping (no I/O, no clock): callers pass what arrived. A stream update is mapped
to its instrument through the venue's :class:`~atomic_fp.models.Market` list (updates for
instruments not listed, e.g. a second quote of the same base, are ignored). When the market
list is unavailable the instruments named by a REST funding answer serve instead. An update older
than the value held is ignored too (a REST answer that lands after a fresher push must not
roll the value back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from adapters.streams.types import Listing, RateUpdate
from atomic_fp.models import FundingRate, Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

Source = Literal["stream", "rest"]


@attrs.frozen
class HeldRate:
    rate: FundingRate
    source: Source


@attrs.define
class RateBoard:
    _markets: dict[ExchangeIdentifier, dict[str, Listing]] = attrs.field(factory=dict)
    _rates: dict[tuple[ExchangeIdentifier, Symbol], HeldRate] = attrs.field(factory=dict)

    def set_markets(self, venue: ExchangeIdentifier, markets: Iterable[Market]) -> None:
        self.set_listings(venue, (Listing.of_market(m) for m in markets))

    def set_listings(self, venue: ExchangeIdentifier, listings: Iterable[Listing]) -> None:
        self._markets[venue] = {item.venue_symbol: item for item in listings}

    def venue_symbols(self, venue: ExchangeIdentifier) -> list[str]:
        return sorted(self._markets.get(venue, {}))

    def apply_stream(self, venue: ExchangeIdentifier, updates: Iterable[RateUpdate]) -> int:
        """Record pushed rates; the number of (venue, symbol) values that changed."""
        markets = self._markets.get(venue, {})
        changed = 0
        for update in updates:
            market = markets.get(update.venue_symbol)
            if market is None:
                continue
            changed += self._put(update.to_funding_rate(market), "stream")
        return changed

    def apply_rest(self, rates: Iterable[FundingRate]) -> int:
        return sum(self._put(rate, "rest") for rate in rates)

    def _put(self, rate: FundingRate, source: Source) -> int:
        key = (rate.exchange, rate.symbol)
        held = self._rates.get(key)
        if held is not None and held.rate.observed_at > rate.observed_at:
            return 0
        self._rates[key] = HeldRate(rate, source)
        return 0 if held is not None and held.rate == rate else 1

    def rates(self) -> list[FundingRate]:
        return [held.rate for held in self._rates.values()]

    def held(self) -> Mapping[tuple[ExchangeIdentifier, Symbol], HeldRate]:
        return dict(self._rates)

    def count(self, venue: ExchangeIdentifier, source: Source | None = None) -> int:
        return sum(
            1
            for (v, _), held in self._rates.items()
            if v == venue and (source is None or held.source == source)
        )
