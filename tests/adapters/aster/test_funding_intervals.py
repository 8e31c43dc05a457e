"""Aster's per-symbol funding intervals: ``fundingInfo.fundingIntervalHours`` (4 h and 1 h
symbols among the 8 h default; live sample ``"fundingIntervalHours":4`` in
asterdex/api-docs#1) reach every rate, now and settled, and one scan is one round trip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from atomic_fp.models import Symbol
from tests.adapters.aster._client import AGENT, USER, make
from tests.adapters.aster.fake_venue import FakeAster, serve
from tests.harness import run


@pytest.fixture
def fake() -> FakeAster:
    return FakeAster({USER: AGENT})


@pytest.fixture
def base_url(fake: FakeAster) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.mark.anyio
async def test_rates_carry_each_symbols_own_interval(fake: FakeAster, base_url: str) -> None:
    rates = (await run(make(base_url, credentials=False).fetch_funding_rates())).unwrap()
    by_symbol = {r.symbol: r for r in rates}
    assert by_symbol[Symbol("ASTER")].interval_hours == 4
    assert by_symbol[Symbol("DOGE")].interval_hours == 1
    assert by_symbol[Symbol("BTC")].interval_hours == 8
    assert by_symbol[Symbol("ASTER")].rate == Decimal("0.0002")
    assert by_symbol[Symbol("DOGE")].rate == Decimal("-0.0000125")
    # premiumIndex and fundingInfo, nothing else: one concurrent round trip
    assert sorted(path for _, path, _ in fake.requests) == [
        "/fapi/v1/fundingInfo",
        "/fapi/v1/premiumIndex",
    ]


@pytest.mark.anyio
async def test_history_of_a_4h_symbol_has_4h_intervals(base_url: str) -> None:
    start = datetime(2025, 12, 6, tzinfo=timezone.utc)
    end = datetime(2025, 12, 9, tzinfo=timezone.utc)
    history = (await run(make(base_url, credentials=False).fetch_funding_history(
        Symbol("ASTER"), start, end))).unwrap()  # fmt: skip
    assert len(history) >= 10
    assert {r.interval_hours for r in history} == {4}
    assert all(start <= r.funding_time < end for r in history if r.funding_time)


@pytest.mark.anyio
async def test_markets_and_book(base_url: str) -> None:
    client = make(base_url, credentials=False)
    markets = {m.symbol: m for m in (await run(client.fetch_markets())).unwrap()}
    assert set(markets) == {Symbol("BTC"), Symbol("ASTER"), Symbol("DOGE")}
    book = (await run(client.fetch_order_book(Symbol("ASTER"), 2))).unwrap()
    assert book.bids[0].price == Decimal("0.15010")
    assert book.asks[0].price == Decimal("0.15020")
