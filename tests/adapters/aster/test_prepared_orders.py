"""Aster's two-step order path (issue 20, leg skew): ``prepare_order`` then
``send_prepared`` puts exactly the bytes ``place_order`` puts on the wire at the same clock
and nonce (``timestamp``, ``nonce`` and ``recvWindow`` fixed at prepare time from
``expires_at``, the EIP-712 signature over them), preparing sends nothing, and the venue
verifies the prepared signature like any other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from returns.result import Failure

from adapters.aster import AsterClient
from adapters.registry import VenueSettings
from atomic_fp.errors import InvalidRequest, NotSent
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce
from atomic_fp.venue import PreparedOrder, PreparesOrders
from tests.adapters.aster._client import AGENT, AGENT_KEY, USER, VENUE
from tests.adapters.aster.fake_venue import FakeAster, recover, serve
from tests.harness import run

ASTER = Symbol("ASTER")


@pytest.fixture
def fake() -> FakeAster:
    return FakeAster({USER: AGENT})


@pytest.fixture
def base_url(fake: FakeAster) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def _client(base_url: str, now: float) -> AsterClient:
    creds = {"user": USER, "signer": AGENT, "private_key": AGENT_KEY}
    settings = VenueSettings(id=VENUE, kind="aster", base_url=base_url, credentials=creds)
    return AsterClient(settings, clock=lambda: now)


def _order(cid: str, expires_at: datetime) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=ASTER,
        side=Side.BUY,
        size=Decimal("100"),
        order_type=OrderType.LIMIT,
        limit_price=Decimal("0.15030"),
        time_in_force=TimeInForce.IOC,
        client_order_id=cid,
        expires_at=expires_at,
    )


def _posted(fake: FakeAster) -> list[str]:
    return [q for m, path, q in fake.requests if m == "POST" and path == "/fapi/v3/order"]


@pytest.mark.anyio
async def test_prepare_then_send_puts_the_same_bytes_on_the_wire_as_place_order(
    fake: FakeAster, base_url: str
) -> None:
    now = time.time()  # one fixed clock for both clients: same timestamp, same nonce
    request = _order("afp-prep-as-0", datetime.fromtimestamp(now + 3.25, tz=timezone.utc))
    placing, preparing = _client(base_url, now), _client(base_url, now)
    try:
        assert isinstance(preparing, PreparesOrders)
        placed = (await run(placing.place_order(request))).unwrap()
        assert placed.status is OrderStatus.FILLED
        prepared = (await run(preparing.prepare_order(request))).unwrap()
        assert len(_posted(fake)) == 1  # preparing sent nothing
        assert "signature" not in repr(prepared.payload)
        again = await run(preparing.send_prepared(prepared))  # same nonce: refused
        assert isinstance(again, Failure)
    finally:
        await placing.aclose()
        await preparing.aclose()
    first, second = _posted(fake)
    assert first == second
    fields = dict(p.split("=", 1) for p in first.split("&"))
    assert fields["recvWindow"] == "3250"  # the deadline, fixed at prepare time
    assert fields["nonce"] == str(int(now * 1_000_000))


@pytest.mark.anyio
async def test_a_prepared_order_sent_later_is_the_signed_one_and_the_venue_accepts_it(
    fake: FakeAster, base_url: str
) -> None:
    """Both legs of a hedge are prepared first; each is sent unchanged and the venue
    recovers the API wallet from the prepared signature."""
    venue = _client(base_url, time.time())
    deadline = datetime.now(timezone.utc) + timedelta(seconds=5)
    try:
        legs = [(await run(venue.prepare_order(_order(f"leg-{i}", deadline)))).unwrap()
                for i in range(2)]  # fmt: skip
        assert _posted(fake) == []
        for leg in legs:
            sent = (await run(venue.send_prepared(leg))).unwrap()
            assert sent.status is OrderStatus.FILLED
    finally:
        await venue.aclose()
    for query in _posted(fake):
        unsigned, signature = query.rsplit("&signature=", 1)
        assert recover(unsigned, signature, 1666) == AGENT


@pytest.mark.anyio
async def test_nothing_is_prepared_past_the_deadline_or_sent_from_elsewhere(
    fake: FakeAster, base_url: str
) -> None:
    venue = _client(base_url, time.time())
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    try:
        late = (await run(venue.prepare_order(_order("late", past)))).failure()
        assert isinstance(late, NotSent)
        foreign = PreparedOrder(_order("x", past), payload="POST /fapi/v3/order?...")
        refused = (await run(venue.send_prepared(foreign))).failure()
        assert isinstance(refused, InvalidRequest)
    finally:
        await venue.aclose()
    assert _posted(fake) == []
