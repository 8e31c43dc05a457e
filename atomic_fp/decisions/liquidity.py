"""Liquidity floors: a market too thin to hold a hedge in is left out (pure).

``ArbitrageConfig.min_open_interest`` / ``min_volume_24h`` (quote currency, ``None`` = no
floor) are compared with what the venue publishes (:class:`~atomic_fp.models.Market`'s or
the rate's ``open_interest`` / ``volume_24h``). A venue that publishes no figure (Binance's
``premiumIndex`` carries none) is **not** rejected for it: a floor filters thin markets, it
does not ban venues that do not report; ``scan`` shows such a figure as unknown.
"""

from __future__ import annotations

from decimal import Decimal

from atomic_fp.models import ArbitrageConfig, FundingRate, Market


def _known(market: Market | None, rate: FundingRate, name: str) -> Decimal | None:
    value: Decimal | None = getattr(market, name, None) if market is not None else None
    return value if value is not None else getattr(rate, name)


def liquidity_problem(
    rate: FundingRate,
    config: ArbitrageConfig,
    market: Market | None = None,
    *,
    min_open_interest: Decimal | None = None,
    min_volume_24h: Decimal | None = None,
) -> str | None:
    """Why this venue's market is too thin (below a floor), or ``None``. The floors are
    the config's unless given (``scan --min-oi`` / ``--min-volume``)."""
    open_interest_floor = min_open_interest or config.min_open_interest
    volume_floor = min_volume_24h or config.min_volume_24h
    if open_interest_floor is None and volume_floor is None:
        # no floor to fall below (the usual config): nothing to read; every decision
        # asks this of every venue (tests/core/test_decision_shortcuts.py)
        return None
    floors = (
        ("open interest", "open_interest", open_interest_floor),
        ("24 h volume", "volume_24h", volume_floor),
    )
    for label, name, floor in floors:
        value = _known(market, rate, name)
        if floor is not None and value is not None and value < floor:
            return f"{label} {value:,.0f} below the floor {floor:,.0f}"
    return None


__all__ = ["liquidity_problem"]
