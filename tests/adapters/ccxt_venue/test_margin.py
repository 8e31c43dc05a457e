"""Account margin through ccxt (``adapters/ccxt_venue/margin.py``) against the local Bitget
(``fake_venue.FakeBitgetAccount``: Bitget's v2 wire, signatures checked server-side),
read by ccxt's real ``bitget`` class.

Worked by hand from Bitget's documented fields as ccxt's ``bitget.parse_balance`` /
``parse_position`` / ``parse_market_leverage_tiers`` map them:
- equity = ``accountEquity`` 1000.5 (ccxt's unified ``total`` for a swap account);
- the ETH short: 0.3 ETH, mark 2005, ``keepMarginRate`` 0.004, so ccxt's maintenance
  margin = 0.004 x 601.5 + the fee to close 0.0006 x 601.5 = 2.406 + 0.3609 = 2.7669;
  its liquidation price 3100 is the venue's (``source = venue``);
- tiers: 0.4 % up to 150,000 at 125x, 0.5 % to 800,000 at 100x: with 1000.5 equity the
  largest openable position is 125,062.5 (tier 1, 0.4 %); with 2000, 250,000 (tier 2).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.ccxt_venue.factory import CcxtVenue, create
from adapters.ccxt_venue.margin import parse_account_margin, parse_tiers
from adapters.registry import VenueSettings
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import LiquidationSource
from atomic_fp.venue import MarginReporter
from tests.adapters.ccxt_venue.fake_venue import (
    API_KEY,
    PASSPHRASE,
    SECRET,
    FakeBitgetAccount,
    serve,
)
from tests.harness.outcome import run
from tests.harness.venue import Reply

pytestmark = pytest.mark.anyio
BTC, ETH = Symbol("BTC"), Symbol("ETH")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    """ccxt's async API runs on asyncio only (aiohttp)."""
    return "asyncio"


@pytest.fixture
def bitget() -> Iterator[tuple[FakeBitgetAccount, str]]:
    fake = FakeBitgetAccount()
    with serve(fake) as url:
        yield fake, url


def _client(url: str) -> CcxtVenue:
    return create(
        VenueSettings(
            id=ExchangeIdentifier("bitget"),
            kind="ccxt",
            base_url=url,
            credentials={"api_key": API_KEY, "secret": SECRET, "password": PASSPHRASE},
            options={"exchange": "bitget"},
        )
    )


async def test_margin_reads_equity_and_the_venues_leg(
    bitget: tuple[FakeBitgetAccount, str],
) -> None:
    fake, url = bitget
    client = _client(url)
    try:
        assert isinstance(client, MarginReporter)
        margin = (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    assert fake.rejected == []
    assert (margin.asset, margin.equity) == ("USDT", Decimal("1000.5"))
    (leg,) = margin.legs
    assert leg.symbol == ETH and leg.position.size == Decimal("-0.3")
    assert (leg.liquidation_price, leg.source) == (Decimal(3100), LiquidationSource.VENUE)
    assert leg.maintenance_margin == Decimal("2.7669")
    assert margin.maintenance_margin == Decimal("2.7669")
    assert margin.maintenance_rate(ETH) == Decimal("2.7669") / (Decimal("0.3") * 2005)
    assert margin.maintenance_rates == {}  # nothing asked yet: no tier read at all
    assert fake.tier_queries == []


async def test_a_symbol_asked_for_gets_its_tier_rate_once_per_ttl(
    bitget: tuple[FakeBitgetAccount, str],
) -> None:
    fake, url = bitget
    client = _client(url)
    try:
        (await run(client.fetch_order_book(BTC, 5))).unwrap()
        first = (await run(client.fetch_margin())).unwrap()
        fake.account["accountEquity"] = "2000"
        second = (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    assert first.maintenance_rate(BTC) == Decimal("0.004")  # 125,062.5 < 150,000
    assert second.maintenance_rate(BTC) == Decimal("0.005")  # 250,000: tier 2
    assert fake.tier_queries == ["BTCUSDT"]  # cached: the second read asked nothing


async def test_a_failed_tier_read_is_a_reason_never_a_rate(
    bitget: tuple[FakeBitgetAccount, str],
) -> None:
    fake, url = bitget
    fake.fail_next[("GET", "/api/v2/mix/market/query-position-lever")] = Reply(
        503, "<html>Service Unavailable</html>"
    )
    client = _client(url)
    try:
        (await run(client.fetch_order_book(BTC, 5))).unwrap()
        margin = (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    assert BTC not in margin.maintenance_rates
    assert "leverage tiers failed" in margin.maintenance_rate_problems[BTC]


def _markets() -> dict[str, Market]:
    return {
        "ETH/USDT:USDT": Market(
            exchange=ExchangeIdentifier("bitget"),
            symbol=ETH,
            venue_symbol="ETH/USDT:USDT",
            tick_size=Decimal("0.01"),
            lot_size=Decimal("0.01"),
            settle_asset="USDT",
        )
    }


def _position(**extra: Any) -> dict[str, Any]:
    return {
        "symbol": "ETH/USDT:USDT",
        "contracts": 0.3,
        "side": "short",
        "markPrice": 2005,
        "notional": 601.5,
        **extra,
    }


def test_no_settle_total_is_malformed_not_zero_equity() -> None:
    with pytest.raises(ValueError, match="settle asset USDT"):
        parse_account_margin(
            ExchangeIdentifier("bitget"), _markets(), [], {"total": {"BTC": 1}}, NOW
        )


def test_a_leg_without_maintenance_leaves_the_account_total_unknown() -> None:
    margin = parse_account_margin(
        ExchangeIdentifier("bitget"),
        _markets(),
        [_position()],
        {"total": {"USDT": "1000"}},
        NOW,
    )
    assert margin.maintenance_margin is None  # not a partial sum, not zero
    (leg,) = margin.legs
    assert leg.liquidation_price is None and leg.source is None


def test_maintenance_from_the_percentage_when_ccxt_gives_no_amount() -> None:
    margin = parse_account_margin(
        ExchangeIdentifier("bitget"),
        _markets(),
        [_position(maintenanceMarginPercentage=0.01, liquidationPrice=2500)],
        {"total": {"USDT": "1000"}},
        NOW,
    )
    assert margin.maintenance_margin == Decimal("6.015")
    assert margin.legs[0].source is LiquidationSource.VENUE


@pytest.mark.parametrize(
    ("tiers", "reason"),
    [
        ([], "no leverage tiers"),
        ([{"minNotional": 0, "maxNotional": 10, "maintenanceMarginRate": 1.5, "maxLeverage": 5}],
         "not in (0, 1)"),
        ([{"minNotional": 0, "maxNotional": 10, "maintenanceMarginRate": 0.01, "maxLeverage": 0}],
         "below 1"),
        ([{"minNotional": 0, "maxNotional": 10, "maintenanceMarginRate": 0.01, "maxLeverage": 5},
          {"minNotional": 20, "maxNotional": 30, "maintenanceMarginRate": 0.02, "maxLeverage": 2}],
         "does not start where"),
        ([{"maxNotional": 10, "maintenanceMarginRate": 0.01, "maxLeverage": 5}], "minNotional"),
    ],
)  # fmt: skip
def test_unreadable_tiers_name_the_field(tiers: list[dict[str, Any]], reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_tiers(tiers)


async def test_hostile_tiers_are_a_malformed_reason(
    bitget: tuple[FakeBitgetAccount, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = bitget
    client = _client(url)

    async def hostile(symbol: str) -> list[dict[str, Any]]:
        return [{"minNotional": 0, "maintenanceMarginRate": "NaN", "maxLeverage": 10}]

    try:
        (await run(client.fetch_order_book(BTC, 5))).unwrap()
        monkeypatch.setattr(client._ccxt, "fetch_market_leverage_tiers", hostile)
        margin = (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    problem = margin.maintenance_rate_problems[BTC]
    assert "leverage tiers" in problem and "not in (0, 1)" in problem
    assert BTC not in margin.maintenance_rates
