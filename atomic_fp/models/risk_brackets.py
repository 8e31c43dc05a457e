"""Tiered maintenance margin ("risk brackets", "leverage tiers") and the rate a *new*
position carries under them, for venues that report a maintenance margin only for
positions the account already holds (GRVT ``margin_rules``, ccxt's
``fetchMarketLeverageTiers``).

Which tier: :func:`maintenance_rate_bound` returns the maintenance rate of the tier that
covers the largest position the account could open, ``equity x`` the highest max
leverage of any tier. With tiered rules and a cumulative amount (Binance-style,
``MM = notional x rate - cumulative``), the maintenance margin is convex in the notional,
so ``MM(n) / n`` never exceeds the marginal rate of the tier covering ``n``; the rate of
the tier at the largest openable notional is therefore an upper bound for every position
the account can open (conservative: a small hedge may be judged on a higher tier than it
lands in). A margin read does not know the planned notional, which is why a bound and not
the exact tier. With no positive equity, the highest rate of any tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs


@attrs.frozen
class RiskBracket:
    """One tier: positions of notional in ``[notional_floor, notional_cap)``."""

    tier: int
    notional_floor: Decimal
    notional_cap: Decimal | None
    """Exclusive; ``None`` on the last tier."""
    maintenance_margin_rate: Decimal
    max_leverage: Decimal


def maintenance_rate_bound(brackets: Sequence[RiskBracket], equity: Decimal) -> Decimal:
    """An upper bound of the maintenance rate of any position the account can open, from
    ``brackets`` ordered by ``notional_floor`` (see the module docstring)."""
    if not brackets:
        raise ValueError("no risk brackets")
    if equity <= 0:
        return max(b.maintenance_margin_rate for b in brackets)
    largest = equity * max(b.max_leverage for b in brackets)
    for bracket in brackets:
        if bracket.notional_cap is None or largest < bracket.notional_cap:
            return bracket.maintenance_margin_rate
    return brackets[-1].maintenance_margin_rate


__all__ = ["RiskBracket", "maintenance_rate_bound"]
