"""How long a spread has held, and how long it must hold to pay for itself.

- **Persistence**: the share of recent settlements in which the spread (short venue's
  hourly rate minus the long venue's) had the sign of the spread being ranked. Each
  settlement instant of either leg in the window (to the minute) is one sample; at that
  instant each leg contributes the rate of *its* settlement whose accrual period
  ``(t - interval, t]`` contains the instant (so an 8-hourly leg is compared with each
  of the eight hourly settlements of the other, and nothing not yet settled is read).
- **Break-even days**: days of carry at the ranked spread needed to pay the round-trip
  fees: ``round_trip_fee_fraction / (spread_apr / 365)``. ``None`` when the spread does
  not earn (it never breaks even).

Pure functions; the time is an argument.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

import attrs

from atomic_fp.models import FundingRate

DAYS_PER_YEAR = Decimal(365)


@attrs.frozen
class Persistence:
    """``held`` of ``samples`` settlements had the ranked spread's sign; ``share`` their
    ratio (a fraction in [0, 1])."""

    held: int
    samples: int

    @property
    def share(self) -> Decimal:
        return Decimal(self.held) / Decimal(self.samples)


def break_even_days(round_trip_fee_fraction: Decimal, spread_apr: Decimal) -> Decimal | None:
    """Days of carry at ``spread_apr`` that pay ``round_trip_fee_fraction`` (of notional);
    ``None`` when the spread is not positive (it never pays the fees back)."""
    if spread_apr <= 0:
        return None
    return round_trip_fee_fraction * DAYS_PER_YEAR / spread_apr


def _settled(rates: Sequence[FundingRate]) -> list[tuple[datetime, FundingRate]]:
    return sorted(((r.funding_time, r) for r in rates if r.funding_time is not None), key=_FIRST)


_FIRST = itemgetter(0)
_HALF_MINUTE = timedelta(seconds=30)


@lru_cache(maxsize=4096)
def _minute(when: datetime) -> datetime:
    """``when`` to the nearest minute. Cached (issue 20): the legs of every pair of a venue
    settle at the same instants (``scan --offline``: 192 distinct among 3,456 rows). Equal
    datetimes of other time zones share an entry; the instants are only compared, which is
    the same for both."""
    return (when + _HALF_MINUTE).replace(second=0, microsecond=0)


def persistence(
    long_settled: Sequence[FundingRate],
    short_settled: Sequence[FundingRate],
    *,
    spread_apr: Decimal,
    now: datetime,
    window: timedelta,
) -> Persistence | None:
    """The persistence of a long/short pair over ``(now - window, now]`` (see the module's
    doc); ``None`` when no instant has a settled rate of both legs.

    At each instant, each leg's rate in force is its first settlement at or after the
    instant (``bisect_left``) if its period ``(t - interval, t]`` contains the instant.
    Written as one loop with those lookups inline, in the order they were made (issue 20:
    ``scan --offline`` spent ~7 % of its CPU here); tests/core/test_carry_persistence_memo.py
    holds it to the earlier code (hypothesis)."""
    long_history = _settled(long_settled)
    short_history = _settled(short_settled)
    long_times = [t for t, _ in long_history]
    short_times = [t for t, _ in short_history]
    start = now - window
    # one sample per settlement instant; venues stamp one instant milliseconds apart
    # (Hyperliquid 16:00:00.055, Binance 16:00:00.000): instants are taken to the minute
    instants = sorted({_minute(t) for t in (*long_times, *short_times) if start < t <= now})
    long_count, short_count = len(long_history), len(short_history)
    held = samples = 0
    hourly: dict[int, Decimal] = {}
    """``rate.hourly`` by ``id(rate)``, each rate's computed once: an 8-hourly leg's rate
    is in force at eight hourly instants (issue 20). The rates outlive the loop."""
    for instant in instants:
        # each leg's rate in force, both looked up before either is tested (as written
        # before: a lookup that raises, raises whatever the other leg holds)
        at = bisect_left(long_times, instant)
        long_rate = None
        if at < long_count:
            long_when, rate = long_history[at]
            if long_when - rate.interval < instant:
                long_rate = rate
        at = bisect_left(short_times, instant)
        short_rate = None
        if at < short_count:
            short_when, rate = short_history[at]
            if short_when - rate.interval < instant:
                short_rate = rate
        if long_rate is None or short_rate is None:
            continue
        if long_when > now or short_when > now:
            continue  # a period not settled yet
        long_hourly = hourly.get(id(long_rate))
        if long_hourly is None:
            long_hourly = hourly[id(long_rate)] = long_rate.hourly
        short_hourly = hourly.get(id(short_rate))
        if short_hourly is None:
            short_hourly = hourly[id(short_rate)] = short_rate.hourly
        spread = short_hourly - long_hourly
        samples += 1
        if (spread > 0) == (spread_apr > 0) and (spread < 0) == (spread_apr < 0):
            held += 1
    if samples == 0:
        return None
    return Persistence(held, samples)


__all__ = ["DAYS_PER_YEAR", "Persistence", "break_even_days", "persistence"]
