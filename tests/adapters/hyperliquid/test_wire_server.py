"""The full trading round trip against a local server on 127.0.0.1 (real socket, port 0)
speaking Hyperliquid's wire format, which verifies every signature like the venue does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest

from adapters.hyperliquid.client import HyperliquidClient
from adapters.hyperliquid.signing import cloid_for
from adapters.registry import VenueSettings
from atomic_fp.models import (
    FundingKind,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid._data import run
from tests.adapters.hyperliquid.fake_venue import (
    AGENT_KEY,
    MASTER,
    OTHER_KEY,
    FakeHyperliquid,
    serve,
)

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 3, 1, 9, 15, tzinfo=timezone.utc)
BTC = Symbol("BTC")


@pytest.fixture
def venue() -> Iterator[tuple[FakeHyperliquid, str]]:
    fake = FakeHyperliquid(mainnet=True)
    with serve(fake) as url:
        yield fake, url


def _client(url: str, key: str = AGENT_KEY, **options: str) -> HyperliquidClient:
    settings = VenueSettings(
        id=HL,
        kind="hyperliquid",
        base_url=url,
        credentials={"account_address": MASTER, "agent_private_key": key},
        options={"network": "mainnet", **options},
        timeout=5.0,
    )
    return HyperliquidClient(settings, clock=lambda: NOW)


def _request(cid: str, side: Side, size: str, price: str, **kw: object) -> OrderRequest:
    return OrderRequest(
        exchange=HL,
        symbol=BTC,
        side=side,
        size=Decimal(size),
        client_order_id=cid,
        limit_price=Decimal(price),
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.anyio
async def test_full_trading_round_trip(venue: tuple[FakeHyperliquid, str]) -> None:
    fake, url = venue
    client = _client(url)
    try:
        markets = (await run(client.fetch_markets())).unwrap()
        assert {m.venue_symbol for m in markets} == {"BTC", "ETH", "kPEPE"}  # OLD delisted
        rates = (await run(client.fetch_funding_rates([BTC]))).unwrap()
        (rate,) = rates
        assert (rate.rate, rate.kind, rate.mark_price) == (
            Decimal("0.0000125"), FundingKind.CURRENT, Decimal("100000.0"),
        )  # fmt: skip
        assert rate.next_funding_time == datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
        book = (await run(client.fetch_order_book(BTC, depth=5))).unwrap()
        assert (book.best_bid, book.best_ask) == (Decimal("99990"), Decimal("100000"))

        # A "market" buy: IOC limit at the slippage cap. 100499.99 has 7 significant
        # figures; it goes out rounded down (conservative for a buy) to the integer 100499.
        market = _request(
            "afp-open-btc-00", Side.BUY, "0.5", "100499.99", order_type=OrderType.MARKET
        )
        placed = (await run(client.place_order(market))).unwrap()
        assert placed.status is OrderStatus.FILLED and placed.filled_size == Decimal("0.5")
        assert placed.average_price == Decimal("100004")  # 0.3 @ 100000 + 0.2 @ 100010
        assert placed.client_order_id == "afp-open-btc-00"
        sent = [body for path, body in fake.requests if path == "/exchange"][-1]
        wire = sent["action"]["orders"][0]
        assert wire == {
            "a": 0, "b": True, "p": "100499", "s": "0.5", "r": False,
            "t": {"limit": {"tif": "Ioc"}}, "c": cloid_for("afp-open-btc-00"),
        }  # fmt: skip
        assert sent["vaultAddress"] is None

        status = (await run(client.fetch_order(BTC, "afp-open-btc-00"))).unwrap()
        assert status.status is OrderStatus.FILLED and status.filled_size == Decimal("0.5")
        assert status.venue_order_id == placed.venue_order_id

        (position,) = (await run(client.fetch_positions())).unwrap()
        assert (position.symbol, position.size) == (BTC, Decimal("0.5"))
        assert position.cumulative_funding == Decimal("-0.25")
        (balance,) = (await run(client.fetch_balances())).unwrap()
        assert (balance.total, balance.available) == (Decimal("1000.0"), Decimal("900.0"))
        margin = (await run(client.fetch_margin())).unwrap()
        assert (margin.equity, margin.maintenance_margin) == (Decimal("1000.0"), Decimal("5.0"))
        (leg,) = margin.legs
        assert (leg.liquidation_price, leg.source.value if leg.source else None) == (
            Decimal("50002"), "venue",  # the fake publishes entry / 2
        )  # fmt: skip

        # A resting GTC sell far above the book, then cancelled by client id.
        resting = _request(
            "afp-rest-btc-00", Side.SELL, "0.1", "120000", time_in_force=TimeInForce.GTC
        )
        open_order = (await run(client.place_order(resting))).unwrap()
        assert open_order.status is OrderStatus.OPEN
        cancelled = (await run(client.cancel_order(BTC, "afp-rest-btc-00"))).unwrap()
        assert cancelled.status is OrderStatus.CANCELED and cancelled.side is Side.SELL
        again = (await run(client.cancel_order(BTC, "afp-rest-btc-00"))).failure()
        assert again.kind == "VenueRejected" and "already canceled" in again.message

        missing = (await run(client.fetch_order(BTC, "never-sent"))).failure()
        assert missing.kind == "OrderNotFound"

        # Every signed request used a fresh nonce.
        nonces = [body["nonce"] for path, body in fake.requests if path == "/exchange"]
        assert len(nonces) == len(set(nonces)) == 4  # two orders, two cancels
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_ioc_that_cannot_match_is_a_rejected_order(
    venue: tuple[FakeHyperliquid, str],
) -> None:
    _, url = venue
    client = _client(url)
    try:
        request = _request("afp-low-00", Side.BUY, "0.1", "90000", order_type=OrderType.MARKET)
        order = (await run(client.place_order(request))).unwrap()
        assert order.status is OrderStatus.REJECTED
        assert (
            order.reject_reason is not None and "could not immediately match" in order.reject_reason
        )
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_wrong_agent_key_is_rejected(venue: tuple[FakeHyperliquid, str]) -> None:
    fake, url = venue
    client = _client(url, key=OTHER_KEY)
    try:
        request = _request("afp-wrong-00", Side.BUY, "0.1", "100500", order_type=OrderType.MARKET)
        failure = (await run(client.place_order(request))).failure()
        assert failure.kind == "VenueRejected" and "does not exist" in failure.message
        assert fake.orders == {} and fake.positions == {}
        # The other network's phantom agent ("b") also recovers to a stranger.
        testnet_signed = _client(url, network="testnet")
        failure = (await run(testnet_signed.place_order(request))).failure()
        await testnet_signed.aclose()
        assert failure.kind == "VenueRejected" and fake.orders == {}
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_tampered_action_is_rejected(venue: tuple[FakeHyperliquid, str]) -> None:
    """The server recomputes the hash from what it received: changing the size after
    signing (or adding a trailing zero) makes the signature recover to someone else."""
    fake, url = venue
    client = _client(url)
    try:
        request = _request("afp-tamper-00", Side.BUY, "0.1", "100500")
        assert (await run(client.place_order(request))).unwrap().status is OrderStatus.FILLED
        body = [sent for path, sent in fake.requests if path == "/exchange"][-1]
        for change in ("0.2", "0.10"):
            tampered = json.loads(json.dumps(body))
            tampered["action"]["orders"][0]["s"] = change
            tampered["nonce"] = body["nonce"] + 1
            async with httpx.AsyncClient() as raw:
                answer = (await raw.post(f"{url}/exchange", json=tampered)).json()
            assert answer["status"] == "err" and "does not exist" in answer["response"]
        assert len(fake.orders) == 1
    finally:
        await client.aclose()
