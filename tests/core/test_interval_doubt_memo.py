"""``interval_doubt`` remembers its answer per (next funding, its zone, interval, observed)
(issue 20: every CURRENT rate of every scan is checked, and a venue's rates share a few
such triples). The reference is the function as it was (kept below); hypothesis feeds
both instants on and off every grid, in UTC and other zones (equal instants of other zones
format other wall times: the zone is part of the key), intervals of minutes to days, and
observations before and after the next funding; the same rate asked twice, and rates that
differ only by zone, get the reference's text each time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp.intervals import GRID_TOLERANCE, interval_doubt
from atomic_fp.models import interval_hours


def _off_grid(moment: datetime, interval: timedelta) -> timedelta:
    offset = (moment - datetime.fromtimestamp(0, moment.tzinfo)) % interval
    return min(offset, interval - offset)


def reference_interval_doubt(rate: Any) -> str | None:
    """``interval_doubt`` before the memo (2fc3f03)."""
    nxt = rate.next_funding_time
    if nxt is None:
        return None
    hours = f"{interval_hours(rate.interval).normalize():f}h"
    if _off_grid(nxt, rate.interval) > GRID_TOLERANCE:
        return f"next funding {nxt:%Y-%m-%d %H:%M}Z is off the {hours} settlement grid"
    if nxt - rate.observed_at > rate.interval + GRID_TOLERANCE:
        return f"next funding {nxt:%Y-%m-%d %H:%M}Z is more than one {hours} interval ahead"
    return None


zones = st.sampled_from(
    [
        timezone.utc,
        timezone(timedelta(0), "Z"),
        timezone(timedelta(hours=2)),
        timezone(timedelta(hours=-5, minutes=-30)),
    ]
)
base = datetime(2026, 1, 1, tzinfo=timezone.utc)
instants = st.one_of(
    st.integers(0, 24 * 30).map(lambda h: base + timedelta(hours=h)),  # on the hour grid
    st.integers(0, 10**9).map(lambda s: base + timedelta(seconds=s)),
)
intervals = st.one_of(
    st.sampled_from([timedelta(hours=h) for h in (1, 2, 4, 8, 24)]),
    st.integers(60, 3 * 86400).map(lambda s: timedelta(seconds=s)),
)


@settings(max_examples=2000, deadline=None)
@given(
    nxt=st.none() | instants,
    zone=zones,
    other_zone=zones,
    interval=intervals,
    behind=st.integers(-3 * 86400, 3 * 86400),
)
def test_the_memo_answers_as_the_reference(
    nxt: datetime | None, zone: timezone, other_zone: timezone, interval: timedelta, behind: int
) -> None:
    moment = None if nxt is None else nxt.astimezone(zone)
    observed = (nxt or base) - timedelta(seconds=behind)
    rate = SimpleNamespace(next_funding_time=moment, interval=interval, observed_at=observed)
    expected = reference_interval_doubt(rate)
    assert interval_doubt(rate) == expected  # type: ignore[arg-type]
    assert interval_doubt(rate) == expected  # type: ignore[arg-type]  # remembered
    other = None if nxt is None else nxt.astimezone(other_zone)  # the same instant
    twin = SimpleNamespace(next_funding_time=other, interval=interval, observed_at=observed)
    assert interval_doubt(twin) == reference_interval_doubt(twin)  # type: ignore[arg-type]


def test_equal_instants_of_two_zones_keep_their_own_wall_time() -> None:
    """Counted against the cache: the second zone is its own entry, not the first's text."""
    nxt = datetime(2026, 1, 1, 13, 30, tzinfo=timezone.utc)
    utc = SimpleNamespace(next_funding_time=nxt, interval=timedelta(hours=8), observed_at=nxt)
    plus2 = SimpleNamespace(
        next_funding_time=nxt.astimezone(timezone(timedelta(hours=2))),
        interval=timedelta(hours=8),
        observed_at=nxt,
    )
    assert interval_doubt(utc) == (  # type: ignore[arg-type]
        "next funding 2026-01-01 13:30Z is off the 8h settlement grid"
    )
    assert interval_doubt(plus2) == (  # type: ignore[arg-type]
        "next funding 2026-01-01 15:30Z is off the 8h settlement grid"
    )
