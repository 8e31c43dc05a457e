"""A cold ``fetch_funding_rates`` sends the market list and the rates at the same time.

``/api/v1/funding-rates`` does not need the market list to be asked for, only to be read
(market_id -> symbol), so with a cold market cache both requests go out at once and are
joined after both answer: one round trip, not two. The handler holds each of the pair
until the other has arrived; requests sent one after the other are recorded as having
waited alone (the test fails rather than hangs).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import httpx
import pytest
from returns.result import Failure

from adapters.lighter.client import LighterClient, create
from adapters.registry import VenueSettings
from atomic_fp.errors import MalformedResponse, UnknownSymbol, VenueRejected
from atomic_fp.models import Symbol
from tests.adapters.lighter._data import LIGHTER, ccxt_plain, res

MARKETS = "/api/v1/orderBookDetails"
RATES = "/api/v1/funding-rates"
WAIT_SECONDS = 2.0
AS_OF = datetime(2025, 12, 3, 15, 12, 10, tzinfo=timezone.utc)


class Rendezvous:
    """MockTransport handler replaying ccxt's recorded Lighter answers; each request of
    the pair waits (at most ``wait`` seconds) for the other to arrive."""

    def __init__(self) -> None:
        self.bodies: dict[str, Any] = {
            MARKETS: ccxt_plain("fetchMarkets"),
            RATES: ccxt_plain("fetchFundingRates"),
        }
        self.faults: dict[str, httpx.Response] = {}
        self.paths: list[str] = []
        self.waited_alone: list[str] = []
        self.wait = WAIT_SECONDS
        self.reset()

    def reset(self) -> None:
        self.arrived = {MARKETS: anyio.Event(), RATES: anyio.Event()}

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        self.arrived[path].set()
        other = RATES if path == MARKETS else MARKETS
        with anyio.move_on_after(self.wait) as scope:
            await self.arrived[other].wait()
        if scope.cancelled_caught:
            self.waited_alone.append(path)
        if path in self.faults:
            return self.faults[path]
        return httpx.Response(200, json=self.bodies[path])


def client_for(handler: Rendezvous) -> LighterClient:
    return create(
        VenueSettings(
            id=LIGHTER,
            kind="lighter",
            timeout=10.0,
            transport=httpx.MockTransport(handler),
            clock=lambda: AS_OF,
        )
    )


@pytest.mark.anyio
async def test_cold_markets_and_rates_are_in_flight_together() -> None:
    handler = Rendezvous()
    client = client_for(handler)
    try:
        with anyio.fail_after(3 * WAIT_SECONDS):
            cold = (await res(client.fetch_funding_rates())).unwrap()
        assert handler.waited_alone == []
        assert sorted(handler.paths) == sorted([MARKETS, RATES])
        # the join is the same as with a warm market list (market_id -> symbol kept)
        handler.reset()
        handler.wait = 0.2
        warm = (await res(client.fetch_funding_rates())).unwrap()
        assert handler.paths[2:] == [RATES]  # market list cached: only the rates
        assert handler.waited_alone == [RATES]  # the rendezvous does detect a lone request
        assert [(r.symbol, r.rate, r.interval) for r in cold] == [
            (r.symbol, r.rate, r.interval) for r in warm
        ]
        assert [r.symbol for r in cold] == [Symbol("ETH")]
        assert cold[0].venue_symbol == "0"
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_failed_market_list_fails_the_call_though_rates_arrived() -> None:
    handler = Rendezvous()
    handler.faults[MARKETS] = httpx.Response(200, json={"code": 29500, "message": "internal"})
    client = client_for(handler)
    try:
        error = (await res(client.fetch_funding_rates())).failure()
        assert isinstance(error, VenueRejected) and error.code == "29500"
        assert handler.paths.count(RATES) == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_failed_rates_fail_the_call_and_the_market_list_stays_cached() -> None:
    handler = Rendezvous()
    handler.faults[RATES] = httpx.Response(200, json={"funding_rates": "not a list"})
    client = client_for(handler)
    try:
        outcome = await res(client.fetch_funding_rates())
        assert isinstance(outcome, Failure)
        assert isinstance(outcome.failure(), MalformedResponse)
        del handler.faults[RATES]
        handler.reset()
        handler.wait = 0.0
        (await res(client.fetch_funding_rates())).unwrap()
        assert handler.paths.count(MARKETS) == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_unknown_symbols_fail_even_when_the_rates_came_along() -> None:
    handler = Rendezvous()
    client = client_for(handler)
    try:
        error = (await res(client.fetch_funding_rates([Symbol("NOPE")]))).failure()
        assert isinstance(error, UnknownSymbol)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_an_expired_market_list_is_cold_again() -> None:
    """After ``market_ttl`` the market list is refetched, again alongside the rates."""
    now = [AS_OF]
    handler = Rendezvous()
    client = create(
        VenueSettings(
            id=LIGHTER,
            kind="lighter",
            timeout=10.0,
            transport=httpx.MockTransport(handler),
            clock=lambda: now[0],
        )
    )
    try:
        (await res(client.fetch_funding_rates())).unwrap()
        now[0] += client.market_ttl + timedelta(seconds=1)
        handler.reset()
        with anyio.fail_after(3 * WAIT_SECONDS):
            (await res(client.fetch_funding_rates())).unwrap()
        assert sorted(handler.paths[2:]) == sorted([MARKETS, RATES])
        assert handler.waited_alone == []
    finally:
        await client.aclose()
