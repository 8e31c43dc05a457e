"""The full fee-only ranking as a lazy exact sequence (:class:`RankedOpportunities`);
the method is described in :mod:`atomic_fp.decisions.ranking`."""

from __future__ import annotations

from decimal import Decimal, getcontext
from itertools import chain, compress
from operator import add, attrgetter, mul, sub

from atomic_fp import costs
from atomic_fp.decisions.ranked_opportunities import RankedOpportunities
from atomic_fp.decisions.ranking_exact import _BySymbol
from atomic_fp.decisions.ranking_pairs import _Pairs
from atomic_fp.models import (
    HOURS_PER_YEAR,
    ArbitrageConfig,
    FundingRate,
    Symbol,
    interval_hours,
)

# A shadow's error is a few units in the last place (2**-52 relative) of the largest
# magnitude involved (APRs, fee shares, min_net_apr); 2**-44 of it bounds twice that error
# with a wide margin. Decimal arithmetic rounds too (to the context's precision), and any
# deviation of the fees from "a share per venue" adds to the error: see _tolerance.
_RELATIVE = 2.0**-44
_ABSOLUTE = 2.0**-1000  # covers float underflow of tiny rates
_BEYOND_FLOATS = 1e300  # magnitudes from here on could overflow: rank eagerly instead


def _tolerance(magnitude: float, fee_deviation: float, precision: int) -> float:
    """How close two shadows must be for their exact order to be in doubt."""
    decimal_rounding = 64 * 10.0 ** (1 - min(precision, 400))
    return magnitude * (_RELATIVE + decimal_rounding) + 4 * fee_deviation + _ABSOLUTE


def _rank_lazily(
    by_symbol: _BySymbol,
    config: ArbitrageConfig,
    min_net_apr: Decimal | None,
) -> RankedOpportunities | None:
    """The fee-only ranking as a :class:`RankedOpportunities`; ``None`` when floats
    cannot shadow the values (a magnitude beyond float range)."""
    symbols: list[Symbol] = []
    sizes: list[int] = []
    rates: list[FundingRate] = []
    names: list[str] = []
    for symbol, venues in by_symbol:  # already in symbol order
        if len(venues) < 2:
            continue
        quoted = sorted(venues)
        symbols.append(symbol)
        sizes.append(len(quoted))
        names += quoted
        rates += map(venues.__getitem__, quoted)
    if not symbols:
        return RankedOpportunities(
            _Pairs(
                context=getcontext().copy(),
                symbols=[],
                sizes=[],
                rates=[],
                venue_of=[],
                fees=[],
                shadow=[],
            ),
            [],
            0.0,
        )
    # fees: exact per (long, short) venue; their float shadow is a share per venue
    # (fee(l, s) = share(l) + share(s) by costs' formula; any deviation widens the runs)
    venue_names = sorted(set(names))
    venue_index = {name: i for i, name in enumerate(venue_names)}
    fees = [[costs.fee_apr(config, long, short) for short in venue_names] for long in venue_names]
    float_fees = [[float(fee) for fee in row] for row in fees]
    share = [float_fees[i][i] / 2 for i in range(len(venue_names))]
    deviation = max(
        abs(fee - share[long] - share[short])
        for long, row in enumerate(float_fees)
        for short, fee in enumerate(row)
    )
    # APRs as floats: payable rate (clamped to a published cap/floor) x (8760 / hours)
    intervals = set(map(attrgetter("interval"), rates))
    factors = {i: float(HOURS_PER_YEAR / interval_hours(i)) for i in intervals}
    aprs = list(
        map(
            mul,
            map(float, map(attrgetter("payable"), rates)),
            map(factors.__getitem__, map(attrgetter("interval"), rates)),
        )
    )
    venue_of = list(map(venue_index.__getitem__, names))
    shares = list(map(share.__getitem__, venue_of))
    magnitude = max(map(abs, aprs)) + max(max(map(abs, row)) for row in float_fees)
    floor_shadow = 0.0 if min_net_apr is None else float(min_net_apr)
    magnitude = max(magnitude, abs(floor_shadow))
    if not magnitude < _BEYOND_FLOATS or not deviation < _BEYOND_FLOATS:  # also NaN
        return None
    # net(long l, short s) = (apr_s - share_s) - (apr_l + share_l)
    earned = list(map(sub, aprs, shares))
    paid = list(map(add, aprs, shares))
    full: list[float] = []  # with the diagonal (cheaper to build, then dropped)
    start = 0
    for size in sizes:
        end = start + size
        short_side = earned[start:end]
        full += [e - p for p in paid[start:end] for e in short_side]
        start = end
    masks = {n: [long != short for long in range(n) for short in range(n)] for n in set(sizes)}
    shadow = list(compress(full, chain.from_iterable(map(masks.__getitem__, sizes))))
    pairs = _Pairs(
        context=getcontext().copy(),
        symbols=symbols,
        sizes=sizes,
        rates=rates,
        venue_of=venue_of,
        fees=fees,
        shadow=shadow,
    )
    order = sorted(range(len(shadow)), key=shadow.__getitem__, reverse=True)  # stable
    ranked = RankedOpportunities(pairs, order, _tolerance(magnitude, deviation, pairs.context.prec))
    if min_net_apr is not None:
        ranked._cut(min_net_apr, floor_shadow)
    return ranked
