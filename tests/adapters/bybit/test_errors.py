"""Bybit refusals and failures become the right typed errors, and a write that may have
reached the venue is never reported as "not sent" (Bybit v5 error codes; research notes D).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    NetworkError,
    RateLimited,
    RefusedLocally,
    VenueRejected,
)
from atomic_fp.models import OrderRequest, OrderStatus, Side, Symbol
from tests.adapters.bybit._client import KEY, SECRET, VENUE, make, run
from tests.adapters.bybit.fake_venue import FakeBybit, serve
from tests.harness import Reply

pytestmark = pytest.mark.anyio
BTC = Symbol("BTC")
CREATE = ("POST", "/v5/order/create")


@pytest.fixture
def fake() -> FakeBybit:
    return FakeBybit(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBybit) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def buy(client_id: str) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=BTC,
        side=Side.BUY,
        size=Decimal("0.010"),
        client_order_id=client_id,
        limit_price=Decimal("65010"),
    )


def envelope(code: int, msg: str) -> bytes:
    return json.dumps({"retCode": code, "retMsg": msg, "result": {}, "time": 1}).encode()


async def test_too_many_visits_is_rate_limited(fake: FakeBybit, base_url: str) -> None:
    client = make(base_url, secret=None)
    try:
        fake.fail_next[("GET", "/v5/market/tickers")] = Reply(
            200, raw=envelope(10006, "Too many visits!")
        )
        result = await run(client.fetch_funding_rates())
        assert isinstance(result.failure(), RateLimited) and result.failure().code == "10006"
    finally:
        await client.aclose()


async def test_a_server_error_on_an_order_is_ambiguous(fake: FakeBybit, base_url: str) -> None:
    client = make(base_url)
    try:
        await run(client.fetch_markets())
        for fault in [
            Reply(200, raw=envelope(10016, "Server error")),
            Reply(502, raw=b"<html><h1>502 Bad Gateway</h1></html>"),
            Reply(200, raw=b"<html>maintenance</html>"),
            Reply(200, {"retCode": 0, "retMsg": "OK", "result": {}}),
        ]:
            fake.fail_next[CREATE] = fault
            result = await run(
                client.place_order(buy(f"afpamb{fault.status}{len(fault.encoded())}"))
            )
            assert isinstance(result.failure(), Ambiguous), fault
        sends = [r for r in fake.requests if (r.method, r.path) == CREATE]
        assert len(sends) == 4  # a write is never retried
    finally:
        await client.aclose()


async def test_a_read_that_keeps_failing_is_a_network_error(fake: FakeBybit, base_url: str) -> None:
    client = make(base_url)
    try:
        fake.fail_next[("GET", "/v5/position/list")] = Reply(503, raw=b"")
        fake.fail_repeats[("GET", "/v5/position/list")] = 2  # every retry fails too
        result = await run(client.fetch_positions())
        assert isinstance(result.failure(), NetworkError)
    finally:
        await client.aclose()


async def test_a_duplicate_client_id_is_rejected_with_its_code(base_url: str) -> None:
    client = make(base_url)
    try:
        first = (await run(client.place_order(buy("afpdup01")))).unwrap()
        assert first.status is OrderStatus.FILLED
        again = await run(client.place_order(buy("afpdup01")))
        assert isinstance(again.failure(), VenueRejected)
        assert again.failure().code == "110072"
    finally:
        await client.aclose()


async def test_an_accepted_order_whose_state_cannot_be_read_is_pending(
    fake: FakeBybit, base_url: str
) -> None:
    client = make(base_url)
    try:
        await run(client.fetch_markets())
        fake.fail_next[("GET", "/v5/order/realtime")] = Reply(503, raw=b"")
        fake.fail_repeats[("GET", "/v5/order/realtime")] = 2  # the lookup's retries too
        placed = (await run(client.place_order(buy("afppend01")))).unwrap()
        assert placed.status is OrderStatus.PENDING  # accepted, state unknown: not a failure
        assert placed.venue_order_id == "ord-1"
        later = (await run(client.fetch_order(BTC, "afppend01"))).unwrap()
        assert later.status is OrderStatus.FILLED
    finally:
        await client.aclose()


async def test_an_ip_ban_pauses_every_request_for_ten_minutes(
    fake: FakeBybit, base_url: str
) -> None:
    """Bybit answers an IP over 600 requests per 5 s with HTTP 403 "access too frequent"
    and asks for at least 10 minutes' pause (bybit-exchange.github.io/docs/v5/rate-limit):
    nothing more is sent until then (refused locally, never sent)."""
    client = make(base_url)
    try:
        fake.fail_next[("GET", "/v5/market/orderbook")] = Reply(403, raw=b"access too frequent")
        await run(client.fetch_markets())
        banned = await run(client.fetch_order_book(BTC, 5))
        assert isinstance(banned.failure(), RateLimited)
        pause = banned.failure().retry_after
        assert pause is not None and pause.total_seconds() == 600
        sent = len(fake.requests)
        later = await run(client.fetch_positions())
        assert isinstance(later.failure(), RefusedLocally)
        assert len(fake.requests) == sent  # not sent
    finally:
        await client.aclose()


async def test_10007_on_an_order_is_ambiguous_on_a_read_an_auth_error(
    fake: FakeBybit, base_url: str
) -> None:
    """Bybit's v3 docs read 10007 as "delivery and request status unknown", v5 as an
    authentication failure: an order answered 10007 may exist, so it is looked up."""
    client = make(base_url)
    try:
        await run(client.fetch_markets())
        fake.fail_next[CREATE] = Reply(200, raw=envelope(10007, "User authentication failed"))
        order = await run(client.place_order(buy("afp10007")))
        assert isinstance(order.failure(), Ambiguous)
        fake.fail_next[("GET", "/v5/position/list")] = Reply(200, raw=envelope(10007, "x"))
        read = await run(client.fetch_positions())
        assert isinstance(read.failure(), AuthenticationError)
    finally:
        await client.aclose()
