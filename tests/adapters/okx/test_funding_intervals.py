"""Funding on OKX carries each symbol's own interval, ``nextFundingTime - fundingTime``
(8 h for most, 4 h for SOL and 1 h for DOGE on the fake), read fresh with every rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from returns.result import Success

from adapters.okx import OkxClient, OkxConfig
from atomic_fp.models import Symbol
from tests.adapters.okx.fake_venue import FakeOkx
from tests.harness import Reply, run

pytestmark = pytest.mark.anyio

FAST = {"public_requests_per_2s": "1000", "private_requests_per_2s": "1000"}


def venue(fake: FakeOkx) -> OkxClient:
    transport = httpx.MockTransport(fake.mock_handler)
    return OkxClient(OkxConfig(base_url="https://okx.test", transport=transport, options=FAST))


async def test_a_4h_and_a_1h_symbol_among_8h_ones() -> None:
    fake = FakeOkx("k", "s", "p")
    client = venue(fake)
    rates = await run(client.fetch_funding_rates())
    assert isinstance(rates, Success)
    hours = {r.symbol.base: r.interval_hours for r in rates.unwrap()}
    assert hours == {"BTC": 8, "ETH": 8, "XRP": 8, "SOL": 4, "DOGE": 1}
    doge = next(r for r in rates.unwrap() if r.symbol == Symbol("DOGE"))
    # -0.00003 per hourly settlement: 8760 settlements a year
    assert doge.apr == Decimal("-0.00003") * 8760
    assert all(r.interval_doubt is None for r in rates.unwrap())
    assert all(r.cap == Decimal("0.00375") for r in rates.unwrap())
    markets = await run(client.fetch_markets())
    assert isinstance(markets, Success)
    by_base = {m.symbol.base: m.funding_interval for m in markets.unwrap()}
    assert by_base["SOL"] == timedelta(hours=4) and by_base["DOGE"] == timedelta(hours=1)
    await client.aclose()


async def test_a_cold_cache_reads_instruments_and_funding_in_one_round_trip() -> None:
    fake = FakeOkx("k", "s", "p")
    client = venue(fake)
    assert isinstance(await run(client.fetch_funding_rates()), Success)
    assert sorted(fake.paths()) == [
        "/api/v5/public/funding-rate",
        "/api/v5/public/instruments",
        "/api/v5/public/mark-price",
    ]
    assert isinstance(await run(client.fetch_funding_rates()), Success)
    assert sorted(fake.paths()[3:]) == [  # markets cached
        "/api/v5/public/funding-rate",
        "/api/v5/public/mark-price",
    ]
    await client.aclose()


async def test_a_changed_interval_shows_at_the_next_read() -> None:
    """OKX moves a contract between 8/4/2/1 h (its 2026-04-14 mechanism); the interval
    comes with every funding answer, so a cached market list cannot hold it back."""
    fake = FakeOkx("k", "s", "p")
    client = venue(fake)
    first = await run(client.fetch_funding_rates([Symbol("BTC")]))
    assert isinstance(first, Success) and first.unwrap()[0].interval_hours == 8
    fake.interval_hours["BTC-USDT-SWAP"] = 2
    second = await run(client.fetch_funding_rates([Symbol("BTC")]))
    assert isinstance(second, Success) and second.unwrap()[0].interval_hours == 2
    assert fake.paths().count("/api/v5/public/instruments") == 1
    await client.aclose()


async def test_one_row_without_a_usable_interval_is_in_doubt_not_fatal() -> None:
    """A row whose ``nextFundingTime`` is empty (or not after ``fundingTime``) keeps its
    rate, marked with why its interval is unknown; every other symbol is unaffected."""
    fake = FakeOkx("k", "s", "p")
    client = venue(fake)
    assert isinstance(await run(client.fetch_markets()), Success)
    original = fake._funding_row

    def odd(inst_id: str, hours: int) -> dict[str, object]:
        row = original(inst_id, hours)
        if inst_id == "SOL-USDT-SWAP":
            row["nextFundingTime"] = ""
        if inst_id == "XRP-USDT-SWAP":
            row["nextFundingTime"] = row["fundingTime"]
        return row

    fake._funding_row = odd  # type: ignore[method-assign]
    rates = await run(client.fetch_funding_rates())
    assert isinstance(rates, Success)
    doubt = {r.symbol.base: r.interval_doubt for r in rates.unwrap()}
    assert doubt["BTC"] is None and doubt["DOGE"] is None and doubt["ETH"] is None
    assert doubt["SOL"] is not None and "nextFundingTime" in doubt["SOL"]
    assert doubt["XRP"] is not None and "not an interval" in doubt["XRP"]
    sol = next(r for r in rates.unwrap() if r.symbol.base == "SOL")
    assert sol.interval == timedelta(hours=4)  # the market's last known interval
    await client.aclose()


async def test_marks_ride_along_and_a_failed_mark_read_leaves_them_unknown() -> None:
    fake = FakeOkx("k", "s", "p")
    client = venue(fake)
    rates = await run(client.fetch_funding_rates())
    assert isinstance(rates, Success)
    marks = {r.symbol.base: r.mark_price for r in rates.unwrap()}
    assert marks["BTC"] == Decimal("65000.5") and marks["ETH"] == Decimal("3400.25")
    assert marks["SOL"] is None and marks["DOGE"] is None  # empty / absent: unknown
    fake.fail_next[("GET", "/api/v5/public/mark-price")] = Reply(
        400, {"code": "51000", "msg": "Parameter error", "data": []}
    )
    again = await run(client.fetch_funding_rates())
    assert isinstance(again, Success) and len(again.unwrap()) == 5
    assert all(r.mark_price is None for r in again.unwrap())
    await client.aclose()
