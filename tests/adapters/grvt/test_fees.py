"""GRVT fees: the account's level from ``full/v1/funding_account_summary`` over a local
GRVT on 127.0.0.1 (login, session cookie, the api-spec's example answer), mapped onto the
published table; else the published level 1."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from adapters.grvt.client import GrvtClient
from adapters.grvt.fees import FUTURES_FEE_LEVELS
from adapters.published_fees import PUBLISHED_FEES
from adapters.registry import VenueSettings, build_client
from atomic_fp.models import FeeSource, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import FeeQuoting
from tests.adapters.grvt._data import run
from tests.adapters.grvt.fake_venue import Exchange, Hosts, serve

KEY = "0x" + "22" * 32
API_KEY = "grvt-api-key-SECRET"
SUB = "2147050003876484"


@pytest.fixture
def exchange() -> Exchange:
    return Exchange(api_key=API_KEY, sub_account_id=SUB, authorised_key=KEY)


@pytest.fixture
def hosts(exchange: Exchange) -> Iterator[Hosts]:
    with serve(exchange) as running:
        yield running


def client_for(hosts: Hosts, credentials: dict[str, str]) -> GrvtClient:
    settings = VenueSettings(
        id=ExchangeIdentifier("grvt"),
        kind="grvt",
        base_url=hosts.market,
        trading_url=hosts.trading,
        auth_url=hosts.auth,
        credentials=credentials,
        timeout=5.0,
    )
    client = build_client(settings).unwrap()
    assert isinstance(client, GrvtClient) and isinstance(client, FeeQuoting)
    return client


CREDENTIALS = {"api_key": API_KEY, "sub_account_id": SUB, "private_key": KEY}


@pytest.mark.anyio
async def test_the_account_level_picks_its_row_of_the_published_table(
    exchange: Exchange, hosts: Hosts
) -> None:
    exchange.fee_tier = 3
    client = client_for(hosts, CREDENTIALS)
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.ACCOUNT
    # level 3: help.grvt.io 0.022 % / 0.044 %, gitbook 0.022 % / 0.040 %: the higher
    assert quote.fees == VenueFees(maker=Decimal("0.00022"), taker=Decimal("0.00044"))
    assert "tier 3" in quote.detail
    assert exchange.logins == 1  # the call went through the session


@pytest.mark.anyio
async def test_the_docs_example_with_a_null_tier_falls_back_to_published(
    exchange: Exchange, hosts: Hosts
) -> None:
    client = client_for(hosts, CREDENTIALS)
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert quote.fees == VenueFees(maker=Decimal("0.0003"), taker=Decimal("0.00055"))
    assert "fee query failed (MalformedResponse" in quote.detail
    assert API_KEY not in quote.detail


@pytest.mark.anyio
async def test_without_credentials_nothing_is_sent(exchange: Exchange, hosts: Hosts) -> None:
    client = client_for(hosts, {})
    try:
        quote = (await run(client.fetch_fees())).unwrap()
    finally:
        await client.aclose()
    assert quote.source is FeeSource.PUBLISHED
    assert exchange.logins == 0 and exchange.trading_headers == []


def test_published_grvt_tier_is_level_one_of_the_table() -> None:
    assert PUBLISHED_FEES["grvt"].fees == FUTURES_FEE_LEVELS[1]
    takers = [FUTURES_FEE_LEVELS[level].taker for level in range(1, 10)]
    assert takers == sorted(takers, reverse=True)  # higher levels never cost more
