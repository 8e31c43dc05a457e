"""Ranking every ordered venue pair of every symbol (what ``scan`` shows).
(Interface; the implementation lands with issue 2.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import ArbitrageConfig, FundingRate, OrderBook
from atomic_fp.models.identifiers import ExchangeIdentifier


def rank_opportunities(
    rates: Iterable[FundingRate],
    config: ArbitrageConfig,
    books: Mapping[ExchangeIdentifier, OrderBook] | None = None,
) -> tuple[Opportunity, ...]:
    """All ordered venue pairs of every symbol quoted on >= 2 venues, best net APR first;
    ties broken deterministically (by symbol, then long venue, then short venue)."""
    raise NotImplementedError


def best_per_symbol(opportunities: Iterable[Opportunity]) -> tuple[Opportunity, ...]:
    """The first (best) opportunity of each symbol, keeping the input order."""
    raise NotImplementedError
