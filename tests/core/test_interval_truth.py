"""Interval truth (:mod:`atomic_fp.intervals`) on real history: Bybit INJUSDT went from 8 h
to 1 h funding after settling at its -1 % floor on 2026-02-19 16:00Z, and back to 8 h on
2026-02-27 (research-data ``funding_rate_data`` venue=bybit, MIT, read in place).

Replaying the year as a scanner would see it (a rate observed one minute after each
settlement, the interval cached from the last settlement, the venue's next funding time),
the stale interval is caught at the first read after each switch, before the first
settlement on the new interval is paid, and nowhere else in the year."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from atomic_fp.intervals import interval_doubt, settlement_cadence
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

BYBIT = "funding_rate_data/data/funding/venue=bybit/data.parquet"


def _inj_history() -> tuple[list[datetime], list[float | None]]:
    pq = pytest.importorskip("pyarrow.parquet")
    pc = pytest.importorskip("pyarrow.compute")
    table = pq.read_table(research_file(BYBIT))
    rows = table.filter(pc.equal(table["canonical_symbol"], "INJ-USDT-PERP"))
    data = rows.sort_by("settlement_ts").to_pydict()
    return list(data["settlement_ts"]), list(data["interval_hours"])


def test_real_inj_switches_are_caught_within_one_settlement() -> None:
    times, hours = _inj_history()
    assert len(times) > 1000
    cached = 8.0
    caught: list[tuple[datetime, str]] = []
    for i in range(len(times) - 1):
        known = hours[i]
        if known is not None:
            cached = known
        rate = FundingRate(
            exchange=ExchangeIdentifier("bybit"),
            symbol=Symbol("INJ"),
            rate=Decimal(0),
            interval=timedelta(hours=cached),
            kind=FundingKind.CURRENT,
            observed_at=times[i] + timedelta(minutes=1),
            next_funding_time=times[i + 1],
        )
        doubt = interval_doubt(rate)
        if doubt is not None:
            caught.append((times[i], doubt))
    utc = timezone.utc
    assert caught[0] == (
        datetime(2026, 2, 19, 16, tzinfo=utc),
        "next funding 2026-02-19 17:00Z is off the 8h settlement grid",
    )
    assert caught[1] == (
        datetime(2026, 2, 26, 18, tzinfo=utc),
        "next funding 2026-02-27 00:00Z is more than one 1h interval ahead",
    )
    # the one other flag is the row right after, whose interval the data leaves blank
    assert [when for when, _ in caught[2:]] == [datetime(2026, 2, 27, tzinfo=utc)]


def test_settlement_cadence_reads_the_new_interval_at_the_first_new_settlement() -> None:
    times, _ = _inj_history()
    switch = times.index(datetime(2026, 2, 19, 17, tzinfo=timezone.utc))
    assert settlement_cadence(times[:switch]) == timedelta(hours=8)
    assert settlement_cadence(times[: switch + 1]) == timedelta(hours=1)
    assert settlement_cadence(times[:1]) is None
