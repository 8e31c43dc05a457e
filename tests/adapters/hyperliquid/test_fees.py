"""Hyperliquid fees: the account's ``userFees`` over a local 127.0.0.1 server speaking the
venue's wire format (serving ccxt's recorded real answer), else the published tier 0."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from adapters.hyperliquid.client import HyperliquidClient
from adapters.hyperliquid.fees import parse_user_fees
from adapters.registry import VenueSettings
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeSource, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import FeeQuoting
from tests.adapters.hyperliquid._data import ccxt_bodies, run
from tests.adapters.hyperliquid.fake_venue import MASTER, FakeHyperliquid, serve

HL = ExchangeIdentifier("hyperliquid")


@pytest.fixture
def venue() -> Iterator[tuple[FakeHyperliquid, str]]:
    fake = FakeHyperliquid(mainnet=True)
    with serve(fake) as url:
        yield fake, url


def _client(url: str, credentials: dict[str, str]) -> HyperliquidClient:
    settings = VenueSettings(
        id=HL, kind="hyperliquid", base_url=url, credentials=credentials, timeout=5.0
    )
    client = HyperliquidClient(settings)
    assert isinstance(client, FeeQuoting)
    return client


@pytest.mark.anyio
async def test_account_rates_come_from_user_fees(venue: tuple[FakeHyperliquid, str]) -> None:
    fake, url = venue
    client = _client(url, {"account_address": MASTER})
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.ACCOUNT
    # the recorded account paid 0.035 % taker / 0.01 % maker (2024 schedule), not tier 0
    assert quote.fees == VenueFees(maker=Decimal("0.0001"), taker=Decimal("0.00035"))
    assert fake.requests == [("/info", {"type": "userFees", "user": MASTER})]


@pytest.mark.anyio
async def test_without_an_address_the_published_tier_is_used(
    venue: tuple[FakeHyperliquid, str],
) -> None:
    fake, url = venue
    client = _client(url, {})
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert quote.fees == VenueFees(maker=Decimal("0.00015"), taker=Decimal("0.00045"))
    assert fake.requests == []


@pytest.mark.anyio
async def test_an_unreadable_answer_falls_back_to_published_and_says_why(
    venue: tuple[FakeHyperliquid, str],
) -> None:
    fake, url = venue
    fake.requests.clear()
    client = _client(url, {"account_address": "0x" + "ab" * 20})
    original = fake._info

    def broken(body: dict[str, object]) -> object:
        return {"userCrossRate": "n/a"} if body.get("type") == "userFees" else original(body)

    fake._info = broken  # type: ignore[method-assign]
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert quote.fees.taker == Decimal("0.00045")
    assert "MalformedResponse" in quote.detail


def test_recorded_user_fees_parse_like_ccxt() -> None:
    for body in ccxt_bodies("fetchTradingFee_userFees"):
        quote = parse_user_fees("hyperliquid", body).unwrap()
        # ccxt's parsedResponse of the same body: maker 0.0001, taker 0.00035
        assert (quote.fees.maker, quote.fees.taker) == (Decimal("0.0001"), Decimal("0.00035"))


def test_missing_fields_are_malformed() -> None:
    failure = parse_user_fees("hyperliquid", {"userAddRate": "0.0001"}).failure()
    assert isinstance(failure, MalformedResponse)
