"""Binance fees: the account's ``/fapi/v1/commissionRate`` over a local 127.0.0.1 server
speaking Binance's wire format (signed request, the docs' example answer), else the
published VIP 0 tier, and the recorded nautilus fixture parsed in place (LGPL: not copied)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from returns.result import Success

from adapters.binance.client import BinanceClient
from adapters.binance.fees import parse_commission_rate
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeSource, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import FeeQuoting
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance, serve
from tests.conftest import research_file

KEY = "k" * 64
SECRET = "s3cr3t-" + "y" * 57
NAUTILUS = (
    "nautilus_trader/tests/integration_tests/adapters/binance/resources/http_responses/"
    "http_futures_wallet_commission_rate_btcusdt.json"
)


@pytest.fixture
def fake() -> FakeBinance:
    return FakeBinance(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBinance) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def make(base_url: str, credentials: dict[str, str]) -> BinanceClient:
    settings = VenueSettings(
        id=ExchangeIdentifier("binance"), kind="binance", base_url=base_url, credentials=credentials
    )
    client = build_client(settings).unwrap()
    assert isinstance(client, BinanceClient) and isinstance(client, FeeQuoting)
    return client


@pytest.mark.anyio
async def test_account_rates_come_from_the_signed_commission_rate_endpoint(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url, {"api_key": KEY, "api_secret": SECRET})
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.ACCOUNT
    assert quote.fees == VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0004"))
    assert "commissionRate" in quote.detail
    signed = [q for m, p, q in fake.requests if p == "/fapi/v1/commissionRate"]
    assert len(signed) == 1 and "signature=" in signed[0] and "symbol=BTCUSDT" in signed[0]


@pytest.mark.anyio
async def test_without_credentials_the_published_tier_is_used_and_nothing_is_sent(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url, {})
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert quote.fees == VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005"))
    assert "no credentials" in quote.detail
    assert fake.requests == []


@pytest.mark.anyio
async def test_a_rejected_account_query_falls_back_to_published_and_says_why(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url, {"api_key": KEY, "api_secret": "wrong-" + "z" * 58})
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert quote.fees.taker == Decimal("0.0005")  # the higher base tier, never a guess
    assert "fee query failed" in quote.detail
    assert "wrong-" not in quote.detail  # the secret never leaks into the detail


def test_recorded_nautilus_commission_rate_fixture() -> None:
    payload = json.loads(research_file(NAUTILUS).read_text())
    quote = parse_commission_rate("binance", payload).unwrap()
    assert quote.fees == VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005"))
    assert quote.source is FeeSource.ACCOUNT


def test_malformed_commission_rate_is_a_malformed_response() -> None:
    result = parse_commission_rate("binance", {"symbol": "BTCUSDT", "takerCommissionRate": "x"})
    assert not isinstance(result, Success)
    assert isinstance(result.failure(), MalformedResponse)
