"""Aster trading round trip on real sockets (127.0.0.1) against the fake venue, which
verifies every v3 signature server-side by recovering the signer address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from eth_account import Account
from returns.result import Failure, Success

from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import AuthenticationError, NotConfigured, NotSent, OrderNotFound
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce
from atomic_fp.venue import Capability
from tests.adapters.aster._client import AGENT, USER, VENUE, make
from tests.adapters.aster.fake_venue import FakeAster, serve
from tests.harness import run

ASTER = Symbol("ASTER")


@pytest.fixture
def fake() -> FakeAster:
    return FakeAster({USER: AGENT})


@pytest.fixture
def base_url(fake: FakeAster) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def order(cid: str, side: Side, size: str, price: str, tif: TimeInForce) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=ASTER,
        side=side,
        size=Decimal(size),
        order_type=OrderType.LIMIT,
        limit_price=Decimal(price),
        time_in_force=tif,
        client_order_id=cid,
        expires_at=datetime.now(timezone.utc) + timedelta(seconds=5),
    )


@pytest.mark.anyio
async def test_place_look_up_cancel_and_read_the_account(fake: FakeAster, base_url: str) -> None:
    client = make(base_url)
    assert Capability.PLACE_ORDER in client.capabilities
    filled = await run(
        client.place_order(order("ioc-1", Side.BUY, "100", "0.15030", TimeInForce.IOC))
    )
    assert isinstance(filled, Success), filled
    assert filled.unwrap().status is OrderStatus.FILLED
    assert filled.unwrap().filled_size == Decimal("100")
    resting = await run(
        client.place_order(order("gtc-1", Side.BUY, "100", "0.14000", TimeInForce.GTC))
    )
    assert resting.unwrap().status is OrderStatus.OPEN
    looked_up = await run(client.fetch_order(ASTER, "gtc-1"))
    assert looked_up.unwrap().client_order_id == "gtc-1"
    cancelled = await run(client.cancel_order(ASTER, "gtc-1"))
    assert cancelled.unwrap().status is OrderStatus.CANCELED
    positions = (await run(client.fetch_positions())).unwrap()
    assert [(p.symbol, p.size) for p in positions] == [(ASTER, Decimal("100"))]
    balances = (await run(client.fetch_balances())).unwrap()
    assert any(b.asset == "USDT" for b in balances)
    missing = await run(client.fetch_order(ASTER, "never-sent"))
    assert isinstance(missing, Failure) and isinstance(missing.failure(), OrderNotFound)
    # every signed request reached the venue as v3 with the API-wallet fields, nonces rising
    signed = [q for _, path, q in fake.requests if path.startswith("/fapi/v3/")]
    assert len(signed) == 7  # place x2, look-up, cancel, positions, balances, look-up
    nonces = [int(dict(p.split("=", 1) for p in q.split("&"))["nonce"]) for q in signed]
    assert nonces == sorted(nonces) and len(set(nonces)) == len(nonces)
    assert all("signer=" in q and "user=" in q and q.rsplit("&", 1)[1].startswith("signature=")
               for q in signed)  # fmt: skip


@pytest.mark.anyio
async def test_an_api_wallet_the_user_did_not_approve_is_refused(
    fake: FakeAster, base_url: str
) -> None:
    fake.agents = {USER.lower(): Account.create().address.lower()}
    result = await run(make(base_url).fetch_balances())
    assert isinstance(result, Failure) and isinstance(result.failure(), AuthenticationError)


@pytest.mark.anyio
async def test_a_wrong_chain_id_fails_the_signature_check(fake: FakeAster, base_url: str) -> None:
    result = await run(make(base_url, chain_id="714").fetch_balances())
    assert isinstance(result, Failure) and isinstance(result.failure(), AuthenticationError)
    assert result.failure().code == "-1022"


@pytest.mark.anyio
async def test_the_deadline_becomes_recv_window_and_a_passed_one_is_not_sent(
    fake: FakeAster, base_url: str
) -> None:
    client = make(base_url)
    late = order("late-1", Side.BUY, "100", "0.15030", TimeInForce.IOC)
    late = attrs.evolve(late, expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    result = await run(client.place_order(late))
    assert isinstance(result, Failure) and isinstance(result.failure(), NotSent)
    assert not any(path == "/fapi/v3/order" for _, path, _ in fake.requests)
    (await run(client.place_order(order("soon-1", Side.BUY, "100", "0.15030", TimeInForce.IOC))))
    sent = [q for m, path, q in fake.requests if path == "/fapi/v3/order" and m == "POST"]
    window = int(dict(p.split("=", 1) for p in sent[0].split("&"))["recvWindow"])
    assert 0 < window <= 5000


@pytest.mark.anyio
async def test_without_a_wallet_trading_is_not_configured_and_says_what_is_missing(
    base_url: str,
) -> None:
    client = make(base_url, credentials=False)
    assert Capability.PLACE_ORDER not in client.capabilities
    result = await run(client.fetch_positions())
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), NotConfigured)


@pytest.mark.anyio
async def test_the_registry_builds_aster(base_url: str) -> None:
    built = build_client(VenueSettings(id=VENUE, kind="aster", base_url=base_url))
    assert isinstance(built, Success)
    assert Capability.FUNDING_RATES in built.unwrap().capabilities
