"""The order's deadline on the wire (the validity-window rule, issue 13):
``X-BAPI-RECV-WINDOW`` is the time left until the order's ``expires_at``, measured from
``X-BAPI-TIMESTAMP``, so Bybit itself refuses the order (retCode 10002) if it arrives
later; an order whose deadline has passed is not sent at all; a re-signed order keeps its
deadline. Our clock is frozen far from the server's: the server-time offset makes the
timestamp Bybit's, the window stays what is left of our deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from atomic_fp.errors import NotSent
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol
from tests.adapters.bybit._client import KEY, SECRET, VENUE, make, run
from tests.adapters.bybit.fake_venue import FakeBybit, serve

pytestmark = pytest.mark.anyio
NOW = 1_800_000_000.0  # our (fake) clock, seconds


@pytest.fixture
def fake() -> FakeBybit:
    return FakeBybit(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBybit) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def order(cid: str, expires_in: float | None) -> OrderRequest:
    expires = None
    if expires_in is not None:
        expires = datetime.fromtimestamp(NOW, timezone.utc) + timedelta(seconds=expires_in)
    return OrderRequest(
        VENUE,
        Symbol("BTC"),
        Side.BUY,
        Decimal("0.01"),
        cid,
        OrderType.LIMIT,
        limit_price=Decimal("65100"),
        expires_at=expires,
    )


def posted_windows(fake: FakeBybit) -> list[int]:
    return [
        int(headers["X-BAPI-RECV-WINDOW"])
        for path, headers in fake.seen_headers
        if path == "/v5/order/create"
    ]


@pytest.mark.parametrize(
    ("expires_in", "window"), [(3.25, 3250), (0.5, 500), (600.0, 60_000), (None, 5000)]
)
async def test_recv_window_is_the_time_left_until_the_deadline(
    fake: FakeBybit, base_url: str, expires_in: float | None, window: int
) -> None:
    venue = make(base_url, clock=lambda: NOW)
    try:
        placed = (await run(venue.place_order(order("afpdl1", expires_in)))).unwrap()
        assert placed.status is OrderStatus.FILLED
        assert posted_windows(fake) == [window]
    finally:
        await venue.aclose()


async def test_an_order_past_its_deadline_is_not_sent(fake: FakeBybit, base_url: str) -> None:
    venue = make(base_url, clock=lambda: NOW)
    try:
        result = await run(venue.place_order(order("afpdl2", -0.001)))
        assert isinstance(result.failure(), NotSent)
        assert posted_windows(fake) == []
        assert fake.orders == {}
    finally:
        await venue.aclose()


async def test_a_resigned_order_keeps_its_deadline(fake: FakeBybit, base_url: str) -> None:
    """The venue clock jumps 2 s: the first create is refused unread (10002, outside its
    window), the adapter re-syncs and re-signs; the new window is still measured to the
    same deadline, and the order exists once."""
    venue = make(base_url, clock=lambda: NOW)
    try:
        assert (await run(venue.fetch_balances())).unwrap()  # sync the offset first
        fake.clock_offset_ms += 2_000
        placed = (await run(venue.place_order(order("afpdl3", 1.0)))).unwrap()
        assert placed.status is OrderStatus.FILLED
        assert posted_windows(fake) == [1000, 1000]
        assert list(fake.orders) == ["afpdl3"]
    finally:
        await venue.aclose()
