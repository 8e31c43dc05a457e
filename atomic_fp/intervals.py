"""Is a funding interval still true? Checks against what the venue says next (pure).

Venues change a market's settlement interval (Binance 8 h -> 4 h; Bybit INJ went 8 h -> 1 h
after hitting its -1 % floor, see shared/research-data funding_rate_data), and clients
cache intervals (Binance ``fundingInfo`` for 10 minutes, GRVT's instrument list on disk).
A stale interval mis-scales an APR by up to 8x, so every CURRENT rate's interval is checked
against the venue's own ``next_funding_time``:

- settlements fall on the interval's UTC grid (Binance 8 h: 00:00/08:00/16:00; 4 h: every
  4th hour; 1 h: every hour; GRVT likewise), so a next funding off that grid contradicts
  the interval (an 8 h market that switched to 1 h announces 13:00, which is off the 8 h
  grid, at the first read after the switch, i.e. within one settlement);
- the next settlement is never more than one interval ahead.

:func:`settlement_cadence` reads the interval off recent settlement times (history), for
callers that have them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone, tzinfo

from atomic_fp.models import FundingRate, interval_hours

GRID_TOLERANCE = timedelta(seconds=60)
"""Settlement stamps may carry a few milliseconds (Hyperliquid ``.116``); a minute is far
below the smallest interval (1 h) and far above any stamp jitter."""


_EPOCH_UTC = datetime.fromtimestamp(0, timezone.utc)


def _off_grid(moment: datetime, interval: timedelta) -> timedelta:
    # every rate's next funding is in UTC (the model converts it): its epoch is a constant
    utc = moment.tzinfo is timezone.utc
    epoch = _EPOCH_UTC if utc else datetime.fromtimestamp(0, moment.tzinfo)
    since_epoch = moment - epoch
    offset = since_epoch % interval
    return min(offset, interval - offset)


def interval_doubt(rate: FundingRate) -> str | None:
    """Why ``rate.next_funding_time`` contradicts ``rate.interval``, or ``None`` (also when
    the venue gave no next funding time: nothing to check against)."""
    nxt = rate.next_funding_time
    if nxt is None:
        return None
    return _doubt(nxt, nxt.tzinfo, rate.interval, rate.observed_at)


@functools.lru_cache(maxsize=1024)
def _doubt(
    nxt: datetime, zone: tzinfo | None, interval: timedelta, observed_at: datetime
) -> str | None:
    """:func:`interval_doubt` of these values, remembered: a venue's rates share a few
    (next funding, interval, observed) triples, scan after scan (every CURRENT rate is
    checked, ~900 per scan; issue 20). ``zone`` is in the key because equal instants of
    other zones format other wall times; the values are immutable."""
    if _off_grid(nxt, interval) > GRID_TOLERANCE:
        return f"next funding {nxt:%Y-%m-%d %H:%M}Z is off the {_hours(interval)} settlement grid"
    if nxt - observed_at > interval + GRID_TOLERANCE:
        return (
            f"next funding {nxt:%Y-%m-%d %H:%M}Z is more than one {_hours(interval)} "
            "interval ahead"
        )
    return None


def _hours(interval: timedelta) -> str:
    # formatted only for a doubt: every rate of every scan is checked (issue 20)
    return f"{interval_hours(interval).normalize():f}h"


def settlement_cadence(times: Sequence[datetime]) -> timedelta | None:
    """The interval the last settlements were paid on: the most recent gap between
    consecutive settlement times (sorted here), or ``None`` with fewer than two."""
    ordered = sorted(times)
    if len(ordered) < 2:
        return None
    return ordered[-1] - ordered[-2]


__all__ = ["GRID_TOLERANCE", "interval_doubt", "settlement_cadence"]
