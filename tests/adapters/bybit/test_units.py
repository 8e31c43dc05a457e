"""Pure Bybit rules as hypothesis properties: an order on the instrument's grid is sent
exactly as asked, one off it is refused (never rounded); settled funding keeps each
period's own interval across an 8 h -> 1 h switch; the request budget refuses, unsent,
what Bybit's per-IP limit would not take."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from adapters.bybit.orders import order_body
from adapters.bybit.parsing import parse_instruments
from adapters.bybit.parsing_funding import SettledRow, build_history
from atomic_fp.errors import InvalidRequest, RefusedLocally
from atomic_fp.models import OrderRequest, OrderType, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.bybit._client import make, run
from tests.adapters.bybit.fake_venue import FakeBybit, instrument, serve
from tests.harness import FakeClock

VENUE = ExchangeIdentifier("bybit")
BTC = Symbol("BTC")
(MARKET,) = parse_instruments(
    VENUE,
    {"retCode": 0, "result": {"list": [instrument("BTCUSDT", "BTC", 480)]}, "time": 1},
).unwrap()
TICK, LOT = Decimal("0.10"), Decimal("0.001")


def request(size: Decimal, price: Decimal | None, reduce_only: bool = False) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=BTC,
        side=Side.SELL,
        size=size,
        client_order_id="afp01",
        order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
        limit_price=price,
        time_in_force=TimeInForce.IOC,
        reduce_only=reduce_only,
    )


@settings(max_examples=300, deadline=None)
@given(lots=st.integers(min_value=1, max_value=119_000), ticks=st.integers(1, 10_000_000))
def test_on_grid_orders_are_sent_as_asked(lots: int, ticks: int) -> None:
    size, price = LOT * lots, TICK * ticks
    body = order_body("bybit", request(size, price), MARKET)
    if size * price < 5:  # minNotionalValue
        assert isinstance(body, Failure)
        return
    sent = body.unwrap()
    assert Decimal(sent["qty"]) == size and Decimal(sent["price"]) == price
    assert "E" not in sent["qty"] + sent["price"]  # plain decimals on the wire
    assert (sent["side"], sent["orderType"], sent["timeInForce"]) == ("Sell", "Limit", "IOC")
    assert sent["positionIdx"] == 0 and "reduceOnly" not in sent


@settings(max_examples=300, deadline=None)
@given(
    lots=st.integers(min_value=1, max_value=100_000),
    off=st.integers(min_value=1, max_value=9),
    reduce_only=st.booleans(),
)
def test_off_grid_orders_are_refused_not_rounded(lots: int, off: int, reduce_only: bool) -> None:
    size = LOT * lots + LOT * off / 10
    refused = order_body("bybit", request(size, Decimal("65000"), reduce_only), MARKET)
    assert isinstance(refused, Failure) and isinstance(refused.failure(), InvalidRequest)
    price = Decimal("65000") + TICK * off / 10
    refused = order_body("bybit", request(LOT * lots, price, reduce_only), MARKET)
    assert isinstance(refused, Failure) and "tick" in refused.failure().message


def test_reduce_only_is_exempt_from_the_minimum_notional() -> None:
    assert isinstance(order_body("bybit", request(LOT, Decimal("100")), MARKET), Failure)
    closing = order_body("bybit", request(LOT, Decimal("100"), reduce_only=True), MARKET)
    assert isinstance(closing, Success) and closing.unwrap()["reduceOnly"] is True
    market = order_body("bybit", request(Decimal("120"), None), MARKET)  # > maxMktOrderQty
    assert isinstance(market, Failure) and "maximum" in market.failure().message


def test_settled_history_keeps_each_periods_interval_across_a_switch() -> None:
    start = int(datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
    hour = 3_600_000
    times = [start + i * 8 * hour for i in range(3)] + [
        start + 16 * hour + i * hour for i in range(1, 4)
    ]
    rows = [SettledRow(Decimal("0.0001"), t) for t in reversed(times)]  # newest first
    history = build_history(VENUE, rows + rows[:2], BTC, "BTCUSDT", timedelta(hours=1))
    assert len(history) == 6  # duplicates (page overlap) dropped
    assert [r.interval for r in history] == [timedelta(hours=1)] + [timedelta(hours=8)] * 2 + [
        timedelta(hours=1)
    ] * 3  # the oldest has no predecessor: the current interval


@pytest.mark.anyio
async def test_the_budget_refuses_unsent_what_the_limit_would_not_take() -> None:
    fake = FakeBybit("k", "s")
    fake.page_size = 1000  # the instruments in one request
    with serve(fake) as url:
        client = make(
            url,
            secret=None,
            monotonic=FakeClock(),
            requests_per_5s="2",
            max_budget_wait_seconds="1",
        )
        try:
            first = await run(client.fetch_order_book(BTC, 1))  # instruments + book: 2
            assert isinstance(first, Success)
            sent = len(fake.requests)
            refused = await run(client.fetch_order_book(BTC, 1))
            assert isinstance(refused.failure(), RefusedLocally)
            assert len(fake.requests) == sent
        finally:
            await client.aclose()
