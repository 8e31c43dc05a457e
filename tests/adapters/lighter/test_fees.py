"""Lighter fees: the per-market ``taker_fee`` / ``maker_fee`` of ``orderBookDetails`` over
a local 127.0.0.1 server speaking Lighter's wire format (rows copied from ccxt's recorded
real answer), and the recorded row itself ("0.0000": standard accounts pay nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from adapters.lighter.client import create
from adapters.lighter.fees import market_fees
from adapters.lighter.parsers import parse_markets
from adapters.registry import VenueSettings
from atomic_fp.models import FeeSource, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import FeeQuoting
from tests.adapters.lighter._data import ccxt, res
from tests.adapters.lighter.fake_venue import LocalLighter, local_lighter

LIGHTER = ExchangeIdentifier("lighter")


@pytest.fixture
def server() -> Iterator[LocalLighter]:
    with local_lighter() as local:
        yield local


def _client(server: LocalLighter) -> FeeQuoting:
    settings = VenueSettings(
        id=LIGHTER, kind="lighter", base_url=server.base_url, ws_url=server.ws_url
    )
    client = create(settings)
    assert isinstance(client, FeeQuoting)
    return client


def test_recorded_order_book_details_publish_zero_fees() -> None:
    markets = parse_markets(ccxt("fetchMarkets"), LIGHTER).unwrap()
    assert {(m.taker_fee, m.maker_fee) for m in markets} == {(Decimal(0), Decimal(0))}
    quote = market_fees(markets)
    assert quote is not None and quote.source is FeeSource.PUBLISHED
    assert quote.fees == VenueFees(maker=Decimal(0), taker=Decimal(0))


@pytest.mark.anyio
async def test_fees_come_from_order_book_details(server: LocalLighter) -> None:
    client = _client(server)
    try:
        quote = (await res(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()  # type: ignore[attr-defined]
    assert quote.fees == VenueFees(maker=Decimal(0), taker=Decimal(0))
    assert "orderBookDetails" in quote.detail and "3 markets" in quote.detail
    assert server.state.paths() == ["/api/v1/orderBookDetails"]


@pytest.mark.anyio
async def test_premium_percent_fees_are_fractions_and_the_highest_market_wins(
    server: LocalLighter,
) -> None:
    # premium account rates (apidocs.lighter.xyz account-types): 0.0280 % taker, 0.0040 % maker
    server.state.market_fees = {0: ("0.0280", "0.0040"), 1: ("0.0196", "0.0028")}
    client = _client(server)
    try:
        quote = (await res(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()  # type: ignore[attr-defined]
    assert quote.fees == VenueFees(maker=Decimal("0.00004"), taker=Decimal("0.00028"))
    assert "highest of differing markets" in quote.detail


@pytest.mark.anyio
async def test_a_failed_market_list_falls_back_to_the_published_standard_tier() -> None:
    settings = VenueSettings(id=LIGHTER, kind="lighter", base_url="http://127.0.0.1:9", timeout=2.0)
    client = create(settings)
    try:
        quote = (await res(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert quote.fees.taker == Decimal(0)
    assert "fee query failed" in quote.detail
