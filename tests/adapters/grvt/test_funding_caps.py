"""GRVT funding caps: ``adjusted_funding_rate_cap/floor`` (percent per interval, like the
rate) ride on every ticker rate and bound its APR; a local GRVT on 127.0.0.1 serves a
ticker rate beyond the instrument's cap."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from adapters.grvt.client import GrvtClient
from adapters.grvt.parsers import parse_instruments
from adapters.registry import VenueSettings, build_client
from atomic_fp.models import Symbol
from tests.adapters.grvt._data import VENUE, instrument_row, real_response, run
from tests.adapters.grvt.fake_venue import Exchange, Hosts, serve

BTC = Symbol("BTC")


def test_recorded_instrument_caps_are_percent_per_interval() -> None:
    listing = parse_instruments(VENUE, real_response("fetchMarkets")).unwrap()
    (aave,) = [i for i in listing.instruments if i.base == "AAVE"]
    # the recorded "0.75" / "-0.75" is 0.75 % per 8 h, not 75 %
    assert (aave.funding_cap, aave.funding_floor) == (Decimal("0.0075"), Decimal("-0.0075"))


@pytest.fixture
def exchange() -> Exchange:
    capped = {**instrument_row(), "adjusted_funding_rate_cap": "0.3"}
    capped["adjusted_funding_rate_floor"] = "-0.3"
    eth = instrument_row("ETH_USDT_Perp", "0x030401", "0.01", "0.01")
    return Exchange(
        api_key="k", sub_account_id="1", authorised_key="0x" + "22" * 32, instruments=[capped, eth]
    )


@pytest.fixture
def hosts(exchange: Exchange) -> Iterator[Hosts]:
    with serve(exchange) as running:
        yield running


@pytest.mark.anyio
async def test_a_ticker_rate_beyond_the_cap_is_annualised_at_the_cap(
    exchange: Exchange, hosts: Hosts
) -> None:
    exchange.funding_rates = {"BTC_USDT_Perp": "1.2", "ETH_USDT_Perp": "-0.9"}
    settings = VenueSettings(id=VENUE, kind="grvt", base_url=hosts.market, timeout=5.0)
    client = build_client(settings).unwrap()
    assert isinstance(client, GrvtClient)
    try:
        rates = {r.symbol: r for r in (await run(client.fetch_funding_rates())).unwrap()}
    finally:
        await client.aclose()
    btc = rates[BTC]
    assert btc.rate == Decimal("0.012")  # 1.2 % per 8 h, as reported
    assert (btc.cap, btc.floor) == (Decimal("0.003"), Decimal("-0.003"))
    assert btc.apr == Decimal("0.003") * 1095  # 3.285, never 13.14
    eth = rates[Symbol("ETH")]
    assert eth.cap is None and eth.apr == Decimal("-0.009") * 1095  # no cap published
