"""Each symbol's best pairs without ranking every pair (``rank_opportunities(...,
per_symbol=N)`` without books)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from atomic_fp import costs
from atomic_fp.decisions.ranking_best_pair import best_pair_per_symbol
from atomic_fp.decisions.ranking_exact import _apr, _BySymbol, _exact_order, _fee_apr_bound
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    ArbitrageConfig,
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
        return best_pair_per_symbol(by_symbol, config, min_net_apr)
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


def _fee_matrix(
    names: tuple[str, ...], config: ArbitrageConfig
) -> tuple[list[list[Decimal]], list[list[float]]]:
    """Fee APR of every (long, short) venue pair, exact and as floats (diagonal: unused)."""
    exact = [[costs.fee_apr(config, long, short) for short in names] for long in names]
    return exact, [[float(fee) for fee in row] for row in exact]
