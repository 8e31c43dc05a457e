"""Full trading round trip against a Binance-speaking server on 127.0.0.1 (real sockets)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import anyio
import pytest
from returns.result import Failure, Success

from adapters.binance.client import BinanceClient
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    OrderNotFound,
    UnknownSymbol,
)
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
from atomic_fp.venue import Capability, VenueClient
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance, serve

KEY = "k" * 64
SECRET = "s3cr3t-" + "x" * 57
VENUE = ExchangeIdentifier("binance")
BTC, PEPE, SOL, ETH = Symbol("BTC"), Symbol("PEPE"), Symbol("SOL"), Symbol("ETH")


@pytest.fixture
def fake() -> FakeBinance:
    return FakeBinance(KEY, SECRET)


@pytest.fixture
def base_url(fake: FakeBinance) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def make(
    base_url: str,
    secret: str | None = SECRET,
    key: str = KEY,
    timeout_seconds: float = 5.0,
    **options: str,
) -> BinanceClient:
    credentials = {} if secret is None else {"api_key": key, "api_secret": secret}
    settings = VenueSettings(
        id=VENUE,
        kind="binance",
        base_url=base_url,
        credentials=credentials,
        timeout=timeout_seconds,
        options=options,
    )
    built = build_client(settings)
    assert isinstance(built, Success), built
    client = built.unwrap()
    assert isinstance(client, BinanceClient)
    assert isinstance(client, VenueClient)
    return client


def order(
    cid: str, side: Side, size: str, price: str, tif: TimeInForce = TimeInForce.IOC
) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE,
        symbol=BTC,
        side=side,
        size=Decimal(size),
        client_order_id=cid,
        order_type=OrderType.LIMIT,
        limit_price=Decimal(price),
        time_in_force=tif,
    )


@pytest.mark.anyio
async def test_full_trading_round_trip(fake: FakeBinance, base_url: str) -> None:
    client = make(base_url)
    try:
        assert Capability.PLACE_ORDER in client.capabilities

        markets = (await run(client.fetch_markets())).unwrap()
        by_symbol = {m.symbol: m for m in markets}
        assert set(by_symbol) == {BTC, ETH, PEPE, SOL}  # no delivery, no SETTLING, one BTC
        assert by_symbol[BTC].venue_symbol == "BTCUSDT"  # USDT preferred over USDC
        assert by_symbol[SOL].venue_symbol == "SOLUSDC"  # the only SOL listing
        assert by_symbol[BTC].tick_size == Decimal("0.10")
        assert by_symbol[BTC].lot_size == Decimal("0.001")
        assert by_symbol[BTC].min_notional == Decimal("100")
        assert by_symbol[PEPE].contract_multiplier == Decimal(1000)
        assert by_symbol[PEPE].funding_interval == timedelta(hours=4)
        assert by_symbol[BTC].funding_interval == timedelta(hours=8)

        rates = {r.symbol: r for r in (await run(client.fetch_funding_rates())).unwrap()}
        assert set(rates) == {BTC, ETH, PEPE, SOL}
        assert rates[BTC].rate == Decimal("0.00012000")
        assert rates[BTC].venue_symbol == "BTCUSDT"
        assert rates[PEPE].interval == timedelta(hours=4)
        assert rates[PEPE].hourly == Decimal("0.0001")
        assert all(r.kind is FundingKind.CURRENT for r in rates.values())
        only_btc = (await run(client.fetch_funding_rates([BTC]))).unwrap()
        assert [r.symbol for r in only_btc] == [BTC]

        book = (await run(client.fetch_order_book(BTC, depth=2))).unwrap()
        assert book.best_bid == Decimal("64999.90")
        assert book.best_ask == Decimal("65000.10")
        assert len(book.bids) == 2
        assert ("GET", "/fapi/v1/depth", "symbol=BTCUSDT&limit=5") in fake.requests

        filled = (
            await run(client.place_order(order("afp0001", Side.BUY, "0.010", "65010.0")))
        ).unwrap()
        assert filled.status is OrderStatus.FILLED
        assert filled.filled_size == Decimal("0.010")
        assert filled.average_price == Decimal("65000.10")
        assert filled.client_order_id == "afp0001"
        sent = next(q for m, p, q in fake.requests if m == "POST")
        assert "timeInForce=IOC" in sent and "type=LIMIT" in sent and "price=65010" in sent
        assert "newClientOrderId=afp0001" in sent

        looked_up = (await run(client.fetch_order(BTC, "afp0001"))).unwrap()
        assert looked_up.status is OrderStatus.FILLED
        assert looked_up.venue_order_id == filled.venue_order_id

        positions = (await run(client.fetch_positions())).unwrap()
        assert len(positions) == 1
        assert positions[0].symbol == BTC and positions[0].size == Decimal("0.010")
        assert positions[0].liquidation_price == Decimal("52000.5")

        balances = (await run(client.fetch_balances())).unwrap()
        assert [(b.asset, b.total, b.available) for b in balances] == [
            ("USDT", Decimal("1000.00000000"), Decimal("900.25000000"))
        ]

        resting = (
            await run(
                client.place_order(order("afp0002", Side.SELL, "0.002", "70000.0", TimeInForce.GTC))
            )
        ).unwrap()
        assert resting.status is OrderStatus.OPEN
        open_orders = (await run(client.fetch_open_orders(BTC))).unwrap()
        assert [o.client_order_id for o in open_orders] == ["afp0002"]
        cancelled = (await run(client.cancel_order(BTC, "afp0002"))).unwrap()
        assert cancelled.status is OrderStatus.CANCELED
        # Cancelling again: Binance says -2011; the client looks the order up instead.
        again = (await run(client.cancel_order(BTC, "afp0002"))).unwrap()
        assert again.status is OrderStatus.CANCELED
        assert (await run(client.fetch_open_orders())).unwrap() == ()

        missing = await run(client.fetch_order(BTC, "afp-never-sent"))
        assert isinstance(missing, Failure)
        assert isinstance(missing.failure(), OrderNotFound)
        assert missing.failure().code == "-2013"
        cancel_missing = await run(client.cancel_order(BTC, "afp-never-sent"))
        assert isinstance(cancel_missing.failure(), OrderNotFound)

        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        end = datetime(2026, 1, 1, tzinfo=timezone.utc)
        payments = (await run(client.fetch_funding_payments(start, end))).unwrap()
        assert len(payments) == 2300  # three pages, rows at page borders de-duplicated
        assert [p.time for p in payments] == sorted(p.time for p in payments)
        assert {p.symbol for p in payments} == {BTC, PEPE}
        assert payments[0].amount == Decimal("-0.50000000")
        assert sum(1 for _, p, _ in fake.requests if p == "/fapi/v1/income") == 3
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_funding_scan_is_premium_index_plus_funding_info(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url, secret=None)
    try:
        assert Capability.PLACE_ORDER not in client.capabilities
        assert len((await run(client.fetch_funding_rates())).unwrap()) == 4
        # sent concurrently, so they may arrive in either order
        assert sorted(fake.paths()) == ["/fapi/v1/fundingInfo", "/fapi/v1/premiumIndex"]
        (await run(client.fetch_funding_rates())).unwrap()
        assert fake.paths()[2:] == ["/fapi/v1/premiumIndex"]  # intervals cached
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_funding_history_pages_and_intervals(fake: FakeBinance, base_url: str) -> None:
    client = make(base_url, secret=None)
    try:
        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        end = datetime(2030, 1, 1, tzinfo=timezone.utc)
        history = (await run(client.fetch_funding_history(BTC, start, end))).unwrap()
        assert len(history) == 2500
        assert sum(1 for p in fake.paths() if p == "/fapi/v1/fundingRate") == 3
        assert all(r.kind is FundingKind.SETTLED for r in history)
        assert [r.interval_hours for r in history[1:1201]] == [Decimal(8)] * 1200
        assert [r.interval_hours for r in history[1201:]] == [Decimal(4)] * 1299
        assert history[0].interval_hours == 8  # from the gap to the next row
        assert history[0].mark_price is None and history[3].mark_price == Decimal("60003.00000000")
        assert history[1].funding_time == datetime(2024, 1, 1, 8, 0, 0, 1000, tzinfo=timezone.utc)
        window = (
            await run(
                client.fetch_funding_history(
                    BTC,
                    datetime(2024, 1, 2, tzinfo=timezone.utc),
                    datetime(2024, 1, 3, tzinfo=timezone.utc),
                )
            )
        ).unwrap()
        # 00:00(+jitter) 08:00 16:00 on Jan 2; interval known from the row before the window.
        assert [r.funding_time.hour for r in window if r.funding_time] == [0, 8, 16]
        assert all(r.interval == timedelta(hours=8) for r in window)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_wrong_signature_is_rejected_and_secret_stays_hidden(
    fake: FakeBinance, base_url: str
) -> None:
    wrong_secret = "WRONG-" + "y" * 58
    client = make(base_url, secret=wrong_secret)
    try:
        result = await run(client.fetch_positions())
        error = result.failure()
        assert isinstance(error, AuthenticationError)
        assert error.code == "-1022"
        assert "Signature for this request is not valid." in error.message
        placed = await run(client.place_order(order("afp0009", Side.BUY, "0.010", "65010.0")))
        assert isinstance(placed.failure(), AuthenticationError)
        assert placed.failure().code == "-1022"
        assert fake.orders == {}  # the server refused it
        for text in (
            str(error),
            repr(error),
            str(placed.failure()),
            repr(placed.failure()),
            repr(client),
        ):
            assert wrong_secret not in text and SECRET not in text
            assert "signature=" not in text and "timestamp=" not in text
        # the signed query string really carried a signature, which no error shows
        signed = [q for _, p, q in fake.requests if p == "/fapi/v3/positionRisk"]
        sig = signed[0].rsplit("signature=", 1)[1]
        assert len(sig) == 64 and sig not in str(error)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_wrong_api_key_is_authentication_error(fake: FakeBinance, base_url: str) -> None:
    client = make(base_url, key="not-the-key")
    try:
        error = (await run(client.fetch_balances())).failure()
        assert isinstance(error, AuthenticationError)
        assert error.code == "-2015"
        assert "not-the-key" not in str(error)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_server_clock_offset_and_timestamp_resync(fake: FakeBinance, base_url: str) -> None:
    fake.clock_offset_ms = 30_000  # our clock is 30 s behind the venue's
    client = make(base_url)
    try:
        assert (await run(client.fetch_balances())).unwrap()
        fake.clock_offset_ms = 60_000  # the venue clock jumps: -1021, resync, re-sign
        assert (await run(client.fetch_balances())).unwrap()
        assert fake.paths().count("/fapi/v1/time") == 2
        assert fake.paths().count("/fapi/v2/balance") == 3
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_without_credentials_trading_is_not_configured(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url, secret=None)
    try:
        for result in (
            await run(client.fetch_positions()),
            await run(client.fetch_balances()),
            await run(client.place_order(order("afp0003", Side.BUY, "0.010", "65010.0"))),
            await run(client.cancel_order(BTC, "afp0003")),
            await run(client.fetch_order(BTC, "afp0003")),
            await run(
                client.fetch_funding_payments(
                    datetime(2024, 1, 1, tzinfo=timezone.utc),
                    datetime(2024, 2, 1, tzinfo=timezone.utc),
                )
            ),
        ):
            assert isinstance(result.failure(), NotConfigured)
        assert not [p for p in fake.paths() if p != "/fapi/v1/fundingInfo"]
        assert (await run(client.fetch_order_book(BTC))).unwrap().best_ask == Decimal("65000.10")
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_invalid_orders_are_refused_before_sending(fake: FakeBinance, base_url: str) -> None:
    client = make(base_url)
    try:
        off_lot = await run(client.place_order(order("afp0004", Side.BUY, "0.0105", "65010.0")))
        assert isinstance(off_lot.failure(), InvalidRequest)
        off_tick = await run(client.place_order(order("afp0005", Side.BUY, "0.010", "65010.05")))
        assert isinstance(off_tick.failure(), InvalidRequest)
        tiny = await run(client.place_order(order("afp0006", Side.BUY, "0.001", "65010.0")))
        assert "notional" in tiny.failure().message
        unknown = await run(
            client.place_order(
                OrderRequest(
                    VENUE, Symbol("NOPE"), Side.BUY, Decimal(1), "afp0007", OrderType.MARKET
                )
            )
        )
        assert isinstance(unknown.failure(), UnknownSymbol)
        assert not [m for m, _, _ in fake.requests if m == "POST"]
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_market_order_and_reduce_only_wire_format(fake: FakeBinance, base_url: str) -> None:
    client = make(base_url)
    try:
        request = OrderRequest(
            VENUE, BTC, Side.SELL, Decimal("0.005"), "afp0008", OrderType.MARKET, reduce_only=True
        )
        placed = (await run(client.place_order(request))).unwrap()
        assert placed.status is OrderStatus.FILLED and placed.reduce_only
        sent = next(q for m, _, q in fake.requests if m == "POST")
        assert "type=MARKET" in sent and "reduceOnly=true" in sent
        assert "price=" not in sent and "timeInForce" not in sent
        assert (await run(client.fetch_positions())).unwrap()[0].size == Decimal("-0.005")
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_order_timeout_over_a_socket_is_ambiguous_and_reconciles(
    fake: FakeBinance, base_url: str
) -> None:
    """The venue fills the order but answers after our timeout: Ambiguous, and the
    lookup by client id then finds the fill (the reconciliation the caller must do)."""
    client = make(base_url)
    quick = make(base_url, timeout_seconds=0.3)
    try:
        (await run(quick.fetch_markets())).unwrap()
        fake.delay_next[("POST", "/fapi/v1/order")] = 1.0
        placed = await run(quick.place_order(order("afp0010", Side.BUY, "0.010", "65010.0")))
        assert isinstance(placed.failure(), Ambiguous)
        assert sum(1 for m, _, _ in fake.requests if m == "POST") == 1
        found = (await run(client.fetch_order(BTC, "afp0010"))).unwrap()
        assert found.status is OrderStatus.FILLED
        fake.fail_next[("POST", "/fapi/v1/order")] = (503, b"Service Unavailable", {})
        unavailable = await run(client.place_order(order("afp0011", Side.BUY, "0.010", "65010.0")))
        assert isinstance(unavailable.failure(), Ambiguous)
    finally:
        await client.aclose()
        await quick.aclose()


@pytest.mark.anyio
async def test_concurrent_calls_on_a_cold_client_share_one_refresh(
    fake: FakeBinance, base_url: str
) -> None:
    client = make(base_url)
    try:
        async with anyio.create_task_group() as group:
            for symbol in (BTC, ETH, PEPE, SOL, BTC, ETH):
                group.start_soon(run, client.fetch_order_book(symbol, 5))
            for _ in range(3):
                group.start_soon(run, client.fetch_funding_rates())
                group.start_soon(run, client.fetch_balances())
        paths = fake.paths()
        assert paths.count("/fapi/v1/exchangeInfo") == 1
        assert paths.count("/fapi/v1/fundingInfo") == 1
        assert paths.count("/fapi/v1/time") == 1
        assert paths.count("/fapi/v1/depth") == 6
        assert paths.count("/fapi/v1/premiumIndex") == 3
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_margin_reads_account_totals_and_the_position_risk_liquidation_price(
    fake: FakeBinance, base_url: str
) -> None:
    fake.positions["BTCUSDT"] = Decimal("-0.010")
    client = make(base_url)
    try:
        margin = (await run(client.fetch_margin())).unwrap()
        assert (margin.asset, margin.equity) == ("USDT", Decimal("1000.00000000"))
        assert margin.maintenance_margin == Decimal("2.6000040")  # 0.4 % of 650.001
        (leg,) = margin.legs
        assert leg.source is not None and leg.source.value == "venue"
        assert leg.liquidation_price == Decimal("78000.5")
        assert leg.maintenance_margin == Decimal("2.6000040")
        assert fake.paths().count("/fapi/v2/account") == 1
    finally:
        await client.aclose()
