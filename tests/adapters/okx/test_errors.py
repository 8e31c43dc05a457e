"""OKX failure modes as the venue documents them, each onto the typed error the rest of
atomic-fp acts on: rate limits (HTTP 429 / ``50011``), a stale timestamp (``50102``:
refused unread, so re-signed and sent once more), answers that leave an order's fate
unknown (5xx, ``50004`` "endpoint request timeout", an unreadable 2xx), and our own
request budget refusing before OKX has to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from returns.result import Failure, Success

from adapters.okx import OkxClient, OkxConfig
from atomic_fp.errors import Ambiguous, RateLimited, RefusedLocally, VenueRejected
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.okx.fake_venue import FakeOkx
from tests.harness import FakeClock, Reply, run

pytestmark = pytest.mark.anyio

KEY, SECRET, PASSPHRASE = "key", "secret-value", "phrase"
FAST = {"public_requests_per_2s": "1000", "private_requests_per_2s": "1000"}
BTC = Symbol("BTC")
ORDER = ("POST", "/api/v5/trade/order")


def venue(fake: FakeOkx, options: dict[str, str] | None = None, **kw: object) -> OkxClient:
    config = OkxConfig(
        base_url="https://okx.test",
        transport=httpx.MockTransport(fake.mock_handler),
        api_key=KEY,
        api_secret=SECRET,
        passphrase=PASSPHRASE,
        options=FAST if options is None else options,
    )
    return OkxClient(config, **kw)  # type: ignore[arg-type]


def buy(cid: str) -> OrderRequest:
    return OrderRequest(
        exchange=ExchangeIdentifier("okx"),
        symbol=BTC,
        side=Side.BUY,
        size=Decimal("0.01"),
        client_order_id=cid,
        order_type=OrderType.LIMIT,
        limit_price=Decimal("65010.0"),
        time_in_force=TimeInForce.IOC,
    )


async def test_a_429_is_rate_limited_and_backs_off_both_budgets() -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    client = venue(fake)
    fake.fail_next[("GET", "/api/v5/public/instruments")] = Reply(
        429,
        {"code": "50011", "msg": "Rate limit reached", "data": []},
        headers={"Retry-After": "30"},
    )
    first = await run(client.fetch_markets())
    assert isinstance(first, Failure) and isinstance(first.failure(), RateLimited)
    assert first.failure().retry_after == timedelta(seconds=30)
    seen = len(fake.requests)
    again = await run(client.fetch_balances())  # private: stopped by the same back-off
    assert isinstance(again, Failure) and isinstance(again.failure(), RefusedLocally)
    assert len(fake.requests) == seen  # never sent
    await client.aclose()


async def test_our_budget_refuses_before_okx_would() -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    clock = FakeClock()  # frozen: the bucket never refills during the test
    client = venue(fake, {"max_budget_wait_seconds": "0.001"}, monotonic=clock)
    assert isinstance(await run(client.fetch_markets()), Success)  # 2 public requests
    outcomes = [await run(client.fetch_order_book(BTC, 5)) for _ in range(9)]
    assert all(isinstance(o, Success) for o in outcomes[:8])
    refused = outcomes[8]
    assert isinstance(refused, Failure) and isinstance(refused.failure(), RefusedLocally)
    assert fake.paths().count("/api/v5/market/books") == 8
    await client.aclose()


async def test_a_stale_timestamp_is_resynced_and_sent_once_more() -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    client = venue(fake)
    assert isinstance(await run(client.fetch_balances()), Success)  # offset synced (0)
    fake.clock_offset_ms = 45_000  # the venue's clock jumps ahead: our stamp is 45 s off
    balances = await run(client.fetch_balances())
    assert isinstance(balances, Success)
    paths = fake.paths()
    assert paths.count("/api/v5/public/time") == 2
    assert paths[-3:] == [
        "/api/v5/account/balance",
        "/api/v5/public/time",
        "/api/v5/account/balance",
    ]
    await client.aclose()


@pytest.mark.parametrize(
    "reply",
    [
        Reply(503, raw=b"<html>Service Unavailable</html>"),
        Reply(200, {"code": "50004", "msg": "Endpoint request timeout", "data": []}),
        Reply(200, {"code": "50026", "msg": "System error", "data": []}),
        Reply(200, raw=b"<html>oops</html>"),
        Reply(200, {"code": "0", "msg": "", "data": [{"sCode": "0", "sMsg": ""}]}),  # no ordId
    ],
)
async def test_an_order_whose_fate_is_unknown_is_ambiguous(reply: Reply) -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    client = venue(fake)
    assert isinstance(await run(client.fetch_markets()), Success)
    fake.fail_next[ORDER] = reply
    result = await run(client.place_order(buy("afp1")))
    assert isinstance(result, Failure) and isinstance(result.failure(), Ambiguous)
    assert fake.paths().count("/api/v5/trade/order") == 1  # never retried
    await client.aclose()


async def test_a_business_refusal_is_rejected_with_its_code() -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    client = venue(fake)
    fake.fail_next[ORDER] = Reply(
        200,
        {
            "code": "1",
            "msg": "All operations failed",
            "data": [{"ordId": "", "clOrdId": "afp1", "sCode": "51008", "sMsg": "Insufficient"}],
        },
    )
    result = await run(client.place_order(buy("afp1")))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, VenueRejected) and error.code == "51008"
    await client.aclose()


async def test_cancelling_a_filled_order_returns_it_filled() -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    client = venue(fake)
    placed = await run(client.place_order(buy("afp2")))
    assert isinstance(placed, Success) and placed.unwrap().status is OrderStatus.FILLED
    cancelled = await run(client.cancel_order(BTC, "afp2"))  # 51400, then the lookup
    assert isinstance(cancelled, Success) and cancelled.unwrap().status is OrderStatus.FILLED
    await client.aclose()


async def test_an_accepted_order_whose_lookup_fails_is_pending_not_lost() -> None:
    fake = FakeOkx(KEY, SECRET, PASSPHRASE)
    client = venue(fake)
    assert isinstance(await run(client.fetch_markets()), Success)
    fake.fail_next[("GET", "/api/v5/trade/order")] = Reply(
        200, {"code": "50001", "msg": "Service temporarily unavailable", "data": []}
    )
    placed = await run(client.place_order(buy("afp3")))
    assert isinstance(placed, Success)
    order = placed.unwrap()
    assert order.status is OrderStatus.PENDING and order.venue_order_id
    assert "afp3" in fake.orders
    await client.aclose()
