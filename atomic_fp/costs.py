"""What opening a hedge costs, expressed as APR so it can be set against the funding spread.

A one-off cost (a fraction of notional) is *amortised* over the configured holding horizon:
``cost_apr = cost_fraction * 8760 / horizon_hours``. A hedge held for a week that pays 0.2 %
in fees therefore costs 0.2 % x 52.14 = 10.43 % APR.

- Fees: taker on both legs, on entry *and* exit: ``2 * (taker_long + taker_short)``.
- Entry price gap (only when books are given): buying the long leg at the long venue's
  book VWAP and selling the short leg at the short venue's, per base unit, relative to the
  mean of the two prices. A favourable gap (buying below where we sell) is counted as zero,
  never as income: the basis may not converge before we leave.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from atomic_fp.models import HOURS_PER_YEAR, ArbitrageConfig, interval_hours

_ZERO = Decimal(0)


def amortised_apr(cost_fraction: Decimal, horizon: timedelta) -> Decimal:
    """A one-off cost (fraction of notional) as an APR over ``horizon``."""
    return cost_fraction * HOURS_PER_YEAR / interval_hours(horizon)


def round_trip_fee_fraction(config: ArbitrageConfig, long_venue: str, short_venue: str) -> Decimal:
    """Taker fees on both legs, entry and exit, as a fraction of one leg's notional."""
    return 2 * (config.fees_for(long_venue).taker + config.fees_for(short_venue).taker)


def fee_apr(config: ArbitrageConfig, long_venue: str, short_venue: str) -> Decimal:
    return amortised_apr(
        round_trip_fee_fraction(config, long_venue, short_venue), config.holding_horizon
    )


def entry_gap_fraction(long_buy_price: Decimal, short_sell_price: Decimal) -> Decimal:
    """Adverse entry price gap between the legs, per *base* unit prices; never negative."""
    gap = long_buy_price - short_sell_price
    if gap <= 0:
        return _ZERO
    return gap / ((long_buy_price + short_sell_price) / 2)


def mark_gap(long_mark: Decimal | None, short_mark: Decimal | None) -> Decimal | None:
    """Signed gap between the legs' mark prices (per base unit), relative to their mean:
    ``(long - short) / mean``. Positive = the long leg is dearer than the short leg sells
    for, i.e. entering at the marks costs this fraction (``scan`` shows it as an entry
    cost); ``None`` when a mark is unknown."""
    if long_mark is None or short_mark is None:
        return None
    return (long_mark - short_mark) / ((long_mark + short_mark) / 2)


def entry_gap_apr(
    long_buy_price: Decimal, short_sell_price: Decimal, horizon: timedelta
) -> Decimal:
    return amortised_apr(entry_gap_fraction(long_buy_price, short_sell_price), horizon)


__all__ = [
    "amortised_apr",
    "entry_gap_apr",
    "entry_gap_fraction",
    "fee_apr",
    "mark_gap",
    "round_trip_fee_fraction",
]
