"""Lighter funding clamp: ``market_stats`` ``funding_clamp_big`` (percent per hour) bounds the
hourly rate either way, and a websocket rate beyond it is annualised at the clamp (a local
Lighter on 127.0.0.1: REST + websocket)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal

import anyio
import pytest

from adapters.lighter.client import create
from adapters.lighter.parsers import parse_ws_frame
from adapters.registry import VenueSettings
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.lighter._data import nautilus, res
from tests.adapters.lighter.fake_venue import LocalLighter, local_lighter, market_stats

ETH, BTC = Symbol("ETH"), Symbol("BTC")
NOW = datetime(2026, 6, 4, 4, tzinfo=timezone.utc)


def test_recorded_market_stats_carry_the_four_percent_clamp() -> None:
    frame = parse_ws_frame(nautilus("ws_market_stats_subscribed_single.json"), NOW).unwrap()
    (stats,) = frame.stats
    assert stats.funding_cap_hourly == Decimal("0.04")  # "4.0000" %/h
    assert stats.current_funding_hourly == Decimal("-0.000028")


@pytest.fixture
def server() -> Iterator[LocalLighter]:
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    runaway = {**market_stats(0, "3013.91", "6.0000", now_ms), "funding_clamp_big": "4.0000"}
    stats = {"0": runaway, "1": market_stats(1, "64356.3", "-0.0028", now_ms)}
    with local_lighter(stats) as running:
        yield running


@pytest.mark.anyio
async def test_a_websocket_rate_beyond_the_clamp_is_annualised_at_the_clamp(
    server: LocalLighter,
) -> None:
    settings = VenueSettings(
        id=ExchangeIdentifier("lighter"),
        kind="lighter",
        base_url=server.base_url,
        ws_url=server.ws_url,
        options={"ws_max_age_seconds": "3600"},
    )
    client = create(settings)
    try:
        async with anyio.create_task_group() as group:
            await group.start(client.feed.run)
            with anyio.fail_after(10):
                while len(client.feed.snapshot()) < 2:
                    await client.feed.wait_for_update()
            rates = {r.symbol: r for r in (await res(client.fetch_funding_rates())).unwrap()}
            group.cancel_scope.cancel()
    finally:
        await client.aclose()
    eth = rates[ETH]
    assert eth.rate == Decimal("0.06")  # 6 %/h as sent
    assert (eth.cap, eth.floor) == (Decimal("0.04"), Decimal("-0.04"))
    assert eth.apr == Decimal("0.04") * 8760  # never 0.06 x 8760
    assert rates[BTC].cap is None  # no clamp in that frame: no bound is guessed
