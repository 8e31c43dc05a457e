"""Binance funding caps: ``fundingInfo`` ``adjustedFundingRateCap/Floor`` are carried on
each rate and bound its APR (a local 127.0.0.1 Binance; the real fundingInfo excerpt of
asterdex/api-docs#1 read in place)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.binance.client import BinanceClient
from adapters.binance.parsers import parse_funding_caps
from adapters.registry import VenueSettings, build_client
from atomic_fp.decisions.ranking import rank_opportunities
from atomic_fp.models import ArbitrageConfig, FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance, serve
from tests.conftest import research_file

BTC = Symbol("BTC")
SNIPPETS = "binance-docs-snippets/binance_usdm_funding_endpoints_examples.json"


@pytest.fixture
def fake() -> FakeBinance:
    return FakeBinance("k" * 64, "s" * 64)


@pytest.fixture
def base_url(fake: FakeBinance) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def make(base_url: str) -> BinanceClient:
    settings = VenueSettings(id=ExchangeIdentifier("binance"), kind="binance", base_url=base_url)
    client = build_client(settings).unwrap()
    assert isinstance(client, BinanceClient)
    return client


def test_real_funding_info_rows_give_caps_and_floors() -> None:
    rows = json.loads(research_file(SNIPPETS).read_text())["GET /fapi/v1/fundingInfo"]
    caps = parse_funding_caps("binance", rows["real_excerpt"]["response"]).unwrap()
    assert caps["BLZUSDT"] == (Decimal("0.03"), Decimal("-0.03"))
    assert caps["LPTUSDT"] == (Decimal("0.02"), Decimal("-0.02"))
    assert len(caps) == 4


@pytest.mark.anyio
async def test_a_rate_beyond_its_cap_is_not_annualised_past_the_cap(
    fake: FakeBinance, base_url: str
) -> None:
    fake.extra_funding_info = [
        {
            "symbol": "BTCUSDT",
            "adjustedFundingRateCap": "0.00300000",
            "adjustedFundingRateFloor": "-0.00300000",
            "fundingIntervalHours": 8,
            "disclaimer": False,
        }
    ]
    fake.rate_overrides = {"BTCUSDT": "0.01200000", "ETHUSDT": "-0.00002500"}
    client = make(base_url)
    try:
        rates = {r.symbol: r for r in (await run(client.fetch_funding_rates())).unwrap()}
    finally:
        await client.aclose()
    btc = rates[BTC]
    assert (btc.cap, btc.floor) == (Decimal("0.003"), Decimal("-0.003"))
    assert btc.rate == Decimal("0.012")  # what the venue reported is kept
    assert btc.capped and btc.payable == Decimal("0.003")
    assert btc.apr == Decimal("0.003") * 3 * 365  # 3.285 = 328.5 %, not 1314 %
    pepe = rates[Symbol("PEPE")]
    assert (pepe.cap, pepe.floor) == (Decimal("0.03"), Decimal("-0.03")) and not pepe.capped
    eth = rates[Symbol("ETH")]
    assert eth.cap is None and eth.apr == Decimal("-0.000025") * 1095
    # the ranking (what scan prints) uses the capped APR too
    other = FundingRate(
        exchange=ExchangeIdentifier("other"),
        symbol=BTC,
        rate=Decimal(0),
        interval=btc.interval,
        kind=FundingKind.CURRENT,
        observed_at=datetime(2024, 11, 27, tzinfo=timezone.utc),
    )
    config = ArbitrageConfig(
        build_threshold=Decimal("0.1"),
        close_threshold=Decimal("0.01"),
        max_position=Decimal(1),
        trade_size=Decimal(1),
    )
    (best, *_) = rank_opportunities([btc, other], config)
    assert best.short_venue == ExchangeIdentifier("binance")
    assert best.spread_apr == Decimal("3.285")


def test_a_floor_bounds_negative_rates_and_a_floor_above_the_cap_is_refused() -> None:
    def rate(value: str, cap: str, floor: str) -> FundingRate:
        return FundingRate(
            exchange=ExchangeIdentifier("x"),
            symbol=BTC,
            rate=Decimal(value),
            interval=timedelta(hours=4),
            kind=FundingKind.CURRENT,
            observed_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
            cap=Decimal(cap),
            floor=Decimal(floor),
        )

    low = rate("-0.05", "0.02", "-0.02")
    assert low.payable == Decimal("-0.02") and low.apr == Decimal("-0.02") * 6 * 365
    with pytest.raises(ValueError, match="above its cap"):
        rate("0", "0.01", "0.02")
