"""OKX's two-step order path (issue 20, leg skew): ``prepare_order`` then
``send_prepared`` puts exactly the bytes ``place_order`` puts on the wire at the same
clock (``OK-ACCESS-TIMESTAMP`` and the ``expTime`` deadline fixed at prepare time, the
signature over them and the body), and preparing sends no order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from adapters.okx import OkxClient, OkxConfig
from atomic_fp.models import OrderStatus, Side
from atomic_fp.venue import PreparesOrders
from tests.adapters.okx.fake_venue import FakeOkx
from tests.adapters.okx.test_round_trip import FAST, KEY, PASSPHRASE, SECRET, fake, order, url
from tests.harness import run as outcome

__all__ = ["fake", "url"]  # fixtures

pytestmark = pytest.mark.anyio
PLACE = "/api/v5/trade/order"
SIGNED_HEADERS = (
    "OK-ACCESS-KEY",
    "OK-ACCESS-TIMESTAMP",
    "OK-ACCESS-SIGN",
    "OK-ACCESS-PASSPHRASE",
    "expTime",
    "Content-Type",
)


def _placed(fake: FakeOkx) -> list[tuple[bytes, tuple[str | None, ...]]]:
    return [
        (r.body, tuple(r.headers.get(h) for h in SIGNED_HEADERS))
        for r in fake.received
        if r.method == "POST" and r.path == PLACE
    ]


async def test_prepare_then_send_puts_the_same_bytes_on_the_wire_as_place_order(
    fake: FakeOkx, url: str
) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)  # the fake checks real time
    venue = OkxClient(
        OkxConfig(
            base_url=url, api_key=KEY, api_secret=SECRET, passphrase=PASSPHRASE, options=FAST
        ),
        clock=lambda: now.timestamp(),
    )
    deadline = now + timedelta(seconds=30)
    request = order("afpprep0", Side.BUY, "0.05", "65010.0", expires_at=deadline)
    try:
        assert isinstance(venue, PreparesOrders)
        placed = (await outcome(venue.place_order(request))).unwrap()
        assert placed.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED)
        prepared = (await outcome(venue.prepare_order(request))).unwrap()
        assert len(_placed(fake)) == 1  # preparing sent nothing
        await outcome(venue.send_prepared(prepared))  # the same id again: the venue refuses it
    finally:
        await venue.aclose()
    first, second = _placed(fake)
    assert first[1][4] == str(int(deadline.timestamp() * 1000)) and first[1][2]
    assert first == second
