"""Paradex trading round trip on real sockets (127.0.0.1) against the fake venue, which
verifies the JWT auth signature and every order signature server-side with the account's
public key (:mod:`tests.adapters.paradex.fake_account`)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from returns.result import Failure, Success

from adapters.paradex import ParadexClient, signing
from adapters.paradex.signing import MAINNET_CHAIN_ID, TESTNET_CHAIN_ID
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    NotSent,
    OrderNotFound,
)
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability, MarginReporter
from tests.adapters.paradex.fake_venue import FakeParadex
from tests.harness import Reply, Request, run, serve

# paradex-py tests/api/test_account.py: a real L2 key pair and its account address
ACCOUNT = 0x129C135ED63DF9353885E292BE4426B8ED6122B13C6C0E1BB787288A1F5ADFA
PRIVATE_KEY = 0x543B6CF6C91817A87174AAEA4FB370AC1C694E864D7740D728F8344D53E815
PUBLIC_KEY = 0x2C144D2F2D4FC61B6F8967F3BA0012A87D90140BCFE5A3E92E8DF83258C960F
VENUE = ExchangeIdentifier("paradex")
BTC = Symbol("BTC")


def make(base_url: str, *, key: int = PRIVATE_KEY, **options: str) -> ParadexClient:
    credentials = {"account_address": hex(ACCOUNT), "stark_private_key": hex(key)}
    return ParadexClient(
        VenueSettings(
            id=VENUE, kind="paradex", base_url=base_url, credentials=credentials, options=options
        )
    )


def order(
    cid: str,
    side: Side,
    size: str,
    price: str | None,
    tif: TimeInForce = TimeInForce.IOC,
    *,
    expires_in: float = 5.0,
) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=BTC,
        side=side,
        size=Decimal(size),
        order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
        limit_price=None if price is None else Decimal(price),
        time_in_force=tif,
        client_order_id=cid,
        expires_at=datetime.now(timezone.utc) + timedelta(seconds=expires_in),
    )


@pytest.fixture
def fake() -> FakeParadex:
    return FakeParadex(accounts={ACCOUNT: PUBLIC_KEY})


@pytest.fixture
def base_url(fake: FakeParadex) -> Iterator[str]:
    with serve(fake) as url:
        yield url + "/v1"


def _posted(fake: FakeParadex) -> list[dict[str, Any]]:
    return [r.json() for r in fake.received if (r.method, r.path) == ("POST", "/v1/orders")]


@pytest.mark.anyio
async def test_place_look_up_cancel_and_read_the_account(fake: FakeParadex, base_url: str) -> None:
    client = make(base_url)
    assert {Capability.PLACE_ORDER, Capability.FUNDING_PAYMENTS} <= client.capabilities
    taken = await run(client.place_order(order("ioc-1", Side.BUY, "0.01", "67700")))
    assert isinstance(taken, Success), taken
    # Paradex answers a new order NEW (queued for risk checks): never final
    assert taken.unwrap().status is OrderStatus.PENDING
    filled = (await run(client.fetch_order(BTC, "ioc-1"))).unwrap()
    assert (filled.status, filled.filled_size, filled.average_price) == (
        OrderStatus.FILLED,
        Decimal("0.01"),
        Decimal("67643.2"),
    )
    resting = await run(
        client.place_order(order("gtc-1", Side.BUY, "0.01", "60000", TimeInForce.GTC))
    )
    assert resting.unwrap().client_order_id == "gtc-1"
    assert (await run(client.fetch_order(BTC, "gtc-1"))).unwrap().status is OrderStatus.OPEN
    cancelled = (await run(client.cancel_order(BTC, "gtc-1"))).unwrap()
    assert cancelled.status is OrderStatus.CANCELED and cancelled.filled_size == 0
    again = (await run(client.cancel_order(BTC, "ioc-1"))).unwrap()  # already closed
    assert again.status is OrderStatus.FILLED
    positions = (await run(client.fetch_positions())).unwrap()
    assert [(p.symbol, p.size) for p in positions] == [(BTC, Decimal("0.01"))]
    balances = (await run(client.fetch_balances())).unwrap()
    # available is the account's free collateral (10000 - 2 % IMF of the 0.01 BTC long)
    assert [(b.asset, b.total, b.available) for b in balances] == [
        (
            "USDC",
            Decimal("10000"),
            Decimal("10000") - Decimal("0.01") * Decimal("67643.2") * Decimal("0.02"),
        )
    ]
    missing = await run(client.fetch_order(BTC, "never-sent"))
    assert isinstance(missing, Failure) and isinstance(missing.failure(), OrderNotFound)
    # one JWT served every private call; each order's body carried its signature
    assert fake.auth_count == 1
    bodies = _posted(fake)
    assert [b["client_id"] for b in bodies] == ["ioc-1", "gtc-1"]
    assert [b["instruction"] for b in bodies] == ["IOC", "GTC"]
    assert all(b["signature"].startswith('["') for b in bodies)
    await client.aclose()


@pytest.mark.anyio
async def test_funding_payments_follow_every_page(fake: FakeParadex, base_url: str) -> None:
    start = datetime(2025, 12, 6, tzinfo=timezone.utc)
    first = int(start.timestamp() * 1000)
    fake.payments = [
        {
            "id": str(i),
            "account": hex(ACCOUNT),
            "market": "BTC-USD-PERP" if i % 2 else "ETH-USD-PERP",
            "payment": f"-0.0{i + 1}",
            "index": "-2819.53434361",
            "fill_id": "",
            "created_at": first + i * 3_600_000,
        }
        for i in range(5)
    ]
    client = make(base_url)
    paid = (await run(client.fetch_funding_payments(start, start + timedelta(days=1)))).unwrap()
    assert [p.amount for p in paid] == [Decimal(f"-0.0{i + 1}") for i in range(5)]
    assert [p.symbol for p in paid][:2] == [Symbol("ETH"), BTC]
    assert {p.asset for p in paid} == {"USDC"}
    pages = [r for r in fake.received if r.path == "/v1/funding/payments"]
    assert len(pages) == 3  # the fake's pages hold two rows


@pytest.mark.anyio
async def test_a_wrong_chain_id_fails_the_auth_signature_and_nothing_is_sent(
    fake: FakeParadex, base_url: str
) -> None:
    client = make(base_url, chain_id=TESTNET_CHAIN_ID)  # the fake is mainnet
    placed = await run(client.place_order(order("ioc-1", Side.BUY, "0.01", "67700")))
    assert isinstance(placed, Failure) and isinstance(placed.failure(), AuthenticationError)
    assert placed.failure().code == "INVALID_STARKNET_SIGNATURE"
    assert _posted(fake) == []


@pytest.mark.anyio
async def test_a_key_that_is_not_the_accounts_is_refused(fake: FakeParadex, base_url: str) -> None:
    client = make(base_url, key=PRIVATE_KEY + 1)
    balances = await run(client.fetch_balances())
    assert isinstance(balances, Failure) and isinstance(balances.failure(), AuthenticationError)
    assert hex(PRIVATE_KEY + 1) not in balances.failure().message


@pytest.mark.anyio
async def test_an_expired_token_is_renewed_once_and_the_call_goes_through(
    fake: FakeParadex, base_url: str
) -> None:
    client = make(base_url)
    assert isinstance(await run(client.fetch_balances()), Success)
    fake.revoke_tokens()  # the venue forgets the token before its exp claim
    assert isinstance(await run(client.fetch_balances()), Success)
    assert fake.auth_count == 2
    auths = [r.path for r in fake.received if r.path.startswith("/v1/auth/")]
    assert auths == [f"/v1/auth/{hex(PUBLIC_KEY)}"] * 2


@pytest.mark.anyio
async def test_the_deadline_becomes_recv_window_and_a_passed_one_is_not_sent(
    fake: FakeParadex, base_url: str
) -> None:
    client = make(base_url)
    assert isinstance(await run(client.place_order(order("w-1", Side.BUY, "0.01", "1"))), Success)
    [body] = _posted(fake)
    assert 0 < body["recv_window"] <= 5000  # ms left until expires_at
    assert body["signature_timestamp"] + body["recv_window"] <= (
        int((datetime.now(timezone.utc) + timedelta(seconds=5)).timestamp() * 1000)
    )
    late = await run(client.place_order(order("w-2", Side.BUY, "0.01", "1", expires_in=-1.0)))
    assert isinstance(late, Failure) and isinstance(late.failure(), NotSent)
    assert len(_posted(fake)) == 1


@pytest.mark.anyio
async def test_the_venue_refuses_an_order_received_after_its_window(
    fake: FakeParadex, base_url: str
) -> None:
    """The fake enforces ``now > signature_timestamp + recv_window`` -> reject, like Paradex."""
    fake.clock_offset_ms = 60_000  # the venue's clock is a minute ahead of ours
    placed = await run(make(base_url).place_order(order("w-1", Side.BUY, "0.01", "1")))
    assert isinstance(placed, Failure)
    assert "recv_window" in placed.failure().message
    assert fake.orders == {}


class DroppingParadex(FakeParadex):
    """Takes the order, then closes the connection without answering."""

    def after(self, request: Request, reply: Reply) -> Reply:
        if (request.method, request.path) == ("POST", "/v1/orders"):
            return Reply(close=True)
        return reply


@pytest.mark.anyio
async def test_a_lost_answer_is_ambiguous_and_the_lookup_finds_the_fill() -> None:
    fake = DroppingParadex(accounts={ACCOUNT: PUBLIC_KEY})
    with serve(fake) as url:
        client = make(url + "/v1")
        lost = await run(client.place_order(order("lost-1", Side.SELL, "0.01", "66000")))
        assert isinstance(lost, Failure) and isinstance(lost.failure(), Ambiguous)
        found = (await run(client.fetch_order(BTC, "lost-1"))).unwrap()
        assert (found.status, found.filled_size) == (OrderStatus.FILLED, Decimal("0.01"))
        assert len(_posted(fake)) == 1  # never re-sent


@pytest.mark.anyio
async def test_an_unreadable_answer_to_an_order_is_ambiguous(
    fake: FakeParadex, base_url: str
) -> None:
    fake.fail_next[("POST", "/v1/orders")] = Reply(201, {"id": "1", "status": "NEW"})
    placed = await run(make(base_url).place_order(order("odd-1", Side.BUY, "0.01", "1")))
    assert isinstance(placed, Failure) and isinstance(placed.failure(), Ambiguous)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("request_", "named"),
    [
        (order("fok-1", Side.BUY, "0.01", "67700", TimeInForce.FOK), "fok"),
        (order("lot-1", Side.BUY, "0.0105", "67700"), "multiple of 0.001"),
        (order("tick-1", Side.BUY, "0.01", "67700.05"), "multiple of 0.1"),
        (order("bad id!", Side.BUY, "0.01", "67700"), "client order id"),
    ],
)
async def test_orders_paradex_cannot_take_are_refused_unsent(
    fake: FakeParadex, base_url: str, request_: OrderRequest, named: str
) -> None:
    placed = await run(make(base_url).place_order(request_))
    assert isinstance(placed, Failure) and isinstance(placed.failure(), InvalidRequest)
    assert named in placed.failure().message
    assert _posted(fake) == []


@pytest.mark.anyio
async def test_the_fake_refuses_a_body_that_differs_from_what_was_signed(
    fake: FakeParadex, base_url: str
) -> None:
    """The server-side check can fail: the signed size was 0.01, the body says 0.02."""
    client = make(base_url)
    assert isinstance(await run(client.place_order(order("s-1", Side.BUY, "0.01", "1"))), Success)
    [body] = _posted(fake)
    token = next(iter(fake.tokens))
    tampered = {**body, "client_id": "s-2", "size": "0.02"}
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            base_url + "/orders", json=tampered, headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 400 and answer.json()["error"] == "INVALID_ORDER_SIGNATURE"
    assert "s-2" not in fake.orders


@pytest.mark.anyio
async def test_without_credentials_trading_is_not_configured_and_says_what_is_missing(
    base_url: str,
) -> None:
    client = ParadexClient(VenueSettings(id=VENUE, kind="paradex", base_url=base_url))
    assert Capability.PLACE_ORDER not in client.capabilities
    placed = await run(client.place_order(order("x-1", Side.BUY, "0.01", "1")))
    assert isinstance(placed, Failure) and isinstance(placed.failure(), NotConfigured)
    assert "account_address and stark_private_key" in placed.failure().message


@pytest.mark.anyio
async def test_without_the_extra_market_data_works_and_trading_names_the_extra(
    fake: FakeParadex, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> Any:
        if name.startswith("crypto_cpp_py"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    signing.load_crypto.cache_clear()
    monkeypatch.setattr(importlib, "import_module", missing)
    try:
        client = make(base_url)
        assert Capability.PLACE_ORDER not in client.capabilities
        assert isinstance(await run(client.fetch_funding_rates()), Success)
        placed = await run(client.place_order(order("x-1", Side.BUY, "0.01", "1")))
        assert isinstance(placed, Failure) and isinstance(placed.failure(), NotConfigured)
        assert 'pip install "atomic-fp[paradex]"' in placed.failure().message
        assert _posted(fake) == [] and fake.auth_count == 0
    finally:
        signing.load_crypto.cache_clear()


@pytest.mark.anyio
async def test_the_registry_builds_a_trading_paradex_client(base_url: str) -> None:
    settings = VenueSettings(
        id=VENUE,
        kind="paradex",
        base_url=base_url,
        credentials={"account_address": hex(ACCOUNT), "stark_private_key": hex(PRIVATE_KEY)},
        options={"chain_id": MAINNET_CHAIN_ID},
    )
    built = build_client(settings)
    assert isinstance(built, Success)
    client = built.unwrap()
    assert Capability.PLACE_ORDER in client.capabilities
    assert hex(PRIVATE_KEY)[2:] not in repr(client)


@pytest.mark.anyio
async def test_margin_reads_the_account_summary_and_the_markets_rates(
    fake: FakeParadex, base_url: str
) -> None:
    client = make(base_url)
    assert isinstance(client, MarginReporter)
    await run(client.place_order(order("m-1", Side.BUY, "0.01", "67700")))
    margin = (await run(client.fetch_margin())).unwrap()
    assert (margin.asset, margin.equity) == ("USDC", Decimal("10000"))
    assert margin.maintenance_margin == Decimal("0.01") * Decimal("67643.2") * Decimal("0.01")
    assert margin.maintenance_rates[BTC] == Decimal("0.01")  # imf_base 0.02 x mmf_factor 0.5
    assert Symbol("SOL") not in margin.maintenance_rates  # its row has no margin params
    assert [leg.position.size for leg in margin.legs] == [Decimal("0.01")]


@pytest.mark.anyio
async def test_a_token_is_renewed_before_its_exp_claim_by_the_clients_clock(
    fake: FakeParadex, base_url: str
) -> None:
    """The fake's JWTs carry ``exp`` = issue + 300 s; the client renews 60 s before it,
    judged by its own (injected) clock, not by waiting."""
    now = [time.time()]
    client = ParadexClient(
        VenueSettings(
            id=VENUE,
            kind="paradex",
            base_url=base_url,
            credentials={"account_address": hex(ACCOUNT), "stark_private_key": hex(PRIVATE_KEY)},
        ),
        clock=lambda: now[0],
    )
    assert isinstance(await run(client.fetch_balances()), Success)
    now[0] += 200  # 100 s before exp: still good
    fake.clock_offset_ms = 200_000
    assert isinstance(await run(client.fetch_balances()), Success)
    assert fake.auth_count == 1
    now[0] += 50  # 50 s before exp: inside the 60 s margin
    fake.clock_offset_ms = 250_000
    assert isinstance(await run(client.fetch_balances()), Success)
    assert fake.auth_count == 2
