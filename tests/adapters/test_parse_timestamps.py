"""``adapters._parse`` epoch stamps (seconds, milliseconds, nanoseconds) -> aware UTC
datetimes; memoised (a venue's list repeats the same stamps in every row), so a stamp out
of range must fail every time it is seen, naming where, never come back from the cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters._parse import ParseError, ts_millis, ts_nanos, ts_seconds


def test_each_unit_gives_the_same_aware_utc_instant() -> None:
    moment = datetime(2025, 12, 3, 15, 12, 10, 25000, tzinfo=UTC)
    assert ts_seconds(1764774730) == moment.replace(microsecond=0)
    assert ts_millis(1764774730025) == moment
    assert ts_nanos("1764774730025055205") == moment.replace(microsecond=25055)
    assert ts_millis(1764774730025).tzinfo is UTC


@pytest.mark.parametrize("value", [-1, 10**20, 946684799999])  # 1999-12-31T23:59:59.999
def test_a_stamp_out_of_range_fails_every_time_naming_its_path(value: int) -> None:
    for attempt in range(2):  # the second answer would come from the memo
        with pytest.raises(ParseError, match=rf"\$\[{attempt}\]\.time: timestamp out of range"):
            ts_millis(value, f"$[{attempt}].time")


@given(st.integers(min_value=946684800000, max_value=7258118399999))
def test_milliseconds_round_trip(value: int) -> None:
    stamp = ts_millis(value)
    delta = stamp - datetime(1970, 1, 1, tzinfo=UTC)
    assert delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000 == value
    assert ts_millis(value) == stamp  # again (memoised)
