"""A local 127.0.0.1 Lighter (REST + websocket) runs the client end to end."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import anyio
import attrs
import httpx
import pytest
from returns.result import Failure, Success

from adapters.lighter.client import LighterClient, client_order_index, create
from adapters.lighter.signer import CreateOrderTx, SignedTx, load_sdk_signer
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import NotConfigured, NotSent, OrderNotFound, RateLimited, UnknownSymbol
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
from tests.adapters.lighter._data import ccxt_plain, res
from tests.adapters.lighter.fake_venue import (
    ACCOUNT_INDEX,
    API_KEY_INDEX,
    LocalLighter,
    local_lighter,
    market_stats,
)

LIGHTER = ExchangeIdentifier("lighter")
ETH, BTC, PEPE = Symbol("ETH"), Symbol("BTC"), Symbol("PEPE")


class FakeSdkSigner:
    """Stands in for lighter-sdk's native signer: the same tx_info JSON shape (field
    names as the SDK's signer emits them), a placeholder signature."""

    def __init__(self) -> None:
        self.tokens: list[int] = []

    def sign_create_order(self, order: CreateOrderTx, nonce: int) -> SignedTx:
        info = {
            "AccountIndex": ACCOUNT_INDEX,
            "ApiKeyIndex": API_KEY_INDEX,
            "MarketIndex": order.market_index,
            "ClientOrderIndex": order.client_order_index,
            "BaseAmount": order.base_amount,
            "Price": order.price,
            "IsAsk": int(order.is_ask),
            "Type": order.order_type,
            "TimeInForce": order.time_in_force,
            "ReduceOnly": int(order.reduce_only),
            "TriggerPrice": order.trigger_price,
            "OrderExpiry": order.order_expiry,
            "ExpiredAt": 0,
            "Nonce": nonce,
            "Sig": "test-signature",
        }
        return SignedTx(tx_type=14, tx_info=json.dumps(info), tx_hash=None)

    def sign_cancel_order(self, market_index: int, order_index: int, nonce: int) -> SignedTx:
        info = {
            "AccountIndex": ACCOUNT_INDEX,
            "ApiKeyIndex": API_KEY_INDEX,
            "MarketIndex": market_index,
            "Index": order_index,
            "ExpiredAt": 0,
            "Nonce": nonce,
            "Sig": "test-signature",
        }
        return SignedTx(tx_type=15, tx_info=json.dumps(info), tx_hash=None)

    def create_auth_token(self, deadline_unix: int) -> str:
        self.tokens.append(deadline_unix)
        return f"{deadline_unix}:{ACCOUNT_INDEX}:{API_KEY_INDEX}:test"


def _settings(server: LocalLighter, **credentials: str) -> VenueSettings:
    return VenueSettings(
        id=LIGHTER,
        kind="lighter",
        base_url=server.base_url,
        ws_url=server.ws_url,
        credentials=credentials,
        options={"ws_max_age_seconds": "3600"},
    )


def _order(cid: str = "sig-1-leg-a", **changes: Any) -> OrderRequest:
    fields: dict[str, Any] = {
        "exchange": LIGHTER,
        "symbol": ETH,
        "side": Side.BUY,
        "size": Decimal("0.1"),
        "client_order_id": cid,
        "limit_price": Decimal("3430.55"),
        "time_in_force": TimeInForce.GTC,
    }
    fields.update(changes)
    return OrderRequest(**fields)


@pytest.fixture
def server() -> Iterator[LocalLighter]:
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    stats = {
        "0": market_stats(0, "3013.91", "0.0012", now_ms),
        "1": market_stats(1, "64356.3", "-0.0028", now_ms),
    }
    with local_lighter(stats) as running:
        yield running


@pytest.mark.anyio
async def test_market_data_over_rest(server: LocalLighter) -> None:
    client = create(_settings(server))
    assert isinstance(client, VenueClient)
    try:
        markets = (await res(client.fetch_markets())).unwrap()
        assert [(m.symbol, m.venue_symbol, m.contract_multiplier) for m in markets] == [
            (ETH, "0", Decimal(1)),
            (BTC, "1", Decimal(1)),
            (PEPE, "7", Decimal(1000)),
        ]  # the spot book (id 2048) is not a perp
        rates = (await res(client.fetch_funding_rates())).unwrap()
        assert [(r.symbol, r.rate, r.interval) for r in rates] == [
            # per hourly settlement: the wire's fraction-per-8h / 8 (issue 15)
            (BTC, Decimal("-0.000005"), timedelta(hours=1)),  # lighter's row, not binance's
            (ETH, Decimal("0.000012"), timedelta(hours=1)),
            (PEPE, Decimal("0.0001"), timedelta(hours=1)),
        ]
        assert rates[1].hourly == Decimal("0.000012")
        book = (await res(client.fetch_order_book(ETH, depth=1))).unwrap()
        assert [(lvl.price, lvl.size) for lvl in book.asks] == [
            (Decimal("3430.00"), Decimal("0.5000"))
        ]
        assert [lvl.price for lvl in book.bids] == [Decimal("3429.80")]
        start = datetime(2026, 2, 3, 11, tzinfo=timezone.utc)
        history = (
            await res(client.fetch_funding_history(ETH, start, start + timedelta(hours=4)))
        ).unwrap()
        assert [r.funding_time for r in history] == [start + timedelta(hours=h) for h in range(4)]
        assert {r.kind for r in history} == {FundingKind.SETTLED}
        assert {r.rate for r in history} == {Decimal("0.000012"), Decimal("-0.000003")}
        unknown = await res(client.fetch_funding_rates([Symbol("NOPE")]))
        assert isinstance(unknown.failure(), UnknownSymbol)
    finally:
        await client.aclose()
    # exactly what fetch_markets / fetch_funding_rates asked for (offline snapshot relies on it)
    requests = [(p, {k: v[0] for k, v in q.items()}) for _, p, q in server.state.requests]
    assert requests[0] == ("/api/v1/orderBookDetails", {"filter": "perp"})
    assert requests[1] == ("/api/v1/funding-rates", {})
    fundings = [q for p, q in requests if p == "/api/v1/fundings"]
    assert fundings == [
        {
            "market_id": "0",
            "resolution": "1h",
            "start_timestamp": str(int(start.timestamp())),
            "end_timestamp": str(int((start + timedelta(hours=4)).timestamp())),
            "count_back": "5",
        }
    ]


@pytest.mark.anyio
async def test_websocket_prices_and_funding_are_preferred(server: LocalLighter) -> None:
    client = create(_settings(server, account_index=str(ACCOUNT_INDEX)))
    try:
        async with anyio.create_task_group() as group:
            await group.start(client.feed.run)
            with anyio.fail_after(10):
                while len(client.feed.snapshot()) < 2:
                    await client.feed.wait_for_update()
            assert server.state.ws_subscriptions == ["market_stats/all"]
            rates = {r.symbol: r for r in (await res(client.fetch_funding_rates())).unwrap()}
            # ETH and BTC from the websocket (percent per hour -> fraction, 1 h interval)
            assert rates[ETH].rate == Decimal("0.000012")
            assert rates[ETH].interval == timedelta(hours=1)
            assert rates[ETH].mark_price == Decimal("3013.91")
            assert rates[BTC].rate == Decimal("-0.000028")
            # the websocket and REST agree for ETH: 0.0012 %/h == 9.6e-05 / 8 h
            assert rates[ETH].hourly == Decimal("0.000096") / 8
            # PEPE has no websocket value: REST fills it in
            assert rates[PEPE].interval == timedelta(hours=1)
            assert rates[PEPE].rate == Decimal("0.0008") / 8
            paths = server.state.paths()
            assert paths.count("/api/v1/funding-rates") == 1
            positions = (await res(client.fetch_positions())).unwrap()
            (eth,) = positions
            assert eth.size == Decimal("18.0193")
            assert eth.mark_price == Decimal("3013.91")  # websocket mark preferred
            assert client.feed.health.connects == 1
            assert client.feed.health.garbage_frames == 0
            group.cancel_scope.cancel()
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_account_positions_and_balances(server: LocalLighter) -> None:
    client = create(_settings(server, account_index=str(ACCOUNT_INDEX)))
    try:
        assert Capability.POSITIONS in client.capabilities
        assert Capability.PLACE_ORDER not in client.capabilities
        (position,) = (await res(client.fetch_positions())).unwrap()
        assert (position.symbol, position.size) == (ETH, Decimal("18.0193"))
        assert position.liquidation_price == Decimal("2191.1107231380406")
        (usdc,) = (await res(client.fetch_balances())).unwrap()
        assert (usdc.asset, usdc.available) == ("USDC", Decimal("12582.743947"))
        margin = (await res(client.fetch_margin())).unwrap()  # 1.2 % of 54306.566340
        assert margin.maintenance_margin == Decimal("54306.566340") * Decimal("0.012")
        (leg,) = margin.legs
        assert leg.liquidation_price == Decimal("2191.1107231380406")
    finally:
        await client.aclose()
    assert ("GET", "/api/v1/account", {"by": ["index"], "value": [str(ACCOUNT_INDEX)]}) in (
        server.state.requests
    )


@pytest.mark.anyio
async def test_signed_send_tx_round_trip_with_an_injected_signer(server: LocalLighter) -> None:
    signer = FakeSdkSigner()
    settings = _settings(server, account_index=str(ACCOUNT_INDEX), api_key_index=str(API_KEY_INDEX))
    client = create(settings, signer=signer)
    try:
        assert Capability.PLACE_ORDER in client.capabilities
        order = (await res(client.place_order(_order()))).unwrap()
        assert order.status is OrderStatus.PENDING
        sent = server.state.sent[0]
        assert sent["tx_type"] == 14
        info = sent["tx_info"]
        assert info["Nonce"] == 7  # from nextNonce
        assert info["ClientOrderIndex"] == client_order_index("sig-1-leg-a")
        assert (info["BaseAmount"], info["Price"], info["IsAsk"]) == (1000, 343055, 0)
        assert (info["TimeInForce"], info["OrderExpiry"]) == (1, -1)  # GTT, 28 days
        # a second order uses the next nonce without asking again
        (await res(client.place_order(_order("sig-1-leg-b", side=Side.SELL)))).unwrap()
        assert server.state.sent[1]["tx_info"]["Nonce"] == 8
        assert server.state.paths().count("/api/v1/nextNonce") == 1
        # the same client order id is refused as a duplicate, not placed twice
        duplicate = await res(client.place_order(_order()))
        assert duplicate.failure().code == "21728"
        # status by client id, with an auth token header
        status = (await res(client.fetch_order(ETH, "sig-1-leg-a"))).unwrap()
        assert (status.status, status.side, status.size) == (
            OrderStatus.OPEN,
            Side.BUY,
            Decimal("0.1000"),
        )
        assert server.state.auth_headers[0].endswith(":test")
        cancelled = (await res(client.cancel_order(ETH, "sig-1-leg-a"))).unwrap()
        assert cancelled.status is OrderStatus.CANCELED
        assert server.state.sent[-1]["tx_type"] == 15
        # the refused duplicate made the client ask nextNonce again rather than guess
        assert server.state.sent[-1]["tx_info"]["Nonce"] == 9
        assert server.state.paths().count("/api/v1/nextNonce") == 2
        missing = await res(client.fetch_order(ETH, "never-sent"))
        assert isinstance(missing.failure(), OrderNotFound)
        # market order: MARKET type, IOC, expiry 0, price = worst acceptable
        (
            await res(
                client.place_order(
                    _order("m-1", order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC)
                )
            )
        ).unwrap()
        info = server.state.sent[-1]["tx_info"]
        assert (info["Type"], info["TimeInForce"], info["OrderExpiry"]) == (1, 0, 0)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_invalid_nonce_answer_resyncs_and_retries_once(server: LocalLighter) -> None:
    client = create(
        _settings(server, account_index=str(ACCOUNT_INDEX), api_key_index=str(API_KEY_INDEX)),
        signer=FakeSdkSigner(),
    )
    try:
        (await res(client.place_order(_order("a")))).unwrap()
        # someone else used the key: the venue is one ahead of our local count
        server.state.next_nonce += 1
        (await res(client.place_order(_order("b")))).unwrap()
        assert [s["tx_info"]["Nonce"] for s in server.state.sent] == [7, 9]
        assert server.state.paths().count("/api/v1/nextNonce") == 2
    finally:
        await client.aclose()


def _sdk_signer_available() -> bool:
    try:
        sdk: Any = importlib.import_module("lighter.signer_client")
        sdk.get_signer()
    except Exception:
        return False
    return True


@pytest.mark.anyio
async def test_signed_send_tx_round_trip_with_the_real_sdk_signer(server: LocalLighter) -> None:
    if not _sdk_signer_available():  # imported here, not at collection: it is heavy
        pytest.skip("lighter-sdk's native signer is not available (the `lighter` extra)")
    sdk: Any = importlib.import_module("lighter.signer_client")
    private_key, _public_key, error = sdk.create_api_key()
    assert error is None
    settings = _settings(
        server,
        account_index=str(ACCOUNT_INDEX),
        api_key_index=str(API_KEY_INDEX),
        api_private_key=private_key,
    )
    built = build_client(settings)  # through the registry, as the CLI does
    client = built.unwrap()
    assert isinstance(client, LighterClient)
    assert private_key not in repr(client)
    assert Capability.PLACE_ORDER in client.capabilities
    try:
        (await res(client.place_order(_order()))).unwrap()
        info = server.state.sent[0]["tx_info"]
        assert info["AccountIndex"] == ACCOUNT_INDEX
        assert info["ApiKeyIndex"] == API_KEY_INDEX
        assert info["Nonce"] == 7
        assert (info["MarketIndex"], info["BaseAmount"], info["Price"]) == (0, 1000, 343055)
        assert info["ClientOrderIndex"] == client_order_index("sig-1-leg-a")
        assert len(info["Sig"]) > 40
        (await res(client.cancel_order(ETH, "sig-1-leg-a"))).unwrap()
        cancel = server.state.sent[1]["tx_info"]
        assert (cancel["Index"], cancel["Nonce"]) == (client_order_index("sig-1-leg-a"), 8)
        token = server.state.auth_headers[0]
        deadline, account, key, signature = token.split(":")
        assert (account, key) == (str(ACCOUNT_INDEX), str(API_KEY_INDEX))
        assert int(deadline) > datetime.now(timezone.utc).timestamp()
        assert len(signature) > 40
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_without_lighter_sdk_trading_says_so_and_market_data_works(
    server: LocalLighter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # simulate an environment without the `lighter` extra
    monkeypatch.setitem(sys.modules, "lighter", None)
    monkeypatch.setitem(sys.modules, "lighter.signer_client", None)
    settings = _settings(
        server,
        account_index=str(ACCOUNT_INDEX),
        api_key_index=str(API_KEY_INDEX),
        api_private_key="ab" * 40,
    )
    assert isinstance(
        load_sdk_signer(base_url="x", account_index=1, api_key_index=3, api_private_key="k"),
        Failure,
    )
    client = create(settings)
    try:
        assert Capability.PLACE_ORDER not in client.capabilities
        assert Capability.POSITIONS in client.capabilities
        refused = await res(client.place_order(_order()))
        error = refused.failure()
        assert isinstance(error, NotConfigured)
        assert "`lighter` extra" in error.message
        assert "ab" * 40 not in error.describe()
        for call in (client.cancel_order(ETH, "x"), client.fetch_order(ETH, "x")):
            assert isinstance((await res(call)).failure(), NotConfigured)
        assert server.state.sent == []
        assert isinstance(await res(client.fetch_markets()), Success)
        assert isinstance(await res(client.fetch_funding_rates()), Success)
        assert isinstance(await res(client.fetch_order_book(ETH)), Success)
        assert isinstance(await res(client.fetch_positions()), Success)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_trading_without_credentials_is_not_configured(server: LocalLighter) -> None:
    client = create(_settings(server))
    try:
        error = (await res(client.place_order(_order()))).failure()
        assert isinstance(error, NotConfigured)
        assert "api_private_key" in error.message
        assert isinstance((await res(client.fetch_positions())).failure(), NotConfigured)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_the_request_budget_refuses_locally_beyond_its_rate(server: LocalLighter) -> None:
    settings = attrs.evolve(
        _settings(server),
        options={"requests_per_minute": "2", "budget_max_wait_seconds": "0.1"},
    )
    client = create(settings)
    try:
        assert isinstance(await res(client.fetch_markets()), Success)
        assert isinstance(await res(client.fetch_order_book(ETH)), Success)  # markets cached
        refused = await res(client.fetch_order_book(ETH))
        assert isinstance(refused.failure(), RateLimited)
        assert refused.failure().code == "budget"
    finally:
        await client.aclose()
    assert len(server.state.requests) == 2  # the third never left the process


@pytest.mark.anyio
async def test_settings_transport_replaces_the_network_and_23000_is_rate_limited() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/api/v1/orderBookDetails":
            return httpx.Response(400, json={"code": 23000, "message": "too many requests"})
        return httpx.Response(200, json={"code": 200, "funding_rates": []})

    settings = VenueSettings(id=LIGHTER, kind="lighter", transport=httpx.MockTransport(answer))
    client = create(settings)
    try:
        error = (await res(client.fetch_markets())).failure()
        assert isinstance(error, RateLimited)
        assert error.code == "23000"
    finally:
        await client.aclose()
    assert seen[0] == "https://mainnet.zklighter.elliot.ai/api/v1/orderBookDetails?filter=perp"


@pytest.mark.anyio
async def test_an_accepted_order_not_yet_listed_is_pending_not_missing(
    server: LocalLighter,
) -> None:
    now = [datetime(2026, 2, 1, tzinfo=timezone.utc)]
    client = create(
        _settings(server, account_index=str(ACCOUNT_INDEX), api_key_index=str(API_KEY_INDEX)),
        signer=FakeSdkSigner(),
        clock=lambda: now[0],
    )
    server.state.list_orders = False  # the sequencer has not applied it yet
    try:
        (await res(client.place_order(_order("slow")))).unwrap()
        pending = (await res(client.fetch_order(ETH, "slow"))).unwrap()
        assert pending.status is OrderStatus.PENDING
        now[0] += timedelta(minutes=5)  # long after acceptance it must be listed somewhere
        assert isinstance((await res(client.fetch_order(ETH, "slow"))).failure(), OrderNotFound)
    finally:
        await client.aclose()


class BrokenOnceSigner(FakeSdkSigner):
    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    def sign_create_order(self, order: CreateOrderTx, nonce: int) -> SignedTx:
        if self.broken:
            self.broken = False
            raise RuntimeError("native signer crashed")
        return super().sign_create_order(order, nonce)


@pytest.mark.anyio
async def test_a_failing_signer_sends_nothing_and_keeps_the_nonce(server: LocalLighter) -> None:
    client = create(
        _settings(server, account_index=str(ACCOUNT_INDEX), api_key_index=str(API_KEY_INDEX)),
        signer=BrokenOnceSigner(),
    )
    try:
        error = (await res(client.place_order(_order("x")))).failure()
        assert isinstance(error, NotSent)
        assert server.state.sent == []
        (await res(client.place_order(_order("x")))).unwrap()
        assert server.state.sent[0]["tx_info"]["Nonce"] == 7  # the unused nonce, reused
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_settings_clock_stamps_rest_observations() -> None:
    """Offline replay: ``settings.clock`` is the client's now (no venue timestamp here)."""
    recorded = {
        "/api/v1/orderBookDetails": ccxt_plain("fetchMarkets"),
        "/api/v1/funding-rates": ccxt_plain("fetchFundingRates"),
    }
    as_of = datetime(2025, 12, 3, 15, 12, 10, tzinfo=timezone.utc)
    settings = VenueSettings(
        id=LIGHTER,
        kind="lighter",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=recorded[r.url.path])),
        clock=lambda: as_of,
    )
    client = create(settings)
    try:
        (rate,) = (await res(client.fetch_funding_rates())).unwrap()
    finally:
        await client.aclose()
    assert rate.observed_at == as_of
    assert rate.next_funding_time == datetime(2025, 12, 3, 16, tzinfo=timezone.utc)
