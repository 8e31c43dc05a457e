"""A scan parses each venue's answer as it arrives, not all of them after the last one
(issue 20: a warm scan's CPU after the last answer is what its wall time pays).

Two Binance clients (the real adapter and parser, over ``httpx.MockTransport``) are asked
through the ``FundingRateAggregator`` together. The slow venue's premiumIndex is held until
the fast venue's answer has been *parsed*: if parsing waited for every answer, the slow
venue would wait out its guard and the test records it (it fails rather than hangs). The
events are asserted in order, never timed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
import httpx
import pytest

from adapters.binance import market_data
from adapters.binance.client import BinanceClient
from adapters.binance.parsing_funding import parse_premium_index
from adapters.registry import VenueSettings
from atomic_fp.aggregators import FundingRateAggregator
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance.fake_venue import FakeBinance

FAST = ExchangeIdentifier("binance")
SLOW = ExchangeIdentifier("binance-slow")
PREMIUM_INDEX = "/fapi/v1/premiumIndex"
GUARD_SECONDS = 2.0


@pytest.mark.anyio
async def test_the_first_answer_is_parsed_before_the_last_arrives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[str] = []
    fast_parsed = anyio.Event()
    waited_alone: list[str] = []
    real_parse = parse_premium_index

    def parse(exchange: ExchangeIdentifier, *args: Any, **kwargs: Any) -> Any:
        events.append(f"{exchange} parsed")
        if exchange == FAST:
            fast_parsed.set()
        return real_parse(exchange, *args, **kwargs)

    monkeypatch.setattr(market_data, "parse_premium_index", parse)

    def handler_for(venue: ExchangeIdentifier) -> Any:
        fake = FakeBinance("k" * 64, "s" * 64)

        async def handle(request: httpx.Request) -> httpx.Response:
            path = request.url.path
            if path == PREMIUM_INDEX and venue == SLOW:
                with anyio.move_on_after(GUARD_SECONDS) as scope:
                    await fast_parsed.wait()
                if scope.cancelled_caught:
                    waited_alone.append(str(venue))
            if path == PREMIUM_INDEX:
                events.append(f"{venue} answered")
            query = dict(parse_qsl(urlsplit(str(request.url)).query))
            status, body = fake.public(path, query)
            return httpx.Response(status, json=body)

        return handle

    clients = [
        BinanceClient(
            VenueSettings(
                id=venue,
                kind="binance",
                timeout=10.0,
                transport=httpx.MockTransport(handler_for(venue)),
            )
        )
        for venue in (SLOW, FAST)  # the slow one first: asked first, answered last
    ]
    try:
        with anyio.fail_after(3 * GUARD_SECONDS):
            results = await FundingRateAggregator(clients).get_rates(None)
    finally:
        for client in clients:
            await client.aclose()
    assert waited_alone == []
    assert events == [
        "binance answered",
        "binance parsed",
        "binance-slow answered",
        "binance-slow parsed",
    ]
    assert all(result.unwrap() for result in results.values())
