"""Binance's two-step order path (issue 20, leg skew): ``prepare_order`` then
``send_prepared`` puts exactly the bytes ``place_order`` puts on the wire at the same
clock (``timestamp`` and ``recvWindow`` fixed at prepare time from ``expires_at``, the
HMAC over them), and preparing sends no order."""

from __future__ import annotations

import attrs
import pytest

from adapters.binance.http import SignedCall
from atomic_fp.errors import InvalidRequest, NotSent
from atomic_fp.models import OrderStatus
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import PreparedOrder, PreparesOrders
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance
from tests.adapters.binance.test_order_deadline import base_url, client, fake, order

__all__ = ["base_url", "fake"]  # fixtures

ORDER_PATH = "/fapi/v1/order"


def _posted(fake: FakeBinance) -> list[tuple[str, bytes, str | None]]:
    return [
        (r.raw_query, r.body, r.headers.get("X-MBX-APIKEY"))
        for r in fake.received
        if r.method == "POST" and r.path == ORDER_PATH
    ]


@pytest.mark.anyio
async def test_prepare_then_send_puts_the_same_bytes_on_the_wire_as_place_order(
    fake: FakeBinance, base_url: str
) -> None:
    venue = client(base_url)
    request = order("afp-prep-bn-0", 3.25)
    try:
        assert isinstance(venue, PreparesOrders)
        placed = (await run(venue.place_order(request))).unwrap()
        assert placed.status is OrderStatus.FILLED
        prepared = (await run(venue.prepare_order(request))).unwrap()
        assert len(_posted(fake)) == 1  # preparing sent nothing
        await run(venue.send_prepared(prepared))  # a duplicate id: the venue refuses it
    finally:
        await venue.aclose()
    first, second = _posted(fake)
    assert "recvWindow=3250" in first[0] and "signature=" in first[0]
    assert first == second


@pytest.mark.anyio
async def test_a_prepared_order_is_not_prepared_past_its_deadline(
    fake: FakeBinance, base_url: str
) -> None:
    venue = client(base_url)
    try:
        failure = (await run(venue.prepare_order(order("afp-prep-bn-1", -1.0)))).failure()
        assert isinstance(failure, NotSent)
    finally:
        await venue.aclose()
    assert _posted(fake) == []


@pytest.mark.anyio
async def test_only_an_order_this_venue_prepared_is_sent(fake: FakeBinance, base_url: str) -> None:
    """``send_prepared`` (the flow Binance shares with Aster,
    :class:`adapters.binance.futures_execution.FuturesExecution`) refuses, unsent, a payload
    that is not its own signed call, a signed call that is not ``POST order``, and a call
    whose request names another venue."""
    venue = client(base_url)
    try:
        prepared = (await run(venue.prepare_order(order("afp-prep-bn-2", 3.0)))).unwrap()
        call = prepared.payload
        assert isinstance(call, SignedCall)
        other_venue = attrs.evolve(prepared.request, exchange=ExchangeIdentifier("binance-2"))
        foreign = (
            PreparedOrder(prepared.request, "POST /fapi/v1/order?..."),
            PreparedOrder(prepared.request, attrs.evolve(call, method="GET")),
            PreparedOrder(prepared.request, attrs.evolve(call, path="/fapi/v1/openOrders")),
            PreparedOrder(other_venue, call),
        )
        for payload in foreign:
            refused = (await run(venue.send_prepared(payload))).failure()
            assert isinstance(refused, InvalidRequest), payload
        assert _posted(fake) == []
        sent = (await run(venue.send_prepared(prepared))).unwrap()
        assert sent.status is OrderStatus.FILLED
    finally:
        await venue.aclose()
    assert len(_posted(fake)) == 1
