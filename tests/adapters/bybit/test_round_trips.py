"""Reading Bybit's funding costs one round trip, cold or warm: with every answer 0.2 s
late (a distant venue, as in ``bench/bench_scan_latency.py``), the requests of a funding
read fall into one sequential wave (``bench.replay_server.waves``: grouped by arrival
against earlier answers, never by elapsed time). The instruments fit one page here, as
Bybit's ~500 linear symbols do under ``limit=1000``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.replay_server import Served, waves
from tests.adapters.bybit._client import KEY, SECRET, make, run
from tests.adapters.bybit.fake_venue import FakeBybit, serve

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> FakeBybit:
    venue = FakeBybit(KEY, SECRET)
    venue.page_size = 1000
    venue.latency = 0.2
    return venue


@pytest.fixture
def base_url(fake: FakeBybit) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def logged(fake: FakeBybit) -> list[Served]:
    served = [
        Served("GET", path, True, arrived, answered) for path, arrived, answered in fake.served
    ]
    fake.served.clear()
    return served


async def test_a_funding_read_is_one_round_trip_cold_and_warm(
    fake: FakeBybit, base_url: str
) -> None:
    client = make(base_url, secret=None)
    try:
        assert (await run(client.fetch_funding_rates())).unwrap()
        cold = logged(fake)
        assert {s.path for s in cold} == {"/v5/market/tickers", "/v5/market/instruments-info"}
        assert len(waves(cold)) == 1
        assert (await run(client.fetch_funding_rates())).unwrap()
        warm = logged(fake)
        assert [s.path for s in warm] == ["/v5/market/tickers"]  # instruments cached
        assert len(waves(warm)) == 1
    finally:
        await client.aclose()
