"""Pure trading rules: client order indices, order encoding, nonces and the request budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.kit import RequestBudget
from adapters.lighter.client import CLIENT_ORDER_INDEX_MAX, build_create_order, client_order_index
from adapters.lighter.nonces import NonceBook
from atomic_fp.errors import InvalidRequest, NetworkError, RateLimited, VenueError
from atomic_fp.models import OrderRequest, OrderType, Side, Symbol, TimeInForce
from tests.adapters.lighter._data import LIGHTER, eth_market

MARKET = eth_market()  # size_decimals 4, price_decimals 2


def _request(**changes: object) -> OrderRequest:
    fields: dict[str, object] = {
        "exchange": LIGHTER,
        "symbol": Symbol("ETH"),
        "side": Side.SELL,
        "size": Decimal("0.1"),
        "client_order_id": "abc",
        "limit_price": Decimal("4050"),
        "time_in_force": TimeInForce.GTC,
    }
    fields.update(changes)
    return OrderRequest(**fields)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=36)
)
def test_client_order_index_is_deterministic_and_in_range(cid: str) -> None:
    index = client_order_index(cid)
    assert 1 <= index <= CLIENT_ORDER_INDEX_MAX
    assert index == client_order_index(cid)


def test_client_order_index_known_value() -> None:
    # sha256("sig-1-leg-a")[:8] big-endian mod (2**48 - 1) + 1: a change here changes the
    # mapping of live orders, so it is pinned.
    import hashlib

    digest = hashlib.sha256(b"sig-1-leg-a").digest()
    assert client_order_index("sig-1-leg-a") == int.from_bytes(digest[:8], "big") % (2**48 - 1) + 1
    assert client_order_index("sig-1-leg-a") != client_order_index("sig-1-leg-b")


def test_order_encoding_follows_the_sdk_examples() -> None:
    tx = build_create_order(_request(), MARKET).unwrap()
    assert (tx.base_amount, tx.price) == (1000, 405000)  # 0.1 ETH, $4050 (lighter-sdk example)
    assert (tx.is_ask, tx.order_type, tx.time_in_force, tx.order_expiry) == (True, 0, 1, -1)
    ioc = build_create_order(_request(time_in_force=TimeInForce.IOC), MARKET).unwrap()
    assert (ioc.time_in_force, ioc.order_expiry) == (0, 0)
    post = build_create_order(_request(time_in_force=TimeInForce.POST_ONLY), MARKET).unwrap()
    assert post.time_in_force == 2
    market = build_create_order(_request(order_type=OrderType.MARKET), MARKET).unwrap()
    assert (market.order_type, market.time_in_force, market.order_expiry) == (1, 0, 0)


@pytest.mark.parametrize(
    "changes",
    [
        {"size": Decimal("0.00001")},  # finer than the 0.0001 lot
        {"limit_price": Decimal("4050.001")},  # finer than the 0.01 tick
        {"time_in_force": TimeInForce.FOK},
        {"order_type": OrderType.MARKET, "limit_price": None},
        {"limit_price": Decimal("99999999")},  # does not fit Lighter's uint32 price
    ],
)
def test_orders_lighter_cannot_encode_are_refused_before_sending(
    changes: dict[str, object],
) -> None:
    result = build_create_order(_request(**changes), MARKET)
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidRequest)


@pytest.mark.anyio
async def test_nonce_book_consumes_reuses_and_resyncs() -> None:
    venue_next = [10]
    calls: list[int] = []

    async def fetch() -> Result[int, VenueError]:
        calls.append(1)
        return Success(venue_next[0])

    book = NonceBook(fetch=fetch)
    async with book.lease() as lease:
        lease.unwrap().consumed()
        assert lease.unwrap().nonce == 10
    async with book.lease() as lease:
        assert lease.unwrap().nonce == 11
        lease.unwrap().unused()  # refused by the API: not consumed
    async with book.lease() as lease:
        assert lease.unwrap().nonce == 11
        lease.unwrap().resync()  # invalid nonce / ambiguous
    venue_next[0] = 20
    async with book.lease() as lease:
        assert lease.unwrap().nonce == 20
    assert len(calls) == 2
    async with book.lease() as lease:  # an unreported outcome re-syncs too
        assert lease.unwrap().nonce == 20
    assert len(calls) == 3


@pytest.mark.anyio
async def test_nonce_fetch_failure_is_a_value() -> None:
    async def fetch() -> Result[int, VenueError]:
        return Failure(NetworkError("lighter", "down"))

    async with NonceBook(fetch=fetch).lease() as lease:
        assert isinstance(lease, Failure)


@pytest.mark.anyio
async def test_budget_allows_the_rate_and_refuses_beyond_it() -> None:
    now = [0.0]
    budget = RequestBudget(
        "Lighter REST", capacity=3, period=60, max_wait=0.5, monotonic=lambda: now[0]
    )
    for _ in range(3):
        assert isinstance(await budget.acquire("lighter"), Success)
    refused = await budget.acquire("lighter")
    assert isinstance(refused, Failure)
    assert isinstance(refused.failure(), RateLimited)
    assert refused.failure().code == "budget"
    now[0] += 20.0  # one token refills every 20 s at 3 per minute
    assert isinstance(await budget.acquire("lighter"), Success)
    assert isinstance(await budget.acquire("lighter"), Failure)
    assert budget.spent == 4


@pytest.mark.anyio
async def test_budget_waits_for_a_token_within_max_wait() -> None:
    budget = RequestBudget("Lighter REST", capacity=1, period=0.1, max_wait=1.0)
    assert isinstance(await budget.acquire("lighter"), Success)
    assert isinstance(await budget.acquire("lighter"), Success)  # waited ~0.1 s
