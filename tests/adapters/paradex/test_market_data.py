"""Paradex market data against the fake venue on a real local socket (the harness):
markets, funding now in one round trip, cursor paging of ``/funding/data``, books, and
Paradex's error bodies as typed errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
from returns.result import Failure, Success

from adapters.paradex import ParadexClient, ParadexConfig
from atomic_fp.errors import MalformedResponse, UnknownSymbol, VenueRejected
from atomic_fp.models import FundingKind, Symbol
from atomic_fp.venue import Capability
from tests.adapters.paradex.fake_venue import FIRST_MS, SAMPLE_EVERY_MS, FakeParadex
from tests.harness import Reply, Request, run, serve

pytestmark = pytest.mark.anyio

BTC, ETH, SOL = Symbol("BTC"), Symbol("ETH"), Symbol("SOL")
START = datetime.fromtimestamp(FIRST_MS / 1000, tz=timezone.utc)


@pytest.fixture
def fake() -> FakeParadex:
    return FakeParadex()


@pytest.fixture
def url(fake: FakeParadex) -> Iterator[str]:
    with serve(fake) as base:
        yield base + "/v1"


def client(url: str) -> ParadexClient:
    return ParadexClient(ParadexConfig(base_url=url))


async def test_markets_are_the_perpetuals_with_their_own_funding_periods(
    fake: FakeParadex, url: str
) -> None:
    async with client(url) as venue:
        markets = {m.symbol: m for m in (await run(venue.fetch_markets())).unwrap()}
    assert set(markets) == {BTC, ETH, SOL}  # the BTC option is left out
    assert markets[BTC].funding_interval == timedelta(hours=8)  # no period given: default
    assert markets[SOL].funding_interval == timedelta(hours=1)
    assert markets[ETH].lot_size == Decimal("0.01") and markets[ETH].min_notional == 100


async def test_funding_now_is_one_round_trip_and_cached_markets_are_reused(
    fake: FakeParadex, url: str
) -> None:
    async with client(url) as venue:
        rates = {r.symbol: r for r in (await run(venue.fetch_funding_rates())).unwrap()}
        assert sorted(fake.paths()) == ["/v1/markets", "/v1/markets/summary"]
        again = (await run(venue.fetch_funding_rates([SOL]))).unwrap()
    assert fake.paths()[2:] == ["/v1/markets/summary"]
    assert all(r.query == {"market": "ALL"} for r in fake.received if "summary" in r.path)
    assert set(rates) == {BTC, ETH, SOL}
    assert rates[SOL].interval == timedelta(hours=1) and rates[SOL].rate == Decimal("0.00001")
    assert rates[SOL].hourly == Decimal("0.00001")
    assert rates[BTC].hourly == Decimal("0.000015")  # 0.00012 per 8 h
    assert all(r.kind is FundingKind.CURRENT and r.next_funding_time is None for r in again)
    assert [r.symbol for r in again] == [SOL]


async def test_history_follows_every_next_cursor_and_returns_oldest_first(
    fake: FakeParadex, url: str
) -> None:
    end = START + timedelta(milliseconds=250 * SAMPLE_EVERY_MS)
    async with client(url) as venue:
        history = (await run(venue.fetch_funding_history(BTC, START, end))).unwrap()
    pages = [r for r in fake.received if r.path == "/v1/funding/data"]
    assert len(pages) == 3  # 250 samples, pages of 100
    assert "cursor" not in pages[0].query
    assert pages[1].query["cursor"] != pages[2].query["cursor"]
    assert all(p.query["market"] == "BTC-USD-PERP" for p in pages)
    assert all(p.query["start_at"] == str(FIRST_MS) for p in pages)
    assert len(history) == 250
    times = [r.funding_time for r in history if r.funding_time is not None]
    assert len(times) == 250 and times == sorted(times) and times[0] == START
    assert all(r.interval == timedelta(hours=8) for r in history)


async def test_history_in_a_window_keeps_only_that_window(fake: FakeParadex, url: str) -> None:
    start = START + timedelta(hours=1)
    async with client(url) as venue:
        history = (
            await run(venue.fetch_funding_history(ETH, start, start + timedelta(hours=1)))
        ).unwrap()
    assert len(history) == 12  # one sample per 5 min; the end is excluded
    assert all(start <= (r.funding_time or start) < start + timedelta(hours=1) for r in history)


class StuckCursorParadex(FakeParadex):
    """Answers every ``/funding/data`` page with the same ``next`` cursor."""

    def funding_data(self, request: Request) -> Reply:
        return Reply(200, {"next": "c2FtZQ", "prev": None, "results": []})


async def test_a_cursor_that_repeats_is_a_malformed_answer_not_a_short_history() -> None:
    fake = StuckCursorParadex()
    with serve(fake) as base:
        async with client(base + "/v1") as venue:
            outcome = await run(venue.fetch_funding_history(BTC, START, START + timedelta(hours=1)))
    assert isinstance(outcome, Failure) and isinstance(outcome.failure(), MalformedResponse)
    assert "cursor repeated" in outcome.failure().message
    assert sum(p == "/v1/funding/data" for p in fake.paths()) == 2


async def test_book_is_read_and_unknown_symbols_are_typed_errors(
    fake: FakeParadex, url: str
) -> None:
    async with client(url) as venue:
        book = (await run(venue.fetch_order_book(BTC, 2))).unwrap()
        unknown = await run(venue.fetch_order_book(Symbol("DOGE"), 2))
    assert book.bids[0].price == Decimal("66810") and book.asks[0].price == Decimal("67643.2")
    assert [a.price for a in book.asks] == [Decimal("67643.2")]  # zero-size level dropped
    assert isinstance(unknown, Failure) and isinstance(unknown.failure(), UnknownSymbol)


async def test_an_error_body_becomes_a_typed_failure_naming_the_identifier(
    fake: FakeParadex, url: str
) -> None:
    venue = client(url)  # not entered: connect() would load the markets first
    fake.fail_next[("GET", "/v1/markets")] = Reply(
        400, {"error": "VALIDATION_ERROR", "message": "bad request"}
    )
    outcome = await run(venue.fetch_markets())
    later = await run(venue.fetch_markets())
    await venue.aclose()
    assert isinstance(outcome, Failure) and isinstance(outcome.failure(), VenueRejected)
    assert outcome.failure().code == "VALIDATION_ERROR"
    assert isinstance(later, Success)  # a failed load is not cached


async def test_market_data_only_no_trading_capability() -> None:
    fake = FakeParadex()
    venue = ParadexClient(
        ParadexConfig(base_url="http://paradex.test/v1", transport=httpx.MockTransport(
            fake.mock_handler))
    )  # fmt: skip
    assert Capability.FUNDING_RATES in venue.capabilities
    assert not venue.capabilities & {Capability.PLACE_ORDER, Capability.POSITIONS}
    await venue.aclose()
