"""Each symbol's best pairs without ranking every pair (``rank_opportunities(...,
per_symbol=N)`` without books)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from atomic_fp import costs
from atomic_fp.decisions.ranking_exact import _apr, _BySymbol, _exact_order, _fee_apr_bound
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    ArbitrageConfig,
    interval_hours,
)


def _top_per_symbol(
    by_symbol: _BySymbol,
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
    if count == 1:
        return _best_per_symbol(by_symbol, config, min_net_apr)
    hours: dict[timedelta, Decimal] = {}
    matrices: dict[tuple[str, ...], tuple[list[list[Decimal]], list[list[float]]]] = {}
    fee_bound = _fee_apr_bound(config, min_net_apr)
    chosen: list[Opportunity] = []
    shadow: list[float] = []
    largest = fee_bound
    minus_infinity = float("-inf")
    for symbol, venues in by_symbol:  # already in symbol order
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


def _best_per_symbol(
    by_symbol: _BySymbol, config: ArbitrageConfig, min_net_apr: Decimal | None
) -> tuple[Opportunity, ...] | None:
    """:func:`_top_per_symbol` with ``count == 1`` in O(venues) per symbol, not O(venues^2).

    The fee APR of a pair is a sum of one share per venue (``2 * (taker_long +
    taker_short)`` amortised: :mod:`atomic_fp.costs`), so a pair's float shadow is
    ``(apr_short - share_short) - (apr_long + share_long)``: the best pair is the largest
    of the first minus the smallest of the second (the second largest / smallest when
    both are one venue). As in :func:`_top_per_symbol`, every pair whose shadow is within
    the float tolerance of the best is a candidate, and candidates are ranked exactly
    (Decimal net APR with the exact fee of the pair, then the tie order), so the result
    is exactly :func:`_top_per_symbol`'s (a hypothesis property checks it against the
    full ranking).

    One pass per symbol: each rate's float APR is computed once per distinct (interval,
    payable rate) of the call (``float(Decimal)`` parses a string, the dearest step;
    venues quote many equal rates, e.g. the 0.01 %/8 h interest baseline), with its
    venue's two float shadows (as short leg: APR - share, as long leg: APR + share);
    max/min are taken by C ``max``/``min`` on those lists; Decimal only for the few
    candidates within the float tolerance of the best."""
    hours: dict[timedelta, Decimal] = {}
    float_aprs: dict[timedelta, tuple[float, dict[Decimal, float]]] = {}
    shares: dict[str, float] = {}
    exact_fees: dict[tuple[str, str], Decimal] = {}
    fee_bound = _fee_apr_bound(config, min_net_apr)
    chosen: list[Opportunity] = []
    shadow: list[float] = []
    largest = fee_bound
    infinity = float("inf")
    for symbol, venues in by_symbol:  # already in symbol order
        size = len(venues)
        if size < 2:
            continue
        named = sorted(venues.items())  # by venue name (names are unique)
        gains: list[float] = []  # as the short leg: APR - fee share
        costs_: list[float] = []  # as the long leg: APR + fee share
        magnitude = fee_bound
        for name, rate in named:
            interval = rate.interval
            per_interval = float_aprs.get(interval)
            if per_interval is None:
                per_interval = float_aprs[interval] = (
                    8760.0 / float(interval_hours(interval)),
                    {},
                )
            payable = rate.rate
            if rate.cap is not None or rate.floor is not None:
                payable = rate.payable
            apr = per_interval[1].get(payable)
            if apr is None:
                # exact APR within a few ulps
                apr = per_interval[1][payable] = float(payable) * per_interval[0]
            share = shares.get(name)
            if share is None:
                share = shares[name] = _fee_share(config, name)
            gains.append(apr - share)
            costs_.append(apr + share)
            if apr > magnitude:
                magnitude = apr
            elif -apr > magnitude:
                magnitude = -apr
        if magnitude == infinity:
            return None
        if magnitude > largest:
            largest = magnitude
        top_gain = max(gains)
        low_cost = min(costs_)
        best_short = gains.index(top_gain)
        best_long = costs_.index(low_cost)
        if best_short != best_long:
            top = top_gain - low_cost
        else:
            other_gain = max(g for i, g in enumerate(gains) if i != best_short)
            other_cost = min(c for i, c in enumerate(costs_) if i != best_long)
            top = max(top_gain - other_cost, other_gain - low_cost)
        cutoff = top - magnitude * 2.0**-45
        longs = [i for i, c in enumerate(costs_) if top_gain - c >= cutoff]
        shorts = [i for i, g in enumerate(gains) if g - low_cost >= cutoff]
        candidates = []
        for long_i in longs:
            for short_i in shorts:
                if long_i == short_i or gains[short_i] - costs_[long_i] < cutoff:
                    continue
                pair = (named[long_i][0], named[short_i][0])
                fee = exact_fees.get(pair)
                if fee is None:
                    fee = exact_fees[pair] = costs.fee_apr(config, *pair)
                spread = _apr(named[short_i][1], hours) - _apr(named[long_i][1], hours)
                candidates.append((spread - fee, long_i * size + short_i, spread, fee))
        if len(candidates) > 1:
            candidates.sort(key=lambda c: c[1])  # tie order: (long venue, short venue)
            candidates.sort(key=lambda c: c[0], reverse=True)  # stable: exact, then tie order
        net, index, spread, fee = candidates[0]
        if min_net_apr is not None and net < min_net_apr:
            continue
        long_i, short_i = divmod(index, size)
        chosen.append(Opportunity(symbol, named[long_i][1], named[short_i][1], spread, fee, net))
        shadow.append(gains[short_i] - costs_[long_i])
    return tuple(_exact_order(chosen, shadow, largest))


def _fee_share(config: ArbitrageConfig, venue: str) -> float:
    """One venue's share of any pair's fee APR, as a float: ``fee_apr(long, short)`` is
    ``amortised(2 * taker_long) + amortised(2 * taker_short)`` up to Decimal rounding."""
    return float(costs.amortised_apr(2 * config.fees_for(venue).taker, config.holding_horizon))


def _fee_matrix(
    names: tuple[str, ...], config: ArbitrageConfig
) -> tuple[list[list[Decimal]], list[list[float]]]:
    """Fee APR of every (long, short) venue pair, exact and as floats (diagonal: unused)."""
    exact = [[costs.fee_apr(config, long, short) for short in names] for long in names]
    return exact, [[float(fee) for fee in row] for row in exact]
