"""The local funding store (``adapters/store``): what wins when a settlement is recorded twice,
what counts as settled, and how an unusable file is refused."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.store import FundingStore, StoreError
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

T0 = datetime(2025, 12, 3, 16, tzinfo=timezone.utc)
BTC = Symbol("BTC")


def _rate(
    value: str,
    *,
    kind: FundingKind,
    observed_at: datetime,
    at: datetime = T0,
    interval: timedelta = timedelta(hours=8),
) -> FundingRate:
    return FundingRate(
        exchange=ExchangeIdentifier("binance"),
        symbol=BTC,
        rate=Decimal(value),
        interval=interval,
        kind=kind,
        observed_at=observed_at,
        next_funding_time=at if kind is FundingKind.CURRENT else None,
        funding_time=at if kind is FundingKind.SETTLED else None,
        venue_symbol="BTCUSDT",
    )


def _only(store: FundingStore, until: datetime = T0) -> FundingRate:
    rows = store.settled(since=T0 - timedelta(days=1), until=until)[("binance", BTC)]
    assert len(rows) == 1
    return rows[0]


def test_a_later_observation_replaces_an_earlier_one_and_history_wins() -> None:
    with FundingStore(":memory:") as store:
        store.record_observed(
            [_rate("0.0001", kind=FundingKind.CURRENT, observed_at=T0 - timedelta(hours=2))]
        )
        store.record_observed(
            [_rate("0.0002", kind=FundingKind.CURRENT, observed_at=T0 - timedelta(minutes=5))]
        )
        # an older observation arriving late does not win
        store.record_observed(
            [_rate("0.0009", kind=FundingKind.CURRENT, observed_at=T0 - timedelta(hours=3))]
        )
        assert _only(store).rate == Decimal("0.0002")
        # the venue's settled value (stamped 5 ms later, the same settlement) replaces it
        settled = _rate(
            "0.00019",
            kind=FundingKind.SETTLED,
            observed_at=T0,
            at=T0 + timedelta(milliseconds=5),
        )
        store.record_settled([settled])
        got = _only(store, until=T0 + timedelta(seconds=1))
        assert got.rate == Decimal("0.00019") and got.kind is FundingKind.SETTLED
        # and no observation replaces history
        store.record_observed([_rate("0.0005", kind=FundingKind.CURRENT, observed_at=T0)])
        assert _only(store, until=T0 + timedelta(seconds=1)).rate == Decimal("0.00019")


def test_a_period_in_progress_is_not_a_settlement_yet() -> None:
    with FundingStore(":memory:") as store:
        store.record_observed(
            [_rate("0.0001", kind=FundingKind.CURRENT, observed_at=T0 - timedelta(hours=1))]
        )
        assert store.settled(since=T0 - timedelta(days=1), until=T0 - timedelta(minutes=1)) == {}
        assert _only(store).rate == Decimal("0.0001")


def test_values_survive_exactly(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "f.sqlite"
    rate = _rate(
        "-0.00000885123456789",
        kind=FundingKind.SETTLED,
        observed_at=T0,
        interval=timedelta(hours=4),
    )
    with FundingStore(path) as store:
        store.record_settled([rate])
    with FundingStore(path) as store:
        got = _only(store)
    assert got.rate == rate.rate and got.interval == timedelta(hours=4)
    assert got.funding_time == T0 and got.venue_symbol == "BTCUSDT"


def test_unusable_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable funding store"):
        FundingStore(junk)
    newer = tmp_path / "newer.sqlite"
    FundingStore(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(StoreError, match="newer atomic-fp"):
        FundingStore(newer)
