"""A trading round trip through ccxt's real ``bitget`` class against the local Bitget
(``fake_venue.FakeBitgetAccount``), which speaks Bitget's v2 wire format and checks the
ACCESS-KEY / ACCESS-SIGN / ACCESS-TIMESTAMP / ACCESS-PASSPHRASE headers server-side: place
by our client id, look it up by client id, cancel it, then positions and balance. A wrong
secret is refused by the venue and comes back as a typed error, never an empty account."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from returns.result import Failure, Success

from adapters.ccxt_venue.factory import CcxtVenue, create
from adapters.registry import VenueSettings
from atomic_fp.errors import AuthenticationError, OrderNotFound
from atomic_fp.models import OrderRequest, OrderStatus, PositionSide, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability
from tests.adapters.ccxt_venue.fake_venue import (
    API_KEY,
    PASSPHRASE,
    SECRET,
    FakeBitgetAccount,
    bitget_sign,
    serve,
)
from tests.harness.outcome import run

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """ccxt's async API runs on asyncio only (aiohttp)."""
    return "asyncio"


@pytest.fixture
def bitget() -> Iterator[tuple[FakeBitgetAccount, str]]:
    fake = FakeBitgetAccount()
    with serve(fake) as url:
        yield fake, url


def _client(url: str, secret: str = SECRET) -> CcxtVenue:
    return create(
        VenueSettings(
            id=ExchangeIdentifier("bitget"),
            kind="ccxt",
            base_url=url,
            credentials={"api_key": API_KEY, "secret": secret, "password": PASSPHRASE},
            options={"exchange": "bitget"},
        )
    )


def test_the_fake_checks_the_signature_bitgets_docs_give() -> None:
    """Bitget's documented recipe (api-doc/common/signature): HMAC-SHA256 over
    timestamp + METHOD + requestPath + "?" + query + body, base64; an independent
    recomputation of one vector, so the fake's check is not only ccxt agreeing with us."""
    import base64
    import hashlib
    import hmac

    message = b'1700000000000POST/api/v2/mix/order/place-order{"symbol":"ETHUSDT"}'
    expected = base64.b64encode(hmac.new(b"s", message, hashlib.sha256).digest()).decode()
    body = '{"symbol":"ETHUSDT"}'
    assert (
        bitget_sign("s", "1700000000000", "POST", "/api/v2/mix/order/place-order", "", body)
        == expected
    )
    assert (
        bitget_sign("s", "1", "GET", "/p", "a=1&b=x%2Fy", "")
        == base64.b64encode(hmac.new(b"s", b"1GET/p?a=1&b=x/y", hashlib.sha256).digest()).decode()
    )


async def test_place_look_up_cancel_positions_balance(
    bitget: tuple[FakeBitgetAccount, str],
) -> None:
    fake, url = bitget
    client = _client(url)
    try:
        assert {Capability.POSITIONS, Capability.BALANCES} <= client.capabilities
        request = OrderRequest(
            exchange=ExchangeIdentifier("bitget"),
            symbol=Symbol("ETH"),
            side=Side.BUY,
            size=Decimal("0.3"),
            client_order_id="afp-rt-1",
            limit_price=Decimal("1900"),
            time_in_force=TimeInForce.GTC,
        )
        placed = await run(client.place_order(request))
        assert isinstance(placed, Success), placed
        sent = fake.orders["afp-rt-1"]
        assert (sent["symbol"], sent["side"], sent["size"], sent["price"]) == (
            "ETHUSDT",
            "buy",
            "0.3",
            "1900",
        )
        found = (await run(client.fetch_order(Symbol("ETH"), "afp-rt-1"))).unwrap()
        assert found.status is OrderStatus.OPEN and found.size == Decimal("0.3")
        assert found.venue_order_id == sent["orderId"]
        cancelled = await run(client.cancel_order(Symbol("ETH"), "afp-rt-1"))
        assert isinstance(cancelled, Success), cancelled
        after = (await run(client.fetch_order(Symbol("ETH"), "afp-rt-1"))).unwrap()
        assert after.status is OrderStatus.CANCELED
        missing = await run(client.fetch_order(Symbol("ETH"), "afp-nope"))
        assert isinstance(missing, Failure) and isinstance(missing.failure(), OrderNotFound)

        (position,) = (await run(client.fetch_positions())).unwrap()
        assert position.symbol == Symbol("ETH") and position.side is PositionSide.SHORT
        assert position.base_size == Decimal("-0.3")
        assert position.entry_price == Decimal(2000)
        assert position.liquidation_price == Decimal(3100)
        balances = (await run(client.fetch_balances())).unwrap()
        usdt = next(b for b in balances if b.asset == "USDT")
        assert usdt.available == Decimal("990.5")
        assert usdt.total > 0
    finally:
        await client.aclose()
    assert fake.rejected == []  # every signed request passed the server's check
    private = {p for p in fake.paths() if "/order/" in p or "/position/" in p or "/account/" in p}
    assert private == {
        "/api/v2/mix/order/place-order",
        "/api/v2/mix/order/detail",
        "/api/v2/mix/order/cancel-order",
        "/api/v2/mix/position/all-position",
        "/api/v2/mix/account/accounts",
    }


async def test_a_wrong_secret_is_refused_by_the_venue_and_typed(
    bitget: tuple[FakeBitgetAccount, str],
) -> None:
    fake, url = bitget
    client = _client(url, secret="not-the-secret")
    try:
        positions = await run(client.fetch_positions())
        balances = await run(client.fetch_balances())
    finally:
        await client.aclose()
    assert isinstance(positions, Failure), positions  # never an empty (flat) account
    assert isinstance(positions.failure(), AuthenticationError)
    assert isinstance(balances, Failure) and isinstance(balances.failure(), AuthenticationError)
    assert fake.rejected == ["/api/v2/mix/position/all-position", "/api/v2/mix/account/accounts"]
    assert "not-the-secret" not in str(positions.failure())
