"""Ranking every ordered venue pair of every symbol (what ``scan`` shows).

The numbers are the ones :class:`FundingArbitrageDecision` uses (same formulas in
:mod:`atomic_fp.costs`), exact Decimals. Speed matters (``scan`` ranks hundreds of symbols on
ten venues), so the ranking:

- computes each rate's APR once (hours per interval cached), each venue pair's fee APR once;
- sorts by a float shadow of the net APR (Python's fast float sort), then re-sorts *exactly*
  (Decimal, then the tie order) every run of neighbours whose floats are too close to be
  trusted. ``float(Decimal)`` is monotonic and the float arithmetic's error is bounded by a
  few ulps of the largest magnitude, so any two items the floats could misorder end up in
  one such run: the final order is the exact Decimal order.

Ties (equal net APR) keep the order (symbol, long venue, short venue).

The ranking is informational: it judges neither staleness nor positions nor lot sizes (the
decision does, per symbol). ``min_net_apr`` returns only pairs at or above it, skipping the
Decimal work and object construction of the rest.

Duplicates: when one venue quotes one symbol twice, the latest observation wins (then the
higher APR, then any fixed order: the choice never depends on input order).

Books: ``books`` holds at most one book per venue; it applies to the rates of the book's
symbol. For a pair whose two venues both have a book of the symbol, the entry price gap at
``config.trade_size`` (base units; venue units via ``markets``' contract multipliers when
given, else 1) is added to the cost; a pair whose books cannot fill that size (or only
beyond ``slippage_cap``) is left out of the ranking, since it cannot be opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import attrs

from atomic_fp import costs
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    HOURS_PER_YEAR,
    ArbitrageConfig,
    FundingRate,
    Market,
    OrderBook,
    Side,
    Symbol,
    interval_hours,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

_Setter = Callable[[Opportunity, object], None]


def _slot_setters() -> tuple[_Setter, ...] | None:
    """Setters of Opportunity's slots, to build instances without ``__init__``: the class
    has no validators, converters or post-init, so setting its six slots equals calling
    ``Opportunity(...)`` at a fraction of the cost. ``None`` (use the constructor) if the
    class ever changes shape; a test checks both give equal objects."""
    names = ("symbol", "long_rate", "short_rate", "spread_apr", "cost_apr", "net_apr")
    fields = attrs.fields(Opportunity)
    if (
        tuple(f.name for f in fields) != names
        or any(f.validator or f.converter or f.on_setattr for f in fields)
        or not set(names) <= set(getattr(Opportunity, "__slots__", ()))
        or hasattr(Opportunity, "__attrs_post_init__")
    ):
        return None
    return tuple(Opportunity.__dict__[name].__set__ for name in names)


_SETTERS = _slot_setters()


def _preference(rate: FundingRate) -> tuple[datetime, Decimal, str]:
    """Which of two quotes of one venue and symbol to keep: the latest, then the higher
    APR, then (any total order, so input order never matters) the representation."""
    return (rate.observed_at, rate.apr, repr(rate))


def _latest_by_symbol(rates: Iterable[FundingRate]) -> dict[Symbol, dict[str, FundingRate]]:
    """Rates grouped by symbol (in symbol order), one per venue (see :func:`_preference`).

    Grouping and sorting use ``(base, quote, contract type)`` strings: the same order as
    :class:`Symbol`'s, without its Python-level hash and comparisons (a third of the
    ranking's time otherwise)."""
    grouped: dict[tuple[str, str, str], tuple[Symbol, dict[str, FundingRate]]] = {}
    for rate in rates:
        symbol = rate.symbol
        key = (symbol.base, symbol.quote, symbol.contract_type.value)
        entry = grouped.get(key)
        if entry is None:
            entry = grouped[key] = (symbol, {})
        venues = entry[1]
        name = rate.exchange.name
        previous = venues.get(name)
        if previous is None or _preference(rate) > _preference(previous):
            venues[name] = rate
    return {grouped[key][0]: grouped[key][1] for key in sorted(grouped)}


def _gap_apr(
    long_book: OrderBook,
    short_book: OrderBook,
    config: ArbitrageConfig,
    multipliers: Mapping[tuple[str, Symbol], Decimal],
) -> Decimal | None:
    """Entry gap APR at ``trade_size``, or None when it cannot be filled within the cap."""
    prices = []
    for book, side in ((long_book, Side.BUY), (short_book, Side.SELL)):
        multiplier = multipliers.get((book.exchange.name, book.symbol), Decimal(1))
        size = config.trade_size / multiplier
        vwap = book.average_fill_price(side, size)
        touch = book.best_ask if side is Side.BUY else book.best_bid
        if vwap is None or touch is None or abs(vwap - touch) / touch > config.slippage_cap:
            return None
        prices.append(vwap / multiplier)
    return costs.entry_gap_apr(prices[0], prices[1], config.holding_horizon)


def rank_opportunities(
    rates: Iterable[FundingRate],
    config: ArbitrageConfig,
    books: Mapping[ExchangeIdentifier, OrderBook] | None = None,
    *,
    markets: Iterable[Market] | None = None,
    min_net_apr: Decimal | None = None,
    per_symbol: int | None = None,
) -> tuple[Opportunity, ...]:
    """All ordered venue pairs of every symbol quoted on >= 2 venues, best net APR first;
    ties broken deterministically (by symbol, then long venue, then short venue).

    ``markets`` (optional) only supplies contract multipliers for the book gap.
    ``min_net_apr`` (optional) keeps only pairs whose net APR is >= it (exactly), which is
    much cheaper than ranking everything and filtering afterwards.
    ``per_symbol`` (optional) keeps only each symbol's best ``per_symbol`` pairs (still
    ordered best first overall): ``per_symbol=1`` equals
    ``best_per_symbol(rank_opportunities(...))`` but only builds the winners, which is
    what makes ``scan``'s default view fast."""
    by_symbol = _latest_by_symbol(rates)
    if per_symbol is not None:
        if per_symbol < 1:
            return ()
        if not books:
            fast = _top_per_symbol(by_symbol, config, per_symbol, min_net_apr)
            if fast is not None:
                return fast
        ranked = rank_opportunities(
            rates=[r for venues in by_symbol.values() for r in venues.values()],
            config=config,
            books=books,
            markets=markets,
            min_net_apr=min_net_apr,
        )
        return _first_per_symbol(ranked, per_symbol)
    multipliers = {(m.exchange.name, m.symbol): m.contract_multiplier for m in markets or ()}
    books_by = {(name.name, book.symbol): book for name, book in (books or {}).items()}
    hours: dict[timedelta, Decimal] = {}
    fee_rows: dict[str, dict[str, tuple[Decimal, float]]] = {}
    opportunities: list[Opportunity] = []
    shadow: list[float] = []
    largest = 0.0
    add, add_shadow = opportunities.append, shadow.append
    new = object.__new__
    setters = _SETTERS
    if setters is not None:
        s0, s1, s2, s3, s4, s5 = setters
    # Pairs whose float shadow is clearly below min_net_apr are skipped before any Decimal
    # work; the rest are checked exactly. The margin is set once the magnitudes are known.
    floor_f: float | None = None
    fee_bound = _fee_apr_bound(config, min_net_apr)
    for symbol in by_symbol:  # already in symbol order
        venues = by_symbol[symbol]
        if len(venues) < 2:
            continue
        quoted = []
        for name in sorted(venues):
            rate = venues[name]
            apr = _apr(rate, hours)  # == rate.apr, computed once
            apr_f = float(apr)
            largest = max(largest, abs(apr_f))
            quoted.append((name, rate, apr, apr_f))
        if min_net_apr is not None and not books_by:
            floor_f = float(min_net_apr) - max(largest, fee_bound) * 2.0**-40
        for long_name, long_rate, long_apr, long_f in quoted:
            row = fee_rows.get(long_name)
            if row is None:
                row = fee_rows[long_name] = {}
            for short_name, short_rate, short_apr, short_f in quoted:
                if long_name is short_name:
                    continue
                fee = row.get(short_name)
                if fee is None:
                    exact = costs.fee_apr(config, long_name, short_name)
                    fee = row[short_name] = (exact, float(exact))
                    largest = max(largest, fee[1])
                cost, cost_f = fee
                if books_by:
                    long_book = books_by.get((long_name, symbol))
                    short_book = books_by.get((short_name, symbol))
                    if long_book is not None and short_book is not None:
                        gap = _gap_apr(long_book, short_book, config, multipliers)
                        if gap is None:
                            continue
                        cost += gap
                        cost_f = float(cost)
                        largest = max(largest, cost_f)
                net_f = short_f - long_f - cost_f
                if floor_f is not None and net_f < floor_f:
                    continue
                spread = short_apr - long_apr
                net = spread - cost
                if min_net_apr is not None and net < min_net_apr:
                    continue
                if setters is not None:
                    opportunity = new(Opportunity)
                    s0(opportunity, symbol)
                    s1(opportunity, long_rate)
                    s2(opportunity, short_rate)
                    s3(opportunity, spread)
                    s4(opportunity, cost)
                    s5(opportunity, net)
                else:
                    opportunity = Opportunity(symbol, long_rate, short_rate, spread, cost, net)
                add(opportunity)
                add_shadow(net_f)
    return tuple(_exact_order(opportunities, shadow, largest))


def _fee_apr_bound(config: ArbitrageConfig, min_net_apr: Decimal | None) -> float:
    """An upper bound of any pair's fee APR (and of ``|min_net_apr|``): with the APRs it
    bounds the magnitudes whose few-ulp errors the float shadow can carry."""
    takers = [fees.taker for fees in config.fees.values()] + [config.default_fees.taker]
    bound = float(costs.amortised_apr(4 * max(takers), config.holding_horizon))
    return max(bound, abs(float(min_net_apr or 0)))


def _exact_order(
    opportunities: list[Opportunity], shadow: list[float], largest: float
) -> list[Opportunity]:
    """Best net APR first, exact; equal nets keep their (tie) order in ``opportunities``."""
    if largest != largest or largest == float("inf"):  # NaN/inf: floats are useless here
        # sorted() is stable also with reverse=True: ties keep their order
        return sorted(opportunities, key=lambda o: o.net_apr, reverse=True)
    order = sorted(range(len(opportunities)), key=shadow.__getitem__, reverse=True)
    values = [shadow[i] for i in order]
    # Each shadow is within a few ulps of its exact value; 2**-46 of the largest magnitude
    # bounds twice that error with room to spare. Neighbours closer than this may be
    # misordered (or tied): each chain of them is re-sorted exactly.
    tolerance = largest * 2.0**-46
    close = [k for k, (a, b) in enumerate(pairwise(values), 1) if a - b <= tolerance]
    net = [o.net_apr for o in opportunities] if close else []
    k = 0
    while k < len(close):
        start = close[k] - 1
        end = close[k]
        while k + 1 < len(close) and close[k + 1] == end + 1:
            k += 1
            end += 1
        run = sorted(order[start : end + 1])  # back to tie order, then a stable exact sort
        order[start : end + 1] = sorted(run, key=net.__getitem__, reverse=True)
        k += 1
    return [opportunities[i] for i in order]


def _first_per_symbol(opportunities: Iterable[Opportunity], count: int) -> tuple[Opportunity, ...]:
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


def _top_per_symbol(
    by_symbol: Mapping[Symbol, Mapping[str, FundingRate]],
    config: ArbitrageConfig,
    count: int,
    min_net_apr: Decimal | None,
) -> tuple[Opportunity, ...] | None:
    """Each symbol's best ``count`` pairs (fees only), building only those; ``None`` when
    the floats cannot be trusted (an APR beyond float range).

    Per symbol the pairs' float shadows are ranked; every pair within the float tolerance
    of the ``count``-th best shadow is a candidate (a pair further below has ``count``
    pairs surely better than it), candidates are ranked exactly, the first ``count`` kept.
    """
    hours: dict[timedelta, Decimal] = {}
    matrices: dict[tuple[str, ...], tuple[list[list[Decimal]], list[list[float]]]] = {}
    fee_bound = _fee_apr_bound(config, min_net_apr)
    chosen: list[Opportunity] = []
    shadow: list[float] = []
    largest = fee_bound
    minus_infinity = float("-inf")
    for symbol in by_symbol:  # already in symbol order
        venues = by_symbol[symbol]
        size = len(venues)
        if size < 2:
            continue
        names = tuple(sorted(venues))
        quoted = [venues[name] for name in names]
        aprs = [_apr(rate, hours) for rate in quoted]
        floats = [float(apr) for apr in aprs]
        magnitude = max(max(map(abs, floats)), fee_bound)
        if magnitude == float("inf"):
            return None
        largest = max(largest, magnitude)
        matrix = matrices.get(names)
        if matrix is None:
            matrix = matrices[names] = _fee_matrix(names, config)
        exact_fees, float_fees = matrix
        pair_shadow: list[float] = []
        for i, long_f in enumerate(floats):
            pair_shadow.extend(
                [short_f - long_f - fee for short_f, fee in zip(floats, float_fees[i], strict=True)]
            )
            pair_shadow[i * size + i] = minus_infinity  # a venue is no pair with itself
        if count == 1:
            cutoff = max(pair_shadow) - magnitude * 2.0**-46
            indexes = [i for i, value in enumerate(pair_shadow) if value >= cutoff]
        else:
            order = sorted(range(size * size), key=pair_shadow.__getitem__, reverse=True)
            pairs = size * (size - 1)
            cutoff = pair_shadow[order[min(count, pairs) - 1]] - magnitude * 2.0**-46
            indexes = [i for i in order[:pairs] if pair_shadow[i] >= cutoff]
        candidates = []
        for index in indexes:
            long_i, short_i = divmod(index, size)
            spread = aprs[short_i] - aprs[long_i]
            net = spread - exact_fees[long_i][short_i]
            candidates.append((net, index, spread))
        candidates.sort(key=lambda c: c[1])  # tie order: (long venue, short venue)
        candidates.sort(key=lambda c: c[0], reverse=True)  # stable: exact, then tie order
        for net, index, spread in candidates[:count]:
            if min_net_apr is not None and net < min_net_apr:
                break
            long_i, short_i = divmod(index, size)
            cost = exact_fees[long_i][short_i]
            chosen.append(Opportunity(symbol, quoted[long_i], quoted[short_i], spread, cost, net))
            shadow.append(pair_shadow[index])
    return tuple(_exact_order(chosen, shadow, largest))


def _apr(rate: FundingRate, hours: dict[timedelta, Decimal]) -> Decimal:
    """``rate.apr`` with the interval's hours cached (same operations, same Decimal)."""
    interval_h = hours.get(rate.interval)
    if interval_h is None:
        interval_h = hours[rate.interval] = interval_hours(rate.interval)
    return rate.rate / interval_h * HOURS_PER_YEAR


def _fee_matrix(
    names: tuple[str, ...], config: ArbitrageConfig
) -> tuple[list[list[Decimal]], list[list[float]]]:
    """Fee APR of every (long, short) venue pair, exact and as floats (diagonal: unused)."""
    exact = [[costs.fee_apr(config, long, short) for short in names] for long in names]
    return exact, [[float(fee) for fee in row] for row in exact]
