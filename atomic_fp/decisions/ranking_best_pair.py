"""Each symbol's best pair (``rank_opportunities(..., per_symbol=1)`` without books) in
O(venues) per symbol, not O(venues^2).

Why it is exact. The fee APR of a pair is a sum of one share per venue (``2 *
(taker_long + taker_short)`` amortised: :mod:`atomic_fp.costs`), so a pair's float
shadow is ``(apr_short - share_short) - (apr_long + share_long)``: the best pair is the
largest *gain* (as the short leg: APR - share) minus the smallest *cost* (as the long
leg: APR + share), or, when both are one venue, the better of the runner-up gain and the
runner-up cost. Every pair whose shadow is within the float tolerance of that best is a
candidate; candidates are ranked exactly (Decimal net APR with the exact fee of the
pair, then the tie order: long venue name, short venue name) and the first is kept. A
pair further below has a surely better pair, so the result is exactly the first pair per
symbol of the full ranking (hypothesis properties check it against the full
enumeration: ``tests/core/test_ranking_best_per_symbol.py``).

Why it is fast. One pass per rate (its float APR is computed once per distinct interval
and payable rate: ``float(Decimal)`` parses a string, the dearest step, and venues quote
many equal rates); the venues of a symbol are read in their mapping's order, not sorted
(only candidates are ordered by name); the candidate filters run over a symbol's venues
only when the runner-up is itself within the tolerance (float subtraction is monotone,
so otherwise the best venue is the only one); Decimal only for the candidates, usually
one pair per symbol.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from atomic_fp import costs
from atomic_fp.decisions.ranking_exact import (
    _apr,
    _BySymbol,
    _exact_order,
    _fee_apr_bound,
    _opportunity,
)
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import ArbitrageConfig, interval_hours

_Candidate = tuple[Decimal, tuple[str, str], Decimal, Decimal, int, int]


def best_pair_per_symbol(
    by_symbol: _BySymbol, config: ArbitrageConfig, min_net_apr: Decimal | None
) -> tuple[Opportunity, ...] | None:
    """The best pair of each symbol quoted on >= 2 venues (at or above ``min_net_apr``),
    best net APR first, ties in symbol order; ``None`` when floats cannot shadow the
    values (an APR beyond float range)."""
    hours: dict[timedelta, Decimal] = {}
    float_aprs: dict[timedelta, tuple[float, dict[Decimal, float]]] = {}
    shares: dict[str, float] = {}
    exact_fees: dict[tuple[str, str], Decimal] = {}
    fee_bound = _fee_apr_bound(config, min_net_apr)
    chosen: list[Opportunity] = []
    shadow: list[float] = []
    largest = fee_bound
    infinity = float("inf")
    shares_signed = False  # a venue's fee share below zero (or NaN) seen
    for symbol, venues in by_symbol:  # already in symbol order
        if len(venues) < 2:
            continue
        gains: list[float] = []  # as the short leg: APR - fee share
        costs_: list[float] = []  # as the long leg: APR + fee share
        for name, rate in venues.items():
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
                shares_signed = shares_signed or not share >= 0
            gains.append(apr - share)
            costs_.append(apr + share)
        # At least max(fee_bound, max |apr|), the scale of the float errors: with every
        # share >= 0, apr + share >= apr and apr - share <= apr (rounding is monotone), so
        # the largest cost and the smallest gain bound the APRs; a negative share (a
        # rebate) takes the larger of both sides. A larger bound only widens the
        # candidates, which are ranked exactly.
        if shares_signed:
            magnitude = max(fee_bound, max(costs_), -min(costs_), max(gains), -min(gains))
        else:
            magnitude = max(fee_bound, max(costs_), -min(gains))
        if magnitude == infinity:
            return None
        if magnitude > largest:
            largest = magnitude
        top_gain = max(gains)
        low_cost = min(costs_)
        best_short = gains.index(top_gain)
        best_long = costs_.index(low_cost)
        # the runners-up (the best of the other venues), read with the best masked
        gains[best_short] = -infinity
        other_gain = max(gains)
        gains[best_short] = top_gain
        costs_[best_long] = infinity
        other_cost = min(costs_)
        costs_[best_long] = low_cost
        if best_short != best_long:
            top = top_gain - low_cost
        else:
            top = max(top_gain - other_cost, other_gain - low_cost)
        cutoff = top - magnitude * 2.0**-45
        # Every venue but the best is at most as good as the runner-up (subtraction is
        # monotone): when the runner-up is out, the filter would keep the best alone.
        if top_gain - other_cost >= cutoff:
            longs = [i for i, c in enumerate(costs_) if top_gain - c >= cutoff]
        else:
            longs = [best_long]
        if other_gain - low_cost >= cutoff:
            shorts = [i for i, g in enumerate(gains) if g - low_cost >= cutoff]
        else:
            shorts = [best_short]
        names = list(venues)
        if len(longs) == 1 and len(shorts) == 1 and best_long != best_short:
            # the one candidate (the lists hold the best of each side, whose shadow is
            # ``top``): no list of candidates to build and sort
            long_i, short_i = best_long, best_short
            long_name, short_name = names[long_i], names[short_i]
            fee = exact_fees.get((long_name, short_name))
            if fee is None:
                fee = exact_fees[long_name, short_name] = costs.fee_apr(
                    config, long_name, short_name
                )
            spread = _apr(venues[short_name], hours) - _apr(venues[long_name], hours)
            net = spread - fee
            if min_net_apr is not None and net < min_net_apr:
                continue
            chosen.append(
                _opportunity(symbol, venues[long_name], venues[short_name], spread, fee, net)
            )
            shadow.append(gains[short_i] - costs_[long_i])
            continue
        candidates: list[_Candidate] = []
        for long_i in longs:
            for short_i in shorts:
                if long_i == short_i or gains[short_i] - costs_[long_i] < cutoff:
                    continue
                pair = (names[long_i], names[short_i])
                fee = exact_fees.get(pair)
                if fee is None:
                    fee = exact_fees[pair] = costs.fee_apr(config, *pair)
                spread = _apr(venues[pair[1]], hours) - _apr(venues[pair[0]], hours)
                candidates.append((spread - fee, pair, spread, fee, long_i, short_i))
        if len(candidates) > 1:
            candidates.sort(key=lambda c: c[1])  # tie order: (long venue, short venue)
            candidates.sort(key=lambda c: c[0], reverse=True)  # stable: exact, then tie order
        net, (long_name, short_name), spread, fee, long_i, short_i = candidates[0]
        if min_net_apr is not None and net < min_net_apr:
            continue
        chosen.append(_opportunity(symbol, venues[long_name], venues[short_name], spread, fee, net))
        shadow.append(gains[short_i] - costs_[long_i])
    return tuple(_exact_order(chosen, shadow, largest))


def _fee_share(config: ArbitrageConfig, venue: str) -> float:
    """One venue's share of any pair's fee APR, as a float: ``fee_apr(long, short)`` is
    ``amortised(2 * taker_long) + amortised(2 * taker_short)`` up to Decimal rounding."""
    return float(costs.amortised_apr(2 * config.fees_for(venue).taker, config.holding_horizon))
