"""Each Bybit symbol's funding keeps its own interval (instruments-info ``fundingInterval``,
minutes): a 4 h and a 1 h symbol among 8 h ones; caps from ``upper/lowerFundingRate``; a
cached interval the venue has since changed is re-read at once; and the instruments and
the tickers are asked for together (one round trip, asserted by the order of events)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from atomic_fp.models import FundingKind, Symbol
from tests.adapters.bybit._client import KEY, SECRET, make, run
from tests.adapters.bybit.fake_venue import FakeBybit, serve

pytestmark = pytest.mark.anyio
H = 3_600_000


@pytest.fixture
def fake() -> FakeBybit:
    return FakeBybit(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBybit) -> Iterator[str]:
    with serve(fake) as url:
        yield url


async def test_a_4h_and_a_1h_symbol_among_8h_ones(base_url: str) -> None:
    client = make(base_url, secret=None)
    try:
        rates = {r.symbol.base: r for r in (await run(client.fetch_funding_rates())).unwrap()}
        assert set(rates) == {"BTC", "ETH", "SOL", "DOGE", "PEPE", "XRP"}  # USDC/dated skipped
        assert rates["SOL"].interval == timedelta(hours=4)
        assert rates["DOGE"].interval == timedelta(hours=1)
        for base in ("BTC", "ETH", "PEPE", "XRP"):
            assert rates[base].interval == timedelta(hours=8)
        assert rates["DOGE"].rate == Decimal("0.0000125")  # per its own 1 h settlement
        assert rates["SOL"].rate == Decimal("-0.00005")
        assert all(r.interval_doubt is None for r in rates.values())
        assert all(r.kind is FundingKind.CURRENT for r in rates.values())
        assert (rates["BTC"].cap, rates["BTC"].floor) == (Decimal("0.00375"), Decimal("-0.00375"))
        assert rates["BTC"].open_interest == Decimal("3250000000")
        assert rates["BTC"].mark_price == Decimal("65000.00")
        markets = {m.symbol.base: m for m in (await run(client.fetch_markets())).unwrap()}
        assert markets["SOL"].funding_interval == timedelta(hours=4)
        assert markets["PEPE"].contract_multiplier == Decimal(1000)
        only = (await run(client.fetch_funding_rates([Symbol("DOGE")]))).unwrap()
        assert [r.symbol.base for r in only] == ["DOGE"]
    finally:
        await client.aclose()


async def test_a_changed_interval_is_reread_at_once(fake: FakeBybit, base_url: str) -> None:
    # The venue's clock reads 10:30 UTC whenever the test runs: 11:00 is then off the 8 h
    # settlement grid, so a cached 8 h interval is contradicted by a 1 h next funding.
    venue_now = int(datetime(2026, 1, 1, 10, 30, tzinfo=timezone.utc).timestamp() * 1000)
    fake.clock_offset_ms = venue_now - fake.now_ms()
    client = make(base_url, secret=None)
    try:
        first = (await run(client.fetch_funding_rates([Symbol("XRP")]))).unwrap()
        assert first[0].interval == timedelta(hours=8)
        reads = fake.paths().count("/v5/market/instruments-info")
        # Bybit moves XRP to 1 h: its next funding is now within the hour, off the 8 h grid
        for row in fake.instruments:
            if row["symbol"] == "XRPUSDT":
                row["fundingInterval"] = 60
        fake.next_funding["XRPUSDT"] = venue_now + H // 2  # 11:00
        (rate,) = (await run(client.fetch_funding_rates([Symbol("XRP")]))).unwrap()
        assert rate.interval == timedelta(hours=1)
        assert rate.interval_doubt is None
        assert fake.paths().count("/v5/market/instruments-info") == 2 * reads  # re-read once
    finally:
        await client.aclose()


async def test_instruments_and_tickers_are_in_flight_together(
    fake: FakeBybit, base_url: str
) -> None:
    tickers_arrived = threading.Event()
    order: list[str] = []

    def arrival(path: str) -> None:
        order.append(path)
        if path == "/v5/market/tickers":
            tickers_arrived.set()
        elif path == "/v5/market/instruments-info" and order.count(path) == 1:
            # the first instruments page is answered only once the tickers request is
            # in: a client that waited for the instruments before asking would stall here
            assert tickers_arrived.wait(timeout=4)

    fake.on_arrival = arrival
    client = make(base_url, secret=None)
    try:
        rates = (await run(client.fetch_funding_rates())).unwrap()
        assert len(rates) == 6
        assert order.index("/v5/market/tickers") < 2  # asked before the instruments came back
    finally:
        await client.aclose()
