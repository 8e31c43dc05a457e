"""Interval truth on Binance (a local 127.0.0.1 Binance): a cached ``fundingInfo`` interval
that contradicts ``premiumIndex``'s ``nextFundingTime`` is re-read at once, so an 8 h -> 1 h
switch is caught at the first scan after it (within one settlement); if fundingInfo still
disagrees, the rate carries ``interval_doubt`` and is left out with that reason.

The venue's clock is fixed at 2026-03-01 12:30Z (server-time offset), so the test does not
depend on when it runs: 16:00Z is on the 8 h grid, 13:00Z only on the 1 h grid.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.binance.client import BinanceClient
from adapters.registry import VenueSettings, build_client
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.models import ArbitrageConfig, FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance, serve

BTC = Symbol("BTC")
VENUE_NOW = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
EIGHT_H_NEXT = int(datetime(2026, 3, 1, 16, tzinfo=timezone.utc).timestamp() * 1000)
ONE_H_NEXT = int(datetime(2026, 3, 1, 13, tzinfo=timezone.utc).timestamp() * 1000)
ONE_HOUR_INFO = {
    "symbol": "BTCUSDT",
    "adjustedFundingRateCap": "0.02000000",
    "adjustedFundingRateFloor": "-0.02000000",
    "fundingIntervalHours": 1,
    "disclaimer": False,
}


@pytest.fixture
def fake() -> FakeBinance:
    venue = FakeBinance("k" * 64, "s" * 64)
    venue.clock_offset_ms = int(VENUE_NOW.timestamp() * 1000) - int(time.time() * 1000)
    venue.next_funding_overrides = {"BTCUSDT": EIGHT_H_NEXT}
    return venue


@pytest.fixture
def base_url(fake: FakeBinance) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def make(base_url: str) -> BinanceClient:
    settings = VenueSettings(id=ExchangeIdentifier("binance"), kind="binance", base_url=base_url)
    client = build_client(settings).unwrap()
    assert isinstance(client, BinanceClient)
    return client


async def btc(client: BinanceClient) -> FundingRate:
    (rate,) = (await run(client.fetch_funding_rates([BTC]))).unwrap()
    return rate


def info_reads(fake: FakeBinance) -> int:
    return fake.paths().count("/fapi/v1/fundingInfo")


@pytest.mark.anyio
async def test_an_8h_to_1h_switch_is_caught_at_the_first_read_after_it(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url)
    try:
        before = await btc(client)
        assert before.interval == timedelta(hours=8) and before.interval_doubt is None
        assert info_reads(fake) == 1
        # the venue switches BTCUSDT to 1 h; our fundingInfo (TTL 600 s) is still cached
        fake.extra_funding_info = [ONE_HOUR_INFO]
        fake.next_funding_overrides = {"BTCUSDT": ONE_H_NEXT}
        after = await btc(client)
        assert after.interval == timedelta(hours=1)
        assert after.interval_doubt is None
        assert after.apr == after.rate * 8760  # annualised hourly, not 8-hourly
        assert info_reads(fake) == 2  # re-read at once, not after the TTL
        await btc(client)
        assert info_reads(fake) == 2  # agrees now: the cache serves again
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_rate_whose_interval_stays_uncertain_is_left_out_with_the_reason(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url)
    try:
        await btc(client)
        fake.next_funding_overrides = {"BTCUSDT": ONE_H_NEXT}  # fundingInfo lags behind
        doubted = await btc(client)
    finally:
        await client.aclose()
    assert doubted.interval == timedelta(hours=8)
    assert doubted.interval_doubt == "next funding 2026-03-01 13:00Z is off the 8h settlement grid"
    # the decision leaves it out, naming why
    other = FundingRate(
        exchange=ExchangeIdentifier("other"),
        symbol=BTC,
        rate=Decimal("-0.001"),
        interval=timedelta(hours=1),
        kind=FundingKind.CURRENT,
        observed_at=doubted.observed_at,
    )
    from returns.result import Success

    result = FundingArbitrageDecision.analyze_opportunity(
        rates={doubted.exchange: Success(doubted), other.exchange: Success(other)},
        positions={doubted.exchange: Success(None), other.exchange: Success(None)},
        config=ArbitrageConfig(
            build_threshold=Decimal("0.05"),
            close_threshold=Decimal("0.01"),
            max_position=Decimal(1),
            trade_size=Decimal("0.01"),
        ),
        now=doubted.observed_at,
    )
    excluded = result.failure().excluded
    assert any(
        line.startswith("binance: interval uncertain (next funding 2026-03-01 13:00Z")
        for line in excluded
    ), excluded
