"""Ranking every ordered venue pair of every symbol (what ``scan`` shows).

The numbers are the ones :class:`FundingArbitrageDecision` uses (same formulas in
:mod:`atomic_fp.costs`), exact Decimals. Speed matters (``scan`` ranks hundreds of symbols on
ten venues: 45,000 ordered pairs for 10 venues x 500 symbols), so the full ranking is a
lazy, immutable sequence (:class:`RankedOpportunities`):

- each rate's APR and each venue's share of the fees are computed once, as floats; every
  pair's net APR is a float *shadow* of the exact one, and the pairs are sorted by it
  (Python's fast float sort). The error of each shadow is bounded (see
  :func:`_tolerance`), so two pairs the floats could misorder (or tie wrongly) are
  neighbours in a *run* of shadows no further apart than the tolerance;
- a run is re-sorted exactly (Decimal net APR, then the tie order) the first time one of
  its positions is read; an :class:`Opportunity` (exact Decimal spread, cost, net) is
  built only when read, then cached. The order read is therefore exactly the order of
  the Decimal net APRs, whatever is read first: the runs are a fixed function of the
  float order, and resolving one never moves a pair outside it.

Ties (equal net APR) keep the order (symbol, long venue, short venue).

The ranking is informational: it judges neither staleness nor positions nor lot sizes (the
decision does, per symbol). ``min_net_apr`` returns only pairs at or above it (pairs whose
shadow is clearly on one side are decided by it, the rest exactly).

Duplicates: when one venue quotes one symbol twice, the latest observation wins (then the
higher APR, then any fixed order: the choice never depends on input order).

Books: ``books`` holds at most one book per venue; it applies to the rates of the book's
symbol. For a pair whose two venues both have a book of the symbol, the entry price gap at
``config.trade_size`` (base units; venue units via ``markets``' contract multipliers when
given, else 1) is added to the cost; a pair whose books cannot fill that size (or only
beyond ``slippage_cap``) is left out of the ranking, since it cannot be opened. With books
the ranking is built eagerly (a tuple): the gap is per pair, so there is nothing to share.

Where each part lives: this module groups the rates and chooses a path;
:mod:`~atomic_fp.decisions.ranking_lazy` (with :mod:`~atomic_fp.decisions.ranking_pairs` and
:mod:`~atomic_fp.decisions.ranked_opportunities`) is the lazy full ranking,
:mod:`~atomic_fp.decisions.ranking_eager` the eager one,
:mod:`~atomic_fp.decisions.ranking_best` each symbol's best pairs, and
:mod:`~atomic_fp.decisions.ranking_exact` what they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from atomic_fp.decisions.ranked_opportunities import RankedOpportunities
from atomic_fp.decisions.ranking_best import _top_per_symbol
from atomic_fp.decisions.ranking_eager import _rank_eagerly
from atomic_fp.decisions.ranking_lazy import _rank_lazily
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    ArbitrageConfig,
    FundingRate,
    Market,
    OrderBook,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

__all__ = ["RankedOpportunities", "best_per_symbol", "rank_opportunities"]


def _preference(rate: FundingRate) -> tuple[datetime, Decimal, str]:
    """Which of two quotes of one venue and symbol to keep: the latest, then the higher
    APR, then (any total order, so input order never matters) the representation."""
    return (rate.observed_at, rate.apr, repr(rate))


def _latest_by_symbol(rates: Iterable[FundingRate]) -> list[tuple[Symbol, dict[str, FundingRate]]]:
    """Rates grouped by symbol (in symbol order), one per venue (see :func:`_preference`).

    Grouping and sorting use ``(base, contract type)`` strings: the fields of
    :class:`Symbol`'s equality and order (its ``quote`` is for display: ``BTC/USDT`` and
    ``BTC/USDC`` are one symbol, and pair up), without its Python-level hash and
    comparisons (a third of the ranking's time otherwise); each contract type's value is
    read once (enum members are singletons: ``id`` identifies them). A group keeps the
    first Symbol object seen."""
    grouped: dict[tuple[str, str], tuple[Symbol, dict[str, FundingRate]]] = {}
    contract_values: dict[int, str] = {}
    # Symbol object -> its group, by identity (rates of one symbol often share one Symbol
    # object); the Symbol is held in the value, so its id cannot be reused meanwhile.
    by_object: dict[int, tuple[Symbol, dict[str, FundingRate]]] = {}
    for rate in rates:
        symbol = rate.symbol
        known = by_object.get(id(symbol))
        if known is not None and known[0] is symbol:
            venues = known[1]
        else:
            contract = symbol.contract_type
            value = contract_values.get(id(contract))
            if value is None:
                value = contract_values[id(contract)] = contract.value
            key = (symbol.base, value)
            entry = grouped.get(key)
            if entry is None:
                entry = grouped[key] = (symbol, {})
            venues = entry[1]
            by_object[id(symbol)] = (symbol, venues)
        name = rate.exchange.name
        previous = venues.setdefault(name, rate)  # one dict operation when not a repeat
        if previous is not rate and _preference(rate) > _preference(previous):
            venues[name] = rate
    return [grouped[key] for key in sorted(grouped)]


def rank_opportunities(
    rates: Iterable[FundingRate],
    config: ArbitrageConfig,
    books: Mapping[ExchangeIdentifier, OrderBook] | None = None,
    *,
    markets: Iterable[Market] | None = None,
    min_net_apr: Decimal | None = None,
    per_symbol: int | None = None,
) -> Sequence[Opportunity]:
    """All ordered venue pairs of every symbol quoted on >= 2 venues, best net APR first;
    ties broken deterministically (by symbol, then long venue, then short venue).

    The result is an immutable sequence; without books it is a lazy
    :class:`RankedOpportunities` (each :class:`Opportunity` is built when read), else a
    tuple. It compares equal to a tuple of the same opportunities.

    ``markets`` (optional) only supplies contract multipliers for the book gap.
    ``min_net_apr`` (optional) keeps only pairs whose net APR is >= it (exactly).
    ``per_symbol`` (optional) keeps only each symbol's best ``per_symbol`` pairs (still
    ordered best first overall), as a tuple: ``per_symbol=1`` equals
    ``best_per_symbol(rank_opportunities(...))`` but only ranks each symbol's pairs."""
    by_symbol = _latest_by_symbol(rates)
    if per_symbol is not None:
        if per_symbol < 1:
            return ()
        if not books:
            fast = _top_per_symbol(by_symbol, config, per_symbol, min_net_apr)
            if fast is not None:
                return fast
        ranked = rank_opportunities(
            rates=[r for _, venues in by_symbol for r in venues.values()],
            config=config,
            books=books,
            markets=markets,
            min_net_apr=min_net_apr,
        )
        return _first_per_symbol(ranked, per_symbol)
    if not books:
        lazy = _rank_lazily(by_symbol, config, min_net_apr)
        if lazy is not None:
            return lazy
    return _rank_eagerly(by_symbol, config, books, markets, min_net_apr)


def _first_per_symbol(opportunities: Iterable[Opportunity], count: int) -> tuple[Opportunity, ...]:
    if isinstance(opportunities, RankedOpportunities):
        return opportunities.first_per_symbol(count)
    seen: dict[Symbol, int] = {}
    kept: list[Opportunity] = []
    for opportunity in opportunities:
        taken = seen.get(opportunity.symbol, 0)
        if taken < count:
            seen[opportunity.symbol] = taken + 1
            kept.append(opportunity)
    return tuple(kept)


def best_per_symbol(opportunities: Iterable[Opportunity]) -> tuple[Opportunity, ...]:
    """The first (best) opportunity of each symbol, keeping the input order."""
    return _first_per_symbol(opportunities, 1)
