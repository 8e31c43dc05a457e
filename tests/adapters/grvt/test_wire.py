"""Round trips against a local GRVT on 127.0.0.1 (three hosts, real sockets, port 0):
login -> create -> status -> cancel, with the signer recovered server-side."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from returns.result import Failure, Success

from adapters.grvt.client import GrvtClient, venue_client_id
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import AuthenticationError, OrderNotFound, RateLimited, VenueRejected
from atomic_fp.models import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import VenueClient
from tests.adapters.grvt._data import run
from tests.adapters.grvt.fake_venue import Exchange, Hosts, serve

KEY = "0x" + "22" * 32
OTHER_KEY = "0x" + "33" * 32
API_KEY = "grvt-api-key-SECRET"
SUB = "2147050003876484"
VENUE = ExchangeIdentifier("grvt")


@pytest.fixture
def exchange() -> Exchange:
    return Exchange(api_key=API_KEY, sub_account_id=SUB, authorised_key=KEY)


@pytest.fixture
def hosts(exchange: Exchange) -> Iterator[Hosts]:
    with serve(exchange) as running:
        yield running


def client_for(hosts: Hosts, private_key: str = KEY, **options: str) -> GrvtClient:
    settings = VenueSettings(
        id=VENUE,
        kind="grvt",
        base_url=hosts.market,
        trading_url=hosts.trading,
        auth_url=hosts.auth,
        credentials={"api_key": API_KEY, "sub_account_id": SUB, "private_key": private_key},
        options=options,
        timeout=5.0,
    )
    built = build_client(settings)
    assert isinstance(built, Success), built
    client = built.unwrap()
    assert isinstance(client, GrvtClient)
    return client


def limit_buy(client_order_id: str = "afp0123456789abcdef0000") -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=Symbol("BTC"),
        side=Side.BUY,
        size=Decimal("0.013"),
        client_order_id=client_order_id,
        order_type=OrderType.LIMIT,
        limit_price=Decimal("70000.1"),
        time_in_force=TimeInForce.GTC,
    )


@pytest.mark.anyio
async def test_login_create_status_cancel(exchange: Exchange, hosts: Hosts) -> None:
    client = client_for(hosts)
    assert isinstance(client, VenueClient)
    try:
        placed = (await run(client.place_order(limit_buy()))).unwrap()
        assert placed.client_order_id == "afp0123456789abcdef0000"
        assert placed.status is OrderStatus.PENDING
        assert (placed.side, placed.size) == (Side.BUY, Decimal("0.013"))
        # The server rebuilt the typed data from the wire fields and recovered our signer.
        assert exchange.recovered_signers == [exchange.authorised_address]
        (stored,) = exchange.orders.values()
        assert stored["metadata"]["client_order_id"] == venue_client_id(placed.client_order_id)
        assert stored["legs"][0] == {
            "instrument": "BTC_USDT_Perp",
            "size": "0.013",
            "limit_price": "70000.1",
            "is_buying_asset": True,
        }
        assert stored["time_in_force"] == "GOOD_TILL_TIME"
        assert stored["signature"]["chain_id"] == "325"

        status = (await run(client.fetch_order(Symbol("BTC"), placed.client_order_id))).unwrap()
        assert status.status is OrderStatus.OPEN
        assert status.venue_order_id == stored["order_id"]

        cancelled = (await run(client.cancel_order(Symbol("BTC"), placed.client_order_id))).unwrap()
        assert cancelled.status is OrderStatus.CANCELED
        assert cancelled.reject_reason == "CLIENT_CANCEL"
        assert cancelled.client_order_id == placed.client_order_id

        # One login; every trading call carried the session cookie and the account id.
        assert exchange.logins == 1
        (cookie,) = exchange.sessions
        assert [h[0] for h in exchange.trading_headers] == [
            "/full/v1/create_order",
            "/full/v1/order",
            "/full/v1/cancel_order",
            "/full/v1/order",
        ]
        assert all(h[1:] == (cookie, "acc-1") for h in exchange.trading_headers)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_ioc_fills_and_account_reads(exchange: Exchange, hosts: Hosts) -> None:
    client = client_for(hosts)
    try:
        request = OrderRequest(
            exchange=VENUE,
            symbol=Symbol("ETH"),
            side=Side.SELL,
            size=Decimal("0.5"),
            client_order_id="afpfedcba98765432100100",
            order_type=OrderType.MARKET,
            limit_price=Decimal("3400.01"),
            time_in_force=TimeInForce.IOC,
            reduce_only=True,
        )
        (await run(client.place_order(request))).unwrap()
        filled = (await run(client.fetch_order(Symbol("ETH"), request.client_order_id))).unwrap()
        assert filled.status is OrderStatus.FILLED
        assert (filled.filled_size, filled.average_price) == (Decimal("0.5"), Decimal("3400.01"))
        assert filled.side is Side.SELL and filled.reduce_only
        stored = exchange.orders[venue_client_id(request.client_order_id)]
        assert stored["is_market"] is False  # a priced MARKET request is a capped IOC limit
        assert stored["time_in_force"] == "IMMEDIATE_OR_CANCEL"

        (position,) = (await run(client.fetch_positions())).unwrap()
        assert (position.symbol, position.size) == (Symbol("ETH"), Decimal("-1.25"))
        assert position.cumulative_funding == Decimal("0.75")
        (balance,) = (await run(client.fetch_balances())).unwrap()
        assert (balance.total, balance.available) == (Decimal("1000.5"), Decimal("900.25"))
        assert exchange.logins == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_wrong_key_is_refused_with_a_signature_code(
    exchange: Exchange, hosts: Hosts
) -> None:
    client = client_for(hosts, private_key=OTHER_KEY)
    try:
        outcome = await run(client.place_order(limit_buy()))
        assert isinstance(outcome, Failure)
        error = outcome.failure()
        assert isinstance(error, AuthenticationError)
        assert error.code == "2000"
        assert "unauthorized signer" in error.message
        assert exchange.orders == {}
        assert exchange.recovered_signers != [exchange.authorised_address]
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_unknown_order_is_order_not_found(hosts: Hosts) -> None:
    client = client_for(hosts)
    try:
        outcome = await run(client.fetch_order(Symbol("BTC"), "afp-never-sent"))
        assert isinstance(outcome, Failure)
        assert isinstance(outcome.failure(), OrderNotFound)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_duplicate_client_id_is_rejected_with_its_code(hosts: Hosts) -> None:
    client = client_for(hosts)
    try:
        (await run(client.place_order(limit_buy()))).unwrap()
        again = await run(client.place_order(limit_buy()))
        assert isinstance(again, Failure)
        assert isinstance(again.failure(), VenueRejected)
        assert again.failure().code == "2012"
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_rate_limit_and_max_open_orders_are_told_apart(
    exchange: Exchange, hosts: Hosts
) -> None:
    client = client_for(hosts)
    try:
        exchange.force_error = ("trading", 429, 1006, "You have surpassed the allocated rate limit")
        limited = await run(client.place_order(limit_buy()))
        assert isinstance(limited, Failure) and isinstance(limited.failure(), RateLimited)
        exchange.force_error = ("trading", 429, 2090, "Max open orders exceeded")
        full = await run(client.place_order(limit_buy("afp0123456789abcdef0001")))
        assert isinstance(full, Failure)
        assert type(full.failure()) is VenueRejected and full.failure().code == "2090"
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_lost_session_logs_in_again_once(exchange: Exchange, hosts: Hosts) -> None:
    client = client_for(hosts)
    try:
        (await run(client.fetch_balances())).unwrap()
        exchange.sessions.clear()  # the venue forgot the session: code 1000 next time
        (await run(client.fetch_balances())).unwrap()
        assert exchange.logins == 2
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_the_session_is_refreshed_before_it_expires(exchange: Exchange, hosts: Hosts) -> None:
    now = [datetime.now(UTC)]
    exchange.cookie_lifetime = timedelta(minutes=10)
    settings = VenueSettings(
        id=VENUE,
        kind="grvt",
        base_url=hosts.market,
        trading_url=hosts.trading,
        auth_url=hosts.auth,
        credentials={"api_key": API_KEY, "sub_account_id": SUB, "private_key": KEY},
    )
    client = GrvtClient(settings, clock=lambda: now[0])
    try:
        (await run(client.fetch_balances())).unwrap()
        now[0] += timedelta(minutes=8)  # 2 min left: still fresh (margin 1 min)
        (await run(client.fetch_balances())).unwrap()
        assert exchange.logins == 1
        now[0] += timedelta(minutes=1, seconds=30)  # 30 s left: refresh first
        (await run(client.fetch_balances())).unwrap()
        assert exchange.logins == 2
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_wrong_api_key_is_an_authentication_error(exchange: Exchange, hosts: Hosts) -> None:
    exchange.api_key = "another-key"
    client = client_for(hosts)
    try:
        outcome = await run(client.fetch_positions())
        assert isinstance(outcome, Failure)
        error = outcome.failure()
        assert isinstance(error, AuthenticationError) and error.code == "1000"
        assert API_KEY not in error.describe()
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_market_data_over_the_wire(hosts: Hosts) -> None:
    client = client_for(hosts)
    try:
        rates = (await run(client.fetch_funding_rates())).unwrap()
        assert [r.symbol for r in rates] == [Symbol("BTC"), Symbol("ETH")]
        assert all(r.rate == Decimal("0.0001") for r in rates)  # "0.01" percent
        assert all(r.next_funding_time is not None for r in rates)
        book = (await run(client.fetch_order_book(Symbol("BTC"), 5))).unwrap()
        assert (book.best_bid, book.best_ask) == (Decimal("69999.9"), Decimal("70000.1"))
    finally:
        await client.aclose()
