"""Hyperliquid's two-step order path (issue 20, leg skew): ``prepare_order`` then
``send_prepared`` puts exactly the bytes ``place_order`` puts on the wire at the same
clock and nonce (the local venue recovers the signer from the signed hash, as
Hyperliquid does, so a wrong signature would be refused), and a prepared order past its
deadline is not sent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from adapters.hyperliquid.client import HyperliquidClient
from adapters.hyperliquid.signing import NonceSource
from adapters.registry import VenueSettings
from atomic_fp.errors import NotSent
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side
from atomic_fp.venue import PreparesOrders
from tests.adapters.hyperliquid._data import run
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER, FakeHyperliquid
from tests.adapters.hyperliquid.test_wire_server import HL, NOW, _request
from tests.harness.running import serve

NONCE_MS = 1_772_356_500_000


def _client(url: str, clock: list[datetime]) -> HyperliquidClient:
    settings = VenueSettings(
        id=HL,
        kind="hyperliquid",
        base_url=url,
        credentials={"account_address": MASTER, "agent_private_key": AGENT_KEY},
        options={"network": "mainnet"},
        timeout=5.0,
    )
    return HyperliquidClient(
        settings, clock=lambda: clock[0], nonces=NonceSource(clock_ms=lambda: NONCE_MS)
    )


def _exchange_bodies(fake: FakeHyperliquid) -> list[bytes]:
    return [r.body for r in fake.received if r.path == "/exchange"]


def _order(cid: str) -> OrderRequest:
    return _request(
        cid,
        Side.BUY,
        "0.5",
        "100499.99",
        order_type=OrderType.MARKET,
        expires_at=NOW + timedelta(seconds=5),
    )


@pytest.mark.anyio
async def test_prepare_then_send_puts_the_same_bytes_on_the_wire_as_place_order() -> None:
    request = _order("afp-prep-hl-0")
    wires: list[list[bytes]] = []
    for two_step in (False, True):
        fake = FakeHyperliquid(mainnet=True)
        with serve(fake) as url:
            client = _client(url, [NOW])
            try:
                assert isinstance(client, PreparesOrders)
                if two_step:
                    prepared = (await run(client.prepare_order(request))).unwrap()
                    assert _exchange_bodies(fake) == []  # preparing sends nothing
                    placed = (await run(client.send_prepared(prepared))).unwrap()
                else:
                    placed = (await run(client.place_order(request))).unwrap()
                assert placed.status is OrderStatus.FILLED  # the signature was accepted
            finally:
                await client.aclose()
        wires.append(_exchange_bodies(fake))
    assert len(wires[0]) == 1
    assert wires[0] == wires[1]


@pytest.mark.anyio
async def test_a_prepared_order_past_its_deadline_is_not_sent() -> None:
    fake = FakeHyperliquid(mainnet=True)
    clock = [NOW]
    with serve(fake) as url:
        client = _client(url, clock)
        try:
            prepared = (await run(client.prepare_order(_order("afp-prep-hl-1")))).unwrap()
            clock[0] = NOW + timedelta(seconds=5)
            assert isinstance((await run(client.send_prepared(prepared))).failure(), NotSent)
        finally:
            await client.aclose()
    assert _exchange_bodies(fake) == []
