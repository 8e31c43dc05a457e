"""A full trading round trip against a fake OKX on 127.0.0.1 (real sockets, OKX's wire
format, every private request's signature checked by the server)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from returns.result import Failure, Success

from adapters.okx import OkxClient, OkxConfig
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import (
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    NotSent,
    OrderNotFound,
    UnknownSymbol,
    VenueRejected,
)
from atomic_fp.models import (
    FeeSource,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability, MarginReporter, VenueClient
from tests.adapters.okx.fake_venue import FakeOkx
from tests.harness import run as outcome
from tests.harness import serve

pytestmark = pytest.mark.anyio

KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
SECRET = "8F2A0C4E6B1D3F5A7C9E0B2D4F6A8C0E"
PASSPHRASE = "correct horse 1"
VENUE = ExchangeIdentifier("okx")
BTC, ETH, DOGE = Symbol("BTC"), Symbol("ETH"), Symbol("DOGE")
FAST = {"public_requests_per_2s": "1000", "private_requests_per_2s": "1000"}


@pytest.fixture
def fake() -> FakeOkx:
    return FakeOkx(KEY, SECRET, PASSPHRASE)


@pytest.fixture
def url(fake: FakeOkx) -> Iterator[str]:
    with serve(fake) as base:
        yield base


def client(url: str, secret: str = SECRET, passphrase: str = PASSPHRASE) -> OkxClient:
    return OkxClient(
        OkxConfig(base_url=url, api_key=KEY, api_secret=secret, passphrase=passphrase, options=FAST)
    )


def order(
    cid: str,
    side: Side,
    size: str,
    price: str | None,
    tif: TimeInForce = TimeInForce.IOC,
    expires_at: datetime | None = None,
) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=BTC,
        side=side,
        size=Decimal(size),
        client_order_id=cid,
        order_type=OrderType.LIMIT if price else OrderType.MARKET,
        limit_price=Decimal(price) if price else None,
        time_in_force=tif,
        expires_at=expires_at,
    )


async def test_the_full_round_trip(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    assert isinstance(venue, VenueClient) and isinstance(venue, MarginReporter)
    assert Capability.PLACE_ORDER in venue.capabilities
    markets = await venue.connect()
    assert isinstance(markets, Success)
    assert {m.venue_symbol for m in markets.unwrap()} == {
        "BTC-USDT-SWAP",
        "ETH-USDT-SWAP",
        "SOL-USDT-SWAP",
        "DOGE-USDT-SWAP",
        "XRP-USDT-SWAP",
    }  # inverse, USDC-settled and suspended swaps are left out

    book = await outcome(venue.fetch_order_book(BTC, 2))
    assert isinstance(book, Success)
    assert book.unwrap().asks[0].size == Decimal("1.5")  # 150 contracts x 0.01 BTC

    deadline = datetime.now(timezone.utc) + timedelta(seconds=5)
    placed = await outcome(
        venue.place_order(order("afp1", Side.BUY, "0.05", "65010.0", expires_at=deadline))
    )
    assert isinstance(placed, Success), placed
    filled = placed.unwrap()
    assert filled.status is OrderStatus.FILLED
    assert filled.filled_size == filled.size == Decimal("0.05")  # base units
    assert filled.average_price == Decimal("65000.1")
    assert filled.fee is not None and filled.fee > 0
    sent = next(r for r in fake.requests if r.path == "/api/v5/trade/order" and r.method == "POST")
    assert sent.json()["sz"] == "5"  # 0.05 BTC = 5 contracts of 0.01 BTC on the wire
    assert sent.headers["expTime"] == str(int(deadline.timestamp() * 1000))

    positions = await outcome(venue.fetch_positions())
    assert isinstance(positions, Success)
    [position] = positions.unwrap()
    assert (position.symbol, position.size, position.base_size) == (
        BTC,
        Decimal("0.05"),
        Decimal("0.05"),
    )
    assert position.liquidation_price == Decimal("40000")

    resting = await outcome(
        venue.place_order(order("afp2", Side.BUY, "0.01", "60000.0", TimeInForce.GTC))
    )
    assert isinstance(resting, Success) and resting.unwrap().status is OrderStatus.OPEN
    looked = await outcome(venue.fetch_order(BTC, "afp2"))
    assert isinstance(looked, Success) and looked.unwrap().venue_order_id
    cancelled = await outcome(venue.cancel_order(BTC, "afp2"))
    assert isinstance(cancelled, Success) and cancelled.unwrap().status is OrderStatus.CANCELED
    again = await outcome(venue.cancel_order(BTC, "afp2"))  # 51400, then looked up
    assert isinstance(again, Success) and again.unwrap().status is OrderStatus.CANCELED

    missed = await outcome(
        venue.place_order(order("afp3", Side.SELL, "0.01", "70000.0", TimeInForce.IOC))
    )
    assert isinstance(missed, Success)
    assert missed.unwrap().status is OrderStatus.CANCELED and missed.unwrap().filled_size == 0

    unknown = await outcome(venue.fetch_order(BTC, "never"))
    assert isinstance(unknown, Failure) and isinstance(unknown.failure(), OrderNotFound)

    balances = await outcome(venue.fetch_balances())
    assert isinstance(balances, Success)
    usdt = next(b for b in balances.unwrap() if b.asset == "USDT")
    assert (usdt.total, usdt.available) == (Decimal("10000.5"), Decimal("9000.25"))
    btc_balance = next(b for b in balances.unwrap() if b.asset == "BTC")
    assert btc_balance.available == Decimal("0.1")  # availEq when availBal is empty

    margin = await outcome(venue.fetch_margin())
    assert isinstance(margin, Success)
    assert margin.unwrap().equity == Decimal("10000.5")

    fees = await outcome(venue.fetch_fees())
    assert isinstance(fees, Success)
    assert fees.unwrap().source is FeeSource.ACCOUNT
    assert (fees.unwrap().fees.maker, fees.unwrap().fees.taker) == (
        Decimal("0.0002"),
        Decimal("0.0005"),
    )
    await venue.aclose()


async def test_every_private_request_was_signed_and_checked(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    assert isinstance(await outcome(venue.fetch_balances()), Success)
    private = [r for r in fake.requests if r.path.startswith("/api/v5/account/")]
    assert private and all(r.headers.get("OK-ACCESS-SIGN") for r in private)
    public = [r for r in fake.requests if r.path.startswith("/api/v5/public/")]
    assert all("OK-ACCESS-SIGN" not in r.headers for r in public)
    await venue.aclose()


@pytest.mark.parametrize(
    ("secret", "passphrase", "code"),
    [(SECRET[::-1], PASSPHRASE, "50113"), (SECRET, "wrong phrase", "50105")],
)
async def test_a_wrong_secret_or_passphrase_is_an_authentication_error(
    url: str, secret: str, passphrase: str, code: str
) -> None:
    venue = client(url, secret=secret, passphrase=passphrase)
    result = await venue.connect()
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, AuthenticationError) and error.code == code
    for hidden in (KEY, secret, passphrase):
        assert hidden not in error.message
    await venue.aclose()


async def test_a_passed_deadline_is_never_sent(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    assert isinstance(await venue.connect(), Success)
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    result = await outcome(
        venue.place_order(order("afp4", Side.BUY, "0.01", "65010.0", expires_at=past))
    )
    assert isinstance(result, Failure) and isinstance(result.failure(), NotSent)
    assert not any(r.path == "/api/v5/trade/order" for r in fake.requests)
    await venue.aclose()


async def test_the_venue_refuses_an_order_arriving_after_its_exptime(
    fake: FakeOkx, url: str
) -> None:
    """Our clock offset says there is time left; the venue's clock (20 s ahead since our
    last sync) says the deadline has passed: OKX does not process it."""
    venue = client(url)
    assert isinstance(await venue.connect(), Success)
    fake.clock_offset_ms = 20_000
    deadline = datetime.now(timezone.utc) + timedelta(seconds=5)
    result = await outcome(
        venue.place_order(order("afp5", Side.BUY, "0.01", "65010.0", expires_at=deadline))
    )
    assert isinstance(result, Failure) and isinstance(result.failure(), VenueRejected)
    assert "afp5" not in fake.orders
    await venue.aclose()


async def test_orders_are_checked_before_sending(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    assert isinstance(await venue.connect(), Success)
    off_lot = await outcome(venue.place_order(order("afp6", Side.BUY, "0.00005", "65010.0")))
    assert isinstance(off_lot, Failure) and isinstance(off_lot.failure(), InvalidRequest)
    off_tick = await outcome(venue.place_order(order("afp7", Side.BUY, "0.01", "65010.05")))
    assert isinstance(off_tick, Failure) and isinstance(off_tick.failure(), InvalidRequest)
    bad_id = await outcome(venue.place_order(order("afp-8", Side.BUY, "0.01", "65010.0")))
    assert isinstance(bad_id, Failure) and isinstance(bad_id.failure(), InvalidRequest)
    assert not any(r.path == "/api/v5/trade/order" for r in fake.requests)
    unknown = await outcome(venue.fetch_order_book(Symbol("NOPE")))
    assert isinstance(unknown, Failure) and isinstance(unknown.failure(), UnknownSymbol)
    await venue.aclose()


async def test_a_rejected_order_keeps_the_venues_code(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    assert isinstance(
        await outcome(venue.place_order(order("afp9", Side.BUY, "0.01", "65010.0"))), Success
    )
    duplicate = await outcome(venue.place_order(order("afp9", Side.BUY, "0.01", "65010.0")))
    assert isinstance(duplicate, Failure)
    assert isinstance(duplicate.failure(), VenueRejected) and duplicate.failure().code == "51016"
    await venue.aclose()


async def test_without_credentials_public_data_works_and_trading_is_not_configured(
    url: str,
) -> None:
    built = build_client(VenueSettings(id=VENUE, kind="okx", base_url=url, options=FAST))
    assert isinstance(built, Success)
    venue = built.unwrap()
    assert Capability.PLACE_ORDER not in venue.capabilities
    rates = await outcome(venue.fetch_funding_rates([BTC, DOGE]))
    assert isinstance(rates, Success) and len(rates.unwrap()) == 2
    positions = await outcome(venue.fetch_positions())
    assert isinstance(positions, Failure) and isinstance(positions.failure(), NotConfigured)
    await venue.aclose()


async def test_funding_payments_walk_all_pages_oldest_first(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    payments = await outcome(venue.fetch_funding_payments(start, start + timedelta(days=30)))
    assert isinstance(payments, Success)
    rows = payments.unwrap()
    # 240 bills over 80 settlements; the BTC-USD-SWAP (inverse) third is left out
    assert len(rows) == 160
    assert [p.time for p in rows] == sorted(p.time for p in rows)
    assert {p.symbol for p in rows} == {BTC, ETH}
    assert rows[0].position_size == Decimal("0.12")  # sz 12 contracts x 0.01 BTC
    pages = [r for r in fake.requests if r.path == "/api/v5/account/bills-archive"]
    assert len(pages) == 3
    await venue.aclose()


async def test_funding_history_pages_back_and_keeps_each_gap(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    history = await outcome(venue.fetch_funding_history(BTC, start, start + timedelta(days=80)))
    assert isinstance(history, Success)
    rows = history.unwrap()
    assert len(rows) == 250
    assert rows[0].funding_time == start
    assert {r.interval for r in rows[:150]} == {timedelta(hours=8)}
    assert {r.interval for r in rows[151:]} == {timedelta(hours=4)}
    times = [r.funding_time for r in rows]
    assert times == sorted(set(times))
    await venue.aclose()


async def test_fees_fall_back_to_the_published_tier_and_say_why(fake: FakeOkx, url: str) -> None:
    venue = client(url, secret="wrong-secret")
    fees = await outcome(venue.fetch_fees())
    assert isinstance(fees, Success)
    quote = fees.unwrap()
    assert quote.source is FeeSource.PUBLISHED and quote.fees.taker == Decimal("0.0005")
    assert "fee query failed (AuthenticationError" in quote.detail
    assert "wrong-secret" not in quote.detail
    await venue.aclose()


async def test_connect_is_idempotent(fake: FakeOkx, url: str) -> None:
    venue = client(url)
    first = await venue.connect()
    assert isinstance(first, Success)
    seen = len(fake.requests)
    assert "/api/v5/account/balance" in fake.paths()  # the credentials were checked
    assert await venue.connect() == first
    assert len(fake.requests) == seen
    await venue.aclose()


async def test_async_with_connects_and_closes(fake: FakeOkx, url: str) -> None:
    """The seed's shape: ``async with OkxClient(okx_config) as client``."""
    async with client(url) as venue:
        assert isinstance(venue.connection, Success)
        assert {m.symbol for m in venue.connection.unwrap()} >= {BTC, ETH, DOGE}
