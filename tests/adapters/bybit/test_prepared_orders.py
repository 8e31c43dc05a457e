"""Bybit's two-step order path (issue 20, leg skew): ``prepare_order`` then
``send_prepared`` puts exactly the bytes ``place_order`` puts on the wire at the same
clock (``X-BAPI-TIMESTAMP`` / ``X-BAPI-RECV-WINDOW`` fixed at prepare time from
``expires_at``, the HMAC over them and the body), and preparing sends no order."""

from __future__ import annotations

import pytest

from atomic_fp.models import OrderStatus
from atomic_fp.venue import PreparesOrders
from tests.adapters.bybit._client import make, run
from tests.adapters.bybit.fake_venue import FakeBybit
from tests.adapters.bybit.test_order_deadline import NOW, base_url, fake, order

__all__ = ["base_url", "fake"]  # fixtures

pytestmark = pytest.mark.anyio
CREATE = "/v5/order/create"
SIGNED_HEADERS = (
    "X-BAPI-API-KEY",
    "X-BAPI-TIMESTAMP",
    "X-BAPI-RECV-WINDOW",
    "X-BAPI-SIGN",
    "Content-Type",
)


def _created(fake: FakeBybit) -> list[tuple[bytes, tuple[str | None, ...]]]:
    return [
        (r.body, tuple(r.headers.get(h) for h in SIGNED_HEADERS))
        for r in fake.received
        if r.method == "POST" and r.path == CREATE
    ]


async def test_prepare_then_send_puts_the_same_bytes_on_the_wire_as_place_order(
    fake: FakeBybit, base_url: str
) -> None:
    venue = make(base_url, clock=lambda: NOW)
    request = order("afpprep0", 3.25)
    try:
        assert isinstance(venue, PreparesOrders)
        placed = (await run(venue.place_order(request))).unwrap()
        assert placed.status is OrderStatus.FILLED
        prepared = (await run(venue.prepare_order(request))).unwrap()
        assert len(_created(fake)) == 1  # preparing sent nothing
        await run(venue.send_prepared(prepared))  # the same id again: the venue refuses it
    finally:
        await venue.aclose()
    first, second = _created(fake)
    assert first[1][2] == "3250" and first[1][3]
    assert first == second
