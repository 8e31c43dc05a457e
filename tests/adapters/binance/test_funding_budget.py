"""Binance's ``fundingInfo`` and ``fundingRate`` share their own limit (500 requests per
5 min per IP, Binance USD-M docs "Get Funding Rate Info" / "Get Funding Rate History"),
separate from the request-weight limit: the client counts both endpoints, and only them,
against ``funding_requests_per_5min`` and refuses locally, unsent, past it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from atomic_fp.errors import VenueError
from atomic_fp.models import Symbol
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance
from tests.adapters.binance.test_round_trip import base_url, fake, make

BTC = Symbol("BTC")
__all__ = ["base_url", "fake"]  # the round-trip tests' fixtures, used here


@pytest.mark.anyio
async def test_funding_endpoints_and_only_they_spend_the_funding_budget(
    fake: FakeBinance, base_url: str
) -> None:
    # 2 funding requests per 5 min (one back after 150 s), at most 10 ms of waiting:
    # fundingInfo takes one, the first history page the other.
    client = make(
        base_url, secret=None, funding_requests_per_5min="2", max_budget_wait_seconds="0.01"
    )
    try:
        assert len((await run(client.fetch_markets())).unwrap()) > 0  # fundingInfo: 1
        for _ in range(3):  # premiumIndex with fundingInfo cached: no funding request
            assert len((await run(client.fetch_funding_rates())).unwrap()) > 0
        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        end = datetime(2030, 1, 1, tzinfo=timezone.utc)
        history = await run(client.fetch_funding_history(BTC, start, end))  # 3 pages wanted
    finally:
        await client.aclose()
    error = history.failure()
    assert isinstance(error, VenueError)
    assert "funding-endpoints" in str(error)
    paths = fake.paths()
    assert paths.count("/fapi/v1/fundingInfo") == 1
    assert paths.count("/fapi/v1/fundingRate") == 1  # the 2nd page was refused, not sent
    assert paths.count("/fapi/v1/premiumIndex") == 3
