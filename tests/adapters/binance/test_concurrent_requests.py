"""Independent requests of one call are in flight together (one round trip, not two).

``fetch_funding_rates`` needs fundingInfo (intervals) and premiumIndex (rates);
``fetch_markets`` needs fundingInfo and exchangeInfo. Neither needs the other's answer
to be sent, so both go out at once and are joined after both answer. The handler below
holds each of the pair until the other has arrived: if the client sent them one after
the other, the first would wait out its timeout and the test records it (it fails rather
than hangs).
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import anyio
import httpx
import pytest

from adapters.binance.client import BinanceClient
from adapters.registry import VenueSettings
from atomic_fp.errors import RateLimited, VenueRejected
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance

VENUE = ExchangeIdentifier("binance")
FUNDING_INFO = "/fapi/v1/fundingInfo"
PREMIUM_INDEX = "/fapi/v1/premiumIndex"
EXCHANGE_INFO = "/fapi/v1/exchangeInfo"
WAIT_SECONDS = 2.0


class Rendezvous:
    """A MockTransport handler: each request of ``pair`` waits for the other to arrive."""

    def __init__(self, pair: tuple[str, str]) -> None:
        self.fake = FakeBinance("k" * 64, "s" * 64)
        self.pair = pair
        self.arrived = {path: anyio.Event() for path in pair}
        self.paths: list[str] = []
        self.waited_alone: list[str] = []
        self.faults: dict[str, httpx.Response] = {}
        self.wait = WAIT_SECONDS

    def reset(self) -> None:
        self.arrived = {path: anyio.Event() for path in self.pair}

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        if path in self.arrived:
            self.arrived[path].set()
            (other,) = (p for p in self.pair if p != path)
            with anyio.move_on_after(self.wait) as scope:
                await self.arrived[other].wait()
            if scope.cancelled_caught:
                self.waited_alone.append(path)
        if path in self.faults:
            return self.faults[path]
        status, body = self.fake.public(path, dict(parse_qsl(urlsplit(str(request.url)).query)))
        return httpx.Response(status, json=body)


def client_for(handler: Rendezvous) -> BinanceClient:
    return BinanceClient(
        VenueSettings(
            id=VENUE, kind="binance", timeout=10.0, transport=httpx.MockTransport(handler)
        )
    )


@pytest.mark.anyio
async def test_funding_info_and_premium_index_are_in_flight_together() -> None:
    handler = Rendezvous((FUNDING_INFO, PREMIUM_INDEX))
    client = client_for(handler)
    try:
        with anyio.fail_after(3 * WAIT_SECONDS):
            rates = (await run(client.fetch_funding_rates())).unwrap()
        assert handler.waited_alone == []
        assert sorted(handler.paths) == [FUNDING_INFO, PREMIUM_INDEX]
        # the join still applies fundingInfo's intervals: PEPE is on 4 h there
        pepe = next(r for r in rates if r.symbol == Symbol("PEPE"))
        assert pepe.interval.total_seconds() == 4 * 3600
        assert {r.symbol for r in rates} >= {Symbol("BTC"), Symbol("ETH")}
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_funding_info_and_exchange_info_are_in_flight_together() -> None:
    handler = Rendezvous((FUNDING_INFO, EXCHANGE_INFO))
    client = client_for(handler)
    try:
        with anyio.fail_after(3 * WAIT_SECONDS):
            markets = (await run(client.fetch_markets())).unwrap()
        assert handler.waited_alone == []
        assert sorted(handler.paths) == [EXCHANGE_INFO, FUNDING_INFO]
        pepe = next(m for m in markets if m.symbol == Symbol("PEPE"))
        assert pepe.contract_multiplier == Decimal(1000)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_the_control_detects_sequential_requests() -> None:
    """The rendezvous can fail: a lone request of the pair is recorded as waiting alone
    (here the intervals are cached, so premiumIndex goes out without fundingInfo)."""
    handler = Rendezvous((FUNDING_INFO, PREMIUM_INDEX))
    client = client_for(handler)
    try:
        (await run(client.fetch_funding_rates())).unwrap()
        handler.reset()
        handler.wait = 0.2
        with anyio.fail_after(3 * WAIT_SECONDS):
            (await run(client.fetch_funding_rates())).unwrap()
        assert handler.paths[2:] == [PREMIUM_INDEX]
        assert handler.waited_alone == [PREMIUM_INDEX]
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_failed_funding_info_fails_the_call_even_when_rates_arrived() -> None:
    """No default intervals are substituted: the joined call fails with fundingInfo's
    error (Binance's code kept)."""
    handler = Rendezvous((FUNDING_INFO, PREMIUM_INDEX))
    handler.faults[FUNDING_INFO] = httpx.Response(
        400, json={"code": -1100, "msg": "Illegal characters found in a parameter."}
    )
    client = client_for(handler)
    try:
        error = (await run(client.fetch_funding_rates())).failure()
        assert isinstance(error, VenueRejected)
        assert error.code == "-1100"
        assert handler.paths.count(PREMIUM_INDEX) == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_when_both_fail_the_venues_answer_wins_over_the_local_back_off() -> None:
    """A 418 on one of the pair makes the client back off, which can refuse the other
    before it is sent; the reported error is the venue's ban, whichever request got it."""
    ban = httpx.Response(
        418,
        text=json.dumps({"code": -1003, "msg": "Way too many requests; IP banned"}),
        headers={"Retry-After": "7200", "Content-Type": "application/json"},
    )
    for banned in (FUNDING_INFO, PREMIUM_INDEX):
        handler = Rendezvous((FUNDING_INFO, PREMIUM_INDEX))
        handler.faults[banned] = ban
        client = client_for(handler)
        try:
            error = (await run(client.fetch_funding_rates())).failure()
            assert isinstance(error, RateLimited)
            assert error.code == "-1003", banned
            later = (await run(client.fetch_funding_rates())).failure()
            assert isinstance(later, RateLimited) and later.code == "local-backoff"
        finally:
            await client.aclose()
