"""The order's deadline on the wire (issue 13): ``recvWindow`` is the time left until the
order's ``expires_at``, so Binance itself refuses it (``-1021``) if it arrives later; an
order whose deadline has passed is not sent at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from adapters.binance.client import BinanceClient
from adapters.registry import VenueSettings
from atomic_fp.errors import NotSent
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance, serve

KEY, SECRET = "k" * 64, "s" * 64
VENUE = ExchangeIdentifier("binance")
NOW = 1_800_000_000.0  # our (fake) clock, seconds; the server keeps its own


@pytest.fixture
def fake() -> FakeBinance:
    return FakeBinance(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBinance) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def client(base_url: str, **options: str) -> BinanceClient:
    settings = VenueSettings(
        id=VENUE,
        kind="binance",
        base_url=base_url,
        credentials={"api_key": KEY, "api_secret": SECRET},
        timeout=5.0,
        options=options,
    )
    return BinanceClient(settings, clock=lambda: NOW)


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


def posted_windows(fake: FakeBinance) -> list[int]:
    return [
        int(dict(parse_qsl(q))["recvWindow"])
        for method, path, q in fake.requests
        if method == "POST" and path == "/fapi/v1/order"
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("expires_in", "window"), [(3.25, 3250), (0.5, 500), (600.0, 60_000), (None, 5000)]
)
async def test_recv_window_is_the_time_left_until_the_deadline(
    fake: FakeBinance, base_url: str, expires_in: float | None, window: int
) -> None:
    venue = client(base_url, recv_window_ms="20000" if expires_in == 600.0 else "5000")
    # Our clock is frozen far from the server's: the offset sync makes the timestamp the
    # server's, the window stays what is left of our deadline.
    try:
        placed = (await run(venue.place_order(order("afp-dl-1", expires_in)))).unwrap()
        assert placed.status is OrderStatus.FILLED
        assert posted_windows(fake) == [window]
    finally:
        await venue.aclose()


@pytest.mark.anyio
async def test_an_order_past_its_deadline_is_not_sent(fake: FakeBinance, base_url: str) -> None:
    venue = client(base_url)
    try:
        result = await run(venue.place_order(order("afp-dl-2", -0.001)))
        assert isinstance(result.failure(), NotSent)
        assert posted_windows(fake) == []
        assert fake.orders == {}
    finally:
        await venue.aclose()


@pytest.mark.anyio
async def test_a_resigned_order_keeps_its_deadline(fake: FakeBinance, base_url: str) -> None:
    """The venue clock jumps 2 s: the first POST is refused (``-1021``, outside its window,
    not acted on), the adapter re-syncs and re-signs; the new ``recvWindow`` is still
    measured to the same deadline, and the order exists once."""
    venue = client(base_url)
    try:
        assert (await run(venue.fetch_balances())).unwrap()  # sync the offset first
        fake.clock_offset_ms += 2_000
        placed = (await run(venue.place_order(order("afp-dl-3", 1.0)))).unwrap()
        assert placed.status is OrderStatus.FILLED
        assert posted_windows(fake) == [1000, 1000]
        assert list(fake.orders) == ["afp-dl-3"]
    finally:
        await venue.aclose()
