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
    floors = (
        ("open interest", "open_interest", min_open_interest or config.min_open_interest),
        ("24 h volume", "volume_24h", min_volume_24h or config.min_volume_24h),
    )
    for label, name, floor in floors:
        value = _known(market, rate, name)
        if floor is not None and value is not None and value < floor:
            return f"{label} {value:,.0f} below the floor {floor:,.0f}"
    return None


__all__ = ["liquidity_problem"]
