"""Inputs and outputs shared by the decisions."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import attrs
from returns.result import Result

from atomic_fp.models import FundingRate, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier

# The per-venue input types live below the aggregators and the decisions (both use them).
from atomic_fp.per_venue import (
    BookInputs,
    ByVenue,
    MarginInputs,
    MarketInputs,
    PositionInputs,
    RateInputs,
    VenueInputs,
)


@attrs.frozen
class NoTrade:
    """Why a decision produced no signal. ``excluded`` names each venue left out and why."""

    reason: str
    excluded: tuple[str, ...] = ()

    def __str__(self) -> str:
        if not self.excluded:
            return self.reason
        return f"{self.reason} (excluded: {'; '.join(self.excluded)})"


@attrs.frozen
class Opportunity:
    """One ordered venue pair for one symbol: long where funding is low, short where high.

    APRs are fractions. ``spread_apr = short_apr - long_apr`` (what the hedge earns per year
    at these rates); ``cost_apr`` the amortised round-trip fees (and entry price gap when
    books were given); ``net_apr = spread_apr - cost_apr``.
    """

    symbol: Symbol
    long_rate: FundingRate
    short_rate: FundingRate
    spread_apr: Decimal
    cost_apr: Decimal
    net_apr: Decimal

    @property
    def long_venue(self) -> ExchangeIdentifier:
        return self.long_rate.exchange

    @property
    def short_venue(self) -> ExchangeIdentifier:
        return self.short_rate.exchange

    @property
    def long_apr(self) -> Decimal:
        return self.long_rate.apr

    @property
    def short_apr(self) -> Decimal:
        return self.short_rate.apr


DecisionResult: TypeAlias = Result[TradingSignal, NoTrade]

__all__ = [
    "BookInputs",
    "ByVenue",
    "DecisionResult",
    "MarginInputs",
    "MarketInputs",
    "NoTrade",
    "Opportunity",
    "PositionInputs",
    "RateInputs",
    "TradingSignal",
    "VenueInputs",
]
