"""What the ranking paths share: building an :class:`Opportunity` without its
``__init__``, the exact APR of a rate, a bound of the fee APRs, and the exact order of
opportunities by their float shadows (see :mod:`atomic_fp.decisions.ranking`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import attrs

from atomic_fp import costs
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    HOURS_PER_YEAR,
    ArbitrageConfig,
    FundingRate,
    Symbol,
    interval_hours,
)

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


_BySymbol = Sequence[tuple[Symbol, Mapping[str, FundingRate]]]


def _opportunity(
    symbol: Symbol,
    long_rate: FundingRate,
    short_rate: FundingRate,
    spread: Decimal,
    cost: Decimal,
    net: Decimal,
) -> Opportunity:
    if _SETTERS is None:
        return Opportunity(symbol, long_rate, short_rate, spread, cost, net)
    s0, s1, s2, s3, s4, s5 = _SETTERS
    opportunity: Opportunity = object.__new__(Opportunity)
    s0(opportunity, symbol)
    s1(opportunity, long_rate)
    s2(opportunity, short_rate)
    s3(opportunity, spread)
    s4(opportunity, cost)
    s5(opportunity, net)
    return opportunity


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


def _apr(rate: FundingRate, hours: dict[timedelta, Decimal]) -> Decimal:
    """``rate.apr`` with the interval's hours cached (same operations, same Decimal)."""
    interval_h = hours.get(rate.interval)
    if interval_h is None:
        interval_h = hours[rate.interval] = interval_hours(rate.interval)
    return rate.payable / interval_h * HOURS_PER_YEAR
