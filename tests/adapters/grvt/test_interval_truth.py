"""Interval truth on GRVT (a local GRVT on 127.0.0.1): the instrument list (and its
``funding_interval_hours``) is cached in memory and on disk between runs; when a ticker's
``next_funding_time`` contradicts the cached interval, the list is re-read from the venue at
once, so an 8 h -> 1 h switch is caught at the first read after it; a rate still in doubt
carries ``interval_doubt``. The ticker's clock is fixed (12:30Z), so the test does not
depend on when it runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from adapters.grvt.client import GrvtClient
from adapters.registry import VenueSettings, build_client
from atomic_fp.models import FundingRate, Symbol
from tests.adapters.grvt._data import VENUE, instrument_row, run
from tests.adapters.grvt.fake_venue import Exchange, Hosts, serve

BTC = Symbol("BTC")
NS = 1_000_000_000
EVENT = int(datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc).timestamp()) * NS
AT_16 = int(datetime(2026, 3, 1, 16, tzinfo=timezone.utc).timestamp()) * NS
AT_13 = int(datetime(2026, 3, 1, 13, tzinfo=timezone.utc).timestamp()) * NS


@pytest.fixture
def exchange() -> Exchange:
    venue = Exchange(
        api_key="k",
        sub_account_id="1",
        authorised_key="0x" + "22" * 32,
        instruments=[instrument_row(interval=8)],
    )
    venue.ticker_times = (EVENT, AT_16)
    return venue


@pytest.fixture
def hosts(exchange: Exchange) -> Iterator[Hosts]:
    with serve(exchange) as running:
        yield running


def client_for(hosts: Hosts, cache: Path) -> GrvtClient:
    settings = VenueSettings(
        id=VENUE,
        kind="grvt",
        base_url=hosts.market,
        timeout=5.0,
        options={"instrument_cache": str(cache)},
    )
    client = build_client(settings).unwrap()
    assert isinstance(client, GrvtClient)
    return client


async def btc(client: GrvtClient) -> FundingRate:
    (rate,) = (await run(client.fetch_funding_rates([BTC]))).unwrap()
    return rate


@pytest.mark.anyio
async def test_a_switch_is_caught_even_through_the_disk_cache(
    exchange: Exchange, hosts: Hosts, tmp_path: Path
) -> None:
    cache = tmp_path / "grvt-instruments.json"
    first = client_for(hosts, cache)
    try:
        assert (await btc(first)).interval == timedelta(hours=8)
    finally:
        await first.aclose()
    assert cache.exists() and exchange.instrument_requests == 1
    # the venue moves BTC to hourly funding; a new process starts from the disk cache
    exchange.instruments = [instrument_row(interval=1)]
    exchange.ticker_times = (EVENT, AT_13)
    second = client_for(hosts, cache)
    try:
        rate = await btc(second)
    finally:
        await second.aclose()
    assert rate.interval == timedelta(hours=1) and rate.interval_doubt is None
    assert exchange.instrument_requests == 2  # re-read at once, not after the 900 s TTL


@pytest.mark.anyio
async def test_a_lagging_instrument_list_leaves_the_rate_in_doubt(
    exchange: Exchange, hosts: Hosts, tmp_path: Path
) -> None:
    client = client_for(hosts, tmp_path / "cache.json")
    try:
        await btc(client)
        exchange.ticker_times = (EVENT, AT_13)  # the list still says 8 h
        rate = await btc(client)
    finally:
        await client.aclose()
    assert rate.interval == timedelta(hours=8)
    assert rate.interval_doubt == "next funding 2026-03-01 13:00Z is off the 8h settlement grid"
