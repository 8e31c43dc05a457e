"""Client behaviour over replayed HTTP (``httpx.MockTransport``; nothing touches a network):
exact request bodies, paging, clock, retries, ambiguity, configuration and secrets."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from adapters._http import RetryPolicy
from adapters.hyperliquid.client import MAINNET_URL, TESTNET_URL, HyperliquidClient
from adapters.registry import VenueSettings, build_client
from atomic_fp.models import OrderRequest, OrderType, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import VenueClient
from tests.adapters.hyperliquid._data import fixture, run
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER, FakeHyperliquid

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 3, 1, 9, 15, 30, tzinfo=timezone.utc)
BTC = Symbol("BTC")
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)

Handler = Callable[[httpx.Request], httpx.Response]


def _settings(
    handler: Handler, credentials: dict[str, str] | None = None, **kw: Any
) -> VenueSettings:
    return VenueSettings(
        id=HL,
        kind="hyperliquid",
        credentials=credentials if credentials is not None else {},
        transport=httpx.MockTransport(handler),
        **kw,
    )


def _client(
    handler: Handler, credentials: dict[str, str] | None = None, **kw: Any
) -> HyperliquidClient:
    return HyperliquidClient(_settings(handler, credentials, **kw), clock=lambda: NOW, retry=FAST)


TRADER = {"account_address": MASTER, "agent_private_key": AGENT_KEY}


def _order(**kw: Any) -> OrderRequest:
    values: dict[str, Any] = {
        "exchange": HL, "symbol": BTC, "side": Side.BUY, "size": Decimal("0.1"),
        "client_order_id": "afp-1", "order_type": OrderType.MARKET,
        "limit_price": Decimal("100500"),
    }  # fmt: skip
    values.update(kw)
    return OrderRequest(**values)


def _recording(fake: FakeHyperliquid) -> tuple[Handler, list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), json.loads(request.content)))
        return fake.mock_handler(request)

    return handler, seen


@pytest.mark.anyio
async def test_market_data_request_bodies_and_clock() -> None:
    handler, seen = _recording(FakeHyperliquid())
    client = _client(handler)
    assert isinstance(client, VenueClient)
    markets = (await run(client.fetch_markets())).unwrap()
    rates = (await run(client.fetch_funding_rates())).unwrap()
    assert seen == [
        (f"{MAINNET_URL}/info", {"type": "metaAndAssetCtxs"}),
        (f"{MAINNET_URL}/info", {"type": "metaAndAssetCtxs"}),
    ]
    assert len(markets) == 3 and len(rates) == 3  # OLD is delisted
    assert {r.observed_at for r in rates} == {NOW}
    assert {r.next_funding_time for r in rates} == {datetime(2026, 3, 1, 10, tzinfo=timezone.utc)}
    pepe = next(m for m in markets if m.venue_symbol == "kPEPE")
    assert (pepe.symbol, pepe.contract_multiplier, pepe.tick_size) == (
        Symbol("PEPE"), Decimal(1000), Decimal("0.000001"),
    )  # fmt: skip
    only = (await run(client.fetch_funding_rates([Symbol("ETH")]))).unwrap()
    assert [r.symbol for r in only] == [Symbol("ETH")]
    await client.aclose()


@pytest.mark.anyio
async def test_settings_clock_is_used_when_no_clock_is_given() -> None:
    fake = FakeHyperliquid()
    settings = VenueSettings(
        id=HL, kind="hyperliquid", transport=httpx.MockTransport(fake.mock_handler),
        clock=lambda: NOW,
    )  # fmt: skip
    client = HyperliquidClient(settings)
    (rate, *_) = (await run(client.fetch_funding_rates())).unwrap()
    assert rate.observed_at == NOW
    await client.aclose()


@pytest.mark.anyio
async def test_order_book_and_unknown_or_delisted_symbols() -> None:
    handler, seen = _recording(FakeHyperliquid())
    client = _client(handler, base_url="http://local.test/")
    book = (await run(client.fetch_order_book(BTC, 1))).unwrap()
    assert (len(book.bids), len(book.asks)) == (1, 1)
    assert seen[-1] == ("http://local.test/info", {"type": "l2Book", "coin": "BTC"})
    assert (await run(client.fetch_order_book(Symbol("OLD")))).failure().kind == "UnknownSymbol"
    assert (await run(client.fetch_order_book(Symbol("NOPE")))).failure().kind == "UnknownSymbol"
    assert (await run(client.fetch_order_book(BTC, 0))).failure().kind == "InvalidRequest"
    # The asset directory is cached: one metaAndAssetCtxs for the first lookup and one
    # more for the symbol it does not hold (in case it was listed since); OLD is known
    # (delisted) and needs no reload.
    assert [body["type"] for _, body in seen].count("metaAndAssetCtxs") == 2
    await client.aclose()


@pytest.mark.anyio
async def test_funding_history_pages_by_last_time_plus_one() -> None:
    fake = FakeHyperliquid()  # 1,200 hourly rows, at most 500 per answer
    handler, seen = _recording(fake)
    client = _client(handler)
    start = datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)
    end = start + timedelta(hours=1200)
    rates = (await run(client.fetch_funding_history(BTC, start, end))).unwrap()
    assert len(rates) == 1200
    assert rates[0].funding_time == start and rates[-1].funding_time == end - timedelta(hours=1)
    pages = [body for _, body in seen if body["type"] == "fundingHistory"]
    assert [p["startTime"] for p in pages] == [
        1_700_000_000_000,
        1_700_000_000_000 + 499 * 3_600_000 + 1,
        1_700_000_000_000 + 999 * 3_600_000 + 1,
    ]
    assert all(
        p["coin"] == "BTC" and p["endTime"] == 1_700_000_000_000 + 1200 * 3_600_000 for p in pages
    )
    # A window inside the data: start <= time < end.
    inner = (
        await run(
            client.fetch_funding_history(
                BTC, start + timedelta(hours=10), start + timedelta(hours=20)
            )
        )
    ).unwrap()
    assert len(inner) == 10
    await client.aclose()


@pytest.mark.anyio
async def test_funding_history_replays_the_2023_recording() -> None:
    body = fixture("sdk_funding_history_btc_2023.json")
    meta = fixture("sdk_meta_2023.json")

    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        if sent["type"] == "metaAndAssetCtxs":
            ctx = {"funding": "0.0000125", "markPx": "1.0", "oraclePx": "1.0"}
            return httpx.Response(200, json=[meta, [ctx] * len(meta["universe"])])
        return httpx.Response(200, content=json.dumps(body, default=str))

    client = _client(handler)
    start = datetime(2023, 6, 7, tzinfo=timezone.utc)
    end = datetime(2023, 6, 9, tzinfo=timezone.utc)
    rates = (await run(client.fetch_funding_history(BTC, start, end))).unwrap()
    hours = [r.interval_hours for r in rates]
    assert hours[:4] == [8, 8, 8, 8] and set(hours[4:]) == {1}
    assert len(rates) == 4 + 23
    await client.aclose()


@pytest.mark.anyio
async def test_reads_are_retried_but_exchange_calls_never() -> None:
    fake = FakeHyperliquid()
    calls: list[str] = []
    failures = {"/info": 1, "/exchange": 1}

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        body = json.loads(request.content)
        if failures.get(request.url.path, 0) and body.get("type") != "metaAndAssetCtxs":
            failures[request.url.path] -= 1
            return httpx.Response(503, text="<html>503 Service Unavailable</html>")
        return fake.mock_handler(request)

    client = _client(handler, TRADER)
    book = await run(client.fetch_order_book(BTC))
    assert book.unwrap().best_ask == Decimal("100000")
    assert calls.count("/info") == 3  # meta, failed l2Book, retried l2Book
    placed = (await run(client.place_order(_order()))).failure()
    assert placed.kind == "Ambiguous"
    assert calls.count("/exchange") == 1
    await client.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (httpx.ReadTimeout("slow"), "Ambiguous"),
        (httpx.RemoteProtocolError("dropped"), "Ambiguous"),
        (httpx.ConnectError("refused"), "NotSent"),
        (httpx.Response(200, text="<html>oops</html>"), "Ambiguous"),
        (httpx.Response(200, json={"status": "ok", "response": {"type": "order"}}), "Ambiguous"),
        (httpx.Response(502, json={"code": 502, "msg": "bad gateway"}), "Ambiguous"),
        (httpx.Response(429, headers={"Retry-After": "9"}, text="slow down"), "RateLimited"),
        (httpx.Response(422, text="Failed to deserialize the JSON body"), "VenueRejected"),
        (httpx.Response(200, json={"status": "err", "response": "No margin"}), "VenueRejected"),
    ],
)  # fmt: skip
async def test_exchange_failures_are_classified(failure: Any, kind: str) -> None:
    fake = FakeHyperliquid()
    exchange_calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/exchange":
            exchange_calls.append(1)
            if isinstance(failure, Exception):
                raise failure
            return failure  # type: ignore[no-any-return]
        return fake.mock_handler(request)

    client = _client(handler, TRADER)
    error = (await run(client.place_order(_order()))).failure()
    assert error.kind == kind
    assert len(exchange_calls) == 1
    assert AGENT_KEY[2:] not in error.describe()
    await client.aclose()


@pytest.mark.anyio
async def test_info_html_and_junk_are_typed_errors() -> None:
    client = _client(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    assert (await run(client.fetch_markets())).failure().kind == "MalformedResponse"
    client = _client(lambda request: httpx.Response(200, json={"unexpected": True}))
    assert (await run(client.fetch_funding_rates())).failure().kind == "MalformedResponse"
    client = _client(lambda request: httpx.Response(200, content=b'[{"universe": NaN}, []]'))
    assert (await run(client.fetch_markets())).failure().kind == "MalformedResponse"


@pytest.mark.anyio
async def test_without_credentials_trading_is_not_configured_and_data_works() -> None:
    fake = FakeHyperliquid()
    client = _client(fake.mock_handler)
    assert (await run(client.fetch_markets())).unwrap()
    for call in (
        client.place_order(_order()),
        client.cancel_order(BTC, "afp-1"),
        client.fetch_order(BTC, "afp-1"),
        client.fetch_positions(),
        client.fetch_balances(),
        client.fetch_funding_payments(NOW - timedelta(days=1), NOW),
    ):
        assert (await run(call)).failure().kind == "NotConfigured"
    watch_only = _client(fake.mock_handler, {"account_address": MASTER})
    assert (await run(watch_only.fetch_balances())).unwrap()
    assert (await run(watch_only.place_order(_order()))).failure().kind == "NotConfigured"
    bad = _client(fake.mock_handler, {"account_address": "alice", "agent_private_key": AGENT_KEY})
    assert (await run(bad.fetch_positions())).failure().kind == "NotConfigured"
    assert not any(path == "/exchange" for path, _ in fake.requests)


@pytest.mark.anyio
async def test_missing_signing_extra_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "msgpack", None)  # import msgpack -> ImportError
    fake = FakeHyperliquid()
    client = _client(fake.mock_handler, TRADER)
    assert (await run(client.fetch_markets())).unwrap()  # market data unaffected
    error = (await run(client.place_order(_order()))).failure()
    assert error.kind == "NotConfigured" and "atomic-fp[hyperliquid]" in error.message


@pytest.mark.anyio
async def test_requests_the_venue_cannot_take_are_refused_locally() -> None:
    fake = FakeHyperliquid()
    client = _client(fake.mock_handler, TRADER)
    cases = [
        _order(size=Decimal("0.123456")),  # BTC lot is 0.00001
        _order(order_type=OrderType.LIMIT, time_in_force=TimeInForce.FOK),
        _order(limit_price=None),
        _order(exchange=ExchangeIdentifier("other")),
        _order(symbol=Symbol("ETH"), limit_price=Decimal("0.0000001")),  # below the tick
    ]
    for request in cases:
        error = (await run(client.place_order(request))).failure()
        assert error.kind == "InvalidRequest", request
    assert "0.12345" in (await run(client.place_order(cases[0]))).failure().message
    assert (
        await run(client.place_order(_order(symbol=Symbol("OLD"))))
    ).failure().kind == "UnknownSymbol"
    assert not any(path == "/exchange" for path, _ in fake.requests)


@pytest.mark.anyio
async def test_sell_caps_round_up_and_buy_caps_round_down() -> None:
    fake = FakeHyperliquid()
    client = _client(fake.mock_handler, TRADER)
    sell = _order(side=Side.SELL, limit_price=Decimal("3000.123"), symbol=Symbol("ETH"),
                  size=Decimal("0.5"), client_order_id="afp-s")  # fmt: skip
    buy = _order(limit_price=Decimal("3000.789"), symbol=Symbol("ETH"), size=Decimal("0.5"),
                 client_order_id="afp-b")  # fmt: skip
    (await run(client.place_order(sell))).unwrap()
    (await run(client.place_order(buy))).unwrap()
    wires = [body["action"]["orders"][0] for path, body in fake.requests if path == "/exchange"]
    assert [(w["p"], w["s"], w["b"]) for w in wires] == [
        ("3000.2", "0.5", False),
        ("3000.7", "0.5", True),
    ]


def test_network_defaults_and_registry() -> None:
    fake = FakeHyperliquid()
    assert _client(fake.mock_handler).mainnet
    assert not _client(fake.mock_handler, base_url=TESTNET_URL).mainnet
    assert not _client(fake.mock_handler, options={"network": "testnet"}).mainnet
    with pytest.raises(ValueError, match="network"):
        _client(fake.mock_handler, options={"network": "devnet"})
    built = build_client(_settings(fake.mock_handler, TRADER))
    assert isinstance(built.unwrap(), HyperliquidClient)
    assert (
        "network" in build_client(_settings(fake.mock_handler, options={"network": "x"})).failure()
    )


def test_secrets_stay_out_of_reprs() -> None:
    client = _client(FakeHyperliquid().mock_handler, TRADER)
    signer = client._agent().unwrap()
    assert AGENT_KEY[2:] not in repr(signer)
    assert AGENT_KEY[2:] not in repr(client._settings)


@pytest.mark.anyio
async def test_bundled_offline_snapshot_replays() -> None:
    replay = pytest.importorskip("adapters.snapshot.replay")
    snapshot = replay.bundled_snapshot()
    recording = snapshot.venue("hyperliquid")
    if recording is None:
        pytest.skip("the bundled snapshot has no hyperliquid recording")
    settings = VenueSettings(
        id=HL, kind="hyperliquid", transport=recording.transport(), clock=lambda: snapshot.as_of
    )
    client = HyperliquidClient(settings)
    rates = (await run(client.fetch_funding_rates())).unwrap()
    markets = (await run(client.fetch_markets())).unwrap()
    assert rates and len(rates) == len(markets)
    assert {r.observed_at for r in rates} == {snapshot.as_of}
    await client.aclose()


_ANY_BODY: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just({})), max_size=3),
    st.dictionaries(
        st.sampled_from(["status", "response", "universe", "levels", "time", "type", "order"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=4), st.just([]), st.just({})),
        max_size=3,
    ),
)


@settings(max_examples=150, deadline=None)
@given(body=_ANY_BODY, status=st.sampled_from([200, 200, 200, 400, 404, 500, 503]))
def test_no_exception_escapes_a_client_call(body: Any, status: int) -> None:
    """Whatever the venue answers, every method returns a Result; nothing raises."""
    fake = FakeHyperliquid()

    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        if sent.get("type") == "metaAndAssetCtxs" and status == 200 and body is None:
            return fake.mock_handler(request)  # sometimes let lookups succeed
        return httpx.Response(status, json=body)

    async def exercise() -> None:
        client = _client(handler, TRADER)
        calls = [
            client.fetch_markets(),
            client.fetch_funding_rates(),
            client.fetch_predicted_funding_rates(),
            client.fetch_order_book(BTC),
            client.fetch_positions(),
            client.fetch_balances(),
            client.place_order(_order()),
            client.cancel_order(BTC, "afp-1"),
            client.fetch_order(BTC, "afp-1"),
            client.fetch_funding_history(BTC, NOW - timedelta(hours=3), NOW),
            client.fetch_funding_payments(NOW - timedelta(hours=3), NOW),
        ]
        for call in calls:
            result = await run(call)
            assert isinstance(result, Success | Failure)
        await client.aclose()

    anyio.run(exercise)


@pytest.mark.anyio
async def test_clients_sharing_an_agent_share_its_nonces() -> None:
    fake = FakeHyperliquid()
    first = _client(fake.mock_handler, TRADER)
    second = _client(fake.mock_handler, TRADER)
    for index in range(6):
        client = first if index % 2 == 0 else second
        request = _order(client_order_id=f"afp-n{index}", limit_price=Decimal("90000"))
        (await run(client.place_order(request))).unwrap()  # rejected IOC, but accepted nonce
    nonces = [body["nonce"] for path, body in fake.requests if path == "/exchange"]
    assert len(nonces) == 6 and nonces == sorted(set(nonces))
    assert first._nonces is second._nonces


@pytest.mark.anyio
async def test_the_internet_is_out_of_reach_in_these_tests() -> None:
    """The autouse guard (conftest.py) refuses non-loopback hosts: a client left on the
    mainnet URL without a transport cannot connect, and says so as a typed error."""
    client = HyperliquidClient(VenueSettings(id=HL, kind="hyperliquid"), retry=FAST)
    error = (await run(client.fetch_markets())).failure()
    assert error.kind == "NotSent"
    await client.aclose()
