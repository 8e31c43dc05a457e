"""The order's deadline on the Hyperliquid wire (issue 13): ``expiresAfter`` (ms) on the
``/exchange`` body *and* in the signed action hash (the local venue recovers the signer
from it, as Hyperliquid does, so a wrong hash would be refused); a past deadline is not
sent at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atomic_fp.errors import NotSent
from atomic_fp.models import OrderStatus, OrderType, Side
from tests.adapters.hyperliquid._data import run
from tests.adapters.hyperliquid.fake_venue import FakeHyperliquid
from tests.adapters.hyperliquid.test_wire_server import NOW, _client, _request, venue

__all__ = ["venue"]  # the fixture


def exchange_bodies(fake: FakeHyperliquid) -> list[dict[str, object]]:
    return [body for path, body in fake.requests if path == "/exchange"]


@pytest.mark.anyio
async def test_the_deadline_is_signed_as_expires_after(
    venue: tuple[FakeHyperliquid, str],
) -> None:
    fake, url = venue
    client = _client(url)
    try:
        request = _request(
            "afp-dl-hl-0",
            Side.BUY,
            "0.5",
            "100499.99",
            order_type=OrderType.MARKET,
            expires_at=NOW + timedelta(seconds=5),
        )
        placed = (await run(client.place_order(request))).unwrap()
        assert placed.status is OrderStatus.FILLED  # the signature (with it) was accepted
        (body,) = exchange_bodies(fake)
        assert body["expiresAfter"] == int((NOW + timedelta(seconds=5)).timestamp() * 1000)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_an_order_past_its_deadline_is_not_sent(
    venue: tuple[FakeHyperliquid, str],
) -> None:
    fake, url = venue
    client = _client(url)
    try:
        request = _request(
            "afp-dl-hl-1", Side.BUY, "0.5", "100499.99", expires_at=NOW - timedelta(seconds=1)
        )
        assert isinstance((await run(client.place_order(request))).failure(), NotSent)
        assert exchange_bodies(fake) == []
    finally:
        await client.aclose()
