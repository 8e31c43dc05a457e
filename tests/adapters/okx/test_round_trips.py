"""Reading OKX's funding costs one round trip, cold or warm: with every answer 0.2 s late
(a distant venue, as in ``bench/bench_scan_latency.py``), the requests of a funding read
fall into one sequential wave (``bench.replay_server.waves``: grouped by arrival against
earlier answers, never by elapsed time). Cold, ``instruments``, ``funding-rate`` and
``mark-price`` are in flight together; warm, ``funding-rate?instId=ANY`` and ``mark-price``
answer for every swap."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from returns.result import Success

from adapters.okx import OkxClient, OkxConfig
from bench.replay_server import Served, waves
from tests.adapters.okx.fake_venue import FakeOkx
from tests.harness import run, serve

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> FakeOkx:
    venue = FakeOkx("k", "s", "p")
    venue.latency = 0.2
    return venue


@pytest.fixture
def url(fake: FakeOkx) -> Iterator[str]:
    with serve(fake) as base:
        yield base


def logged(fake: FakeOkx) -> list[Served]:
    with fake.lock:
        served = [Served("GET", p, True, arrived, answered) for p, arrived, answered in fake.served]
        fake.served.clear()
    return served


async def test_a_funding_read_is_one_round_trip_cold_and_warm(fake: FakeOkx, url: str) -> None:
    client = OkxClient(OkxConfig(base_url=url))
    try:
        assert isinstance(await run(client.fetch_funding_rates()), Success)
        cold = logged(fake)
        assert {s.path for s in cold} == {
            "/api/v5/public/instruments",
            "/api/v5/public/funding-rate",
            "/api/v5/public/mark-price",
        }
        assert len(waves(cold)) == 1
        assert isinstance(await run(client.fetch_funding_rates()), Success)
        warm = logged(fake)
        assert {s.path for s in warm} == {  # instruments cached
            "/api/v5/public/funding-rate",
            "/api/v5/public/mark-price",
        }
        assert len(waves(warm)) == 1
    finally:
        await client.aclose()
