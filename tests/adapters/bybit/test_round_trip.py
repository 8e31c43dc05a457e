"""A full Bybit v5 trading round trip against a Bybit-speaking server on 127.0.0.1 (real
sockets) that checks every signature, timestamp and key server-side
(``tests/adapters/bybit/fake_venue.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from returns.result import Failure, Success

from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import (
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    OrderNotFound,
    UnknownSymbol,
)
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce
from atomic_fp.venue import Capability, VenueClient
from tests.adapters.bybit._client import KEY, SECRET, VENUE, make, run
from tests.adapters.bybit.fake_venue import FakeBybit, serve

pytestmark = pytest.mark.anyio
BTC, PEPE, SOL = Symbol("BTC"), Symbol("PEPE"), Symbol("SOL")


@pytest.fixture
def fake() -> FakeBybit:
    return FakeBybit(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBybit) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def order(
    client_id: str,
    side: Side,
    size: str,
    price: str | None = "65010",
    *,
    tif: TimeInForce = TimeInForce.IOC,
    reduce_only: bool = False,
    expires_at: datetime | None = None,
) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=BTC,
        side=side,
        size=Decimal(size),
        client_order_id=client_id,
        order_type=OrderType.LIMIT if price else OrderType.MARKET,
        limit_price=Decimal(price) if price else None,
        time_in_force=tif,
        reduce_only=reduce_only,
        expires_at=expires_at,
    )


async def test_open_hold_and_close_a_position(fake: FakeBybit, base_url: str) -> None:
    client = make(base_url)
    try:
        assert isinstance(client, VenueClient)
        assert Capability.PLACE_ORDER in client.capabilities
        opened = (await run(client.place_order(order("afpopen01", Side.BUY, "0.010")))).unwrap()
        assert opened.status is OrderStatus.FILLED
        assert opened.filled_size == Decimal("0.010")
        assert opened.average_price == Decimal("65000.10")
        assert opened.venue_order_id == "ord-1"
        (position,) = (await run(client.fetch_positions())).unwrap()
        assert (position.symbol, position.size) == (BTC, Decimal("0.010"))
        margin = (await run(client.fetch_margin())).unwrap()
        assert margin.equity == Decimal("10000.5")
        (balance,) = (await run(client.fetch_balances())).unwrap()
        assert (balance.asset, balance.total, balance.available) == (
            "USDT",
            Decimal("10000.5"),
            Decimal("9350.5"),
        )
        close = order("afpclose01", Side.SELL, "0.010", "64990", reduce_only=True)
        closed = (await run(client.place_order(close))).unwrap()
        assert closed.status is OrderStatus.FILLED and closed.reduce_only
        assert (await run(client.fetch_positions())).unwrap() == ()
        # every private request was signed and checked server-side
        assert fake.seen_headers and all("X-BAPI-SIGN" in h for _, h in fake.seen_headers)
    finally:
        await client.aclose()


async def test_rest_look_up_and_cancel_by_client_id(fake: FakeBybit, base_url: str) -> None:
    client = make(base_url)
    try:
        resting = order("afprest01", Side.BUY, "0.010", "60000", tif=TimeInForce.GTC)
        placed = (await run(client.place_order(resting))).unwrap()
        assert placed.status is OrderStatus.OPEN
        found = (await run(client.fetch_order(BTC, "afprest01"))).unwrap()
        assert found.venue_order_id == placed.venue_order_id
        cancelled = (await run(client.cancel_order(BTC, "afprest01"))).unwrap()
        assert cancelled.status is OrderStatus.CANCELED
        # Bybit answers 110001 to a second cancel: the lookup gives the final state
        again = (await run(client.cancel_order(BTC, "afprest01"))).unwrap()
        assert again.status is OrderStatus.CANCELED
        missing = await run(client.cancel_order(BTC, "afpnever01"))
        assert isinstance(missing, Failure) and isinstance(missing.failure(), OrderNotFound)
        unknown = await run(client.fetch_order(BTC, "afpnever02"))
        assert isinstance(unknown.failure(), OrderNotFound)
        # an IOC that does not cross is cancelled unfilled, a post-only rests
        ioc = (
            await run(client.place_order(order("afpioc01", Side.BUY, "0.010", "60000")))
        ).unwrap()
        assert ioc.status is OrderStatus.CANCELED and ioc.filled_size == 0
    finally:
        await client.aclose()


async def test_orders_are_checked_before_anything_is_sent(fake: FakeBybit, base_url: str) -> None:
    client = make(base_url)
    try:
        await run(client.fetch_markets())
        before = len(fake.requests)
        for request, reason in [
            (order("afpbad01", Side.BUY, "0.0105"), "lot step"),
            (order("afpbad02", Side.BUY, "0.010", "65000.05"), "tick"),
            (order("afpbad03", Side.BUY, "0.001", "1000"), "notional"),
            (order("afp.bad04", Side.BUY, "0.010"), "orderLinkId"),
            (order("afpbad05", Side.BUY, "2000"), "maximum"),
        ]:
            refused = await run(client.place_order(request))
            assert isinstance(refused.failure(), InvalidRequest), reason
            assert reason in refused.failure().message
        assert len(fake.requests) == before  # nothing reached the venue
        other = OrderRequest(
            exchange=VENUE,
            symbol=Symbol("NOPE"),
            side=Side.BUY,
            size=Decimal(1),
            client_order_id="afpnope01",
            limit_price=Decimal(1),
        )
        assert isinstance((await run(client.place_order(other))).failure(), UnknownSymbol)
    finally:
        await client.aclose()


async def test_a_wrong_secret_is_an_authentication_error(base_url: str) -> None:
    client = make(base_url, secret="not-the-secret")
    try:
        result = await run(client.fetch_positions())
        assert isinstance(result.failure(), AuthenticationError)
        assert result.failure().code == "10004"
        assert "not-the-secret" not in result.failure().message
        wrong_key = make(base_url, key="other-key")
        denied = await run(wrong_key.fetch_balances())
        assert denied.failure().code == "10003"
        await wrong_key.aclose()
    finally:
        await client.aclose()


async def test_a_skewed_clock_is_resynced_and_the_request_signed_again(
    fake: FakeBybit, base_url: str
) -> None:
    client = make(base_url)
    try:
        assert isinstance(await run(client.fetch_positions()), Success)
        fake.clock_offset_ms = 30_000  # the venue's clock jumps; our cached offset is stale
        result = await run(client.fetch_positions())
        assert isinstance(result, Success)
        assert [p for p in fake.paths() if p == "/v5/market/time"] == ["/v5/market/time"] * 2
    finally:
        await client.aclose()


async def test_funding_payments_span_seven_day_windows_and_pages(
    fake: FakeBybit, base_url: str
) -> None:
    client = make(base_url)
    try:
        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        end = start + timedelta(days=20)
        payments = (await run(client.fetch_funding_payments(start, end))).unwrap()
        assert len(payments) == 120  # every 4 h for 20 days, none twice
        assert [p.time for p in payments] == sorted(p.time for p in payments)
        assert payments[0].amount == Decimal("-1") and payments[1].symbol == PEPE
        assert payments[0].asset == "USDT"
        logs = [r for r in fake.requests if r.path == "/v5/account/transaction-log"]
        assert len(logs) >= 3  # three 7-day windows, some with two pages
    finally:
        await client.aclose()


async def test_fees_are_the_accounts_with_credentials_else_published(base_url: str) -> None:
    client = make(base_url)
    public = make(base_url, secret=None)
    try:
        quote = (await run(client.fetch_fees())).unwrap()
        assert quote.source.value == "account"
        assert quote.fees.taker == Decimal("0.00055")
        published = (await run(public.fetch_fees())).unwrap()
        assert published.source.value == "published"
        assert "no credentials" in published.detail
    finally:
        await client.aclose()
        await public.aclose()


async def test_without_credentials_trading_is_not_configured(base_url: str) -> None:
    client = make(base_url, secret=None)
    try:
        assert Capability.PLACE_ORDER not in client.capabilities
        result = await run(client.place_order(order("afpnokey1", Side.BUY, "0.010")))
        assert isinstance(result.failure(), NotConfigured)
    finally:
        await client.aclose()


async def test_the_registry_builds_the_same_client(base_url: str) -> None:
    built = build_client(VenueSettings(id=VENUE, kind="bybit", base_url=base_url))
    client = built.unwrap()
    try:
        markets = (await run(client.fetch_markets())).unwrap()
        assert {m.symbol for m in markets} >= {BTC, PEPE, SOL}
        assert type(client).__name__ == "BybitClient"
    finally:
        await client.aclose()


async def test_after_a_bybit_restart_closed_orders_are_found_in_history(
    fake: FakeBybit, base_url: str
) -> None:
    client = make(base_url)
    try:
        placed = (await run(client.place_order(order("afprst01", Side.BUY, "0.010")))).unwrap()
        assert placed.status is OrderStatus.FILLED
        looked_up = [r.path for r in fake.requests if r.path.startswith("/v5/order/")]
        assert looked_up == ["/v5/order/create", "/v5/order/realtime"]  # found at once
        fake.restarted = True
        found = (await run(client.fetch_order(BTC, "afprst01"))).unwrap()
        assert found.status is OrderStatus.FILLED
        assert [r.path for r in fake.requests][-2:] == ["/v5/order/realtime", "/v5/order/history"]
    finally:
        await client.aclose()
