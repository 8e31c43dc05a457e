"""The GRVT client over a replaying ``httpx.MockTransport``: the requests it sends, the
failure rule of ``fetch_funding_rates``, paging, error classes, and what it refuses."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from returns.result import Failure

from adapters._http import loads
from adapters.grvt.client import GrvtClient, classify, venue_client_id
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    NetworkError,
    NotConfigured,
    RateLimited,
    UnknownSymbol,
    VenueRejected,
)
from atomic_fp.models import OrderRequest, OrderType, Side, Symbol, TimeInForce
from atomic_fp.venue import Capability
from tests.adapters.grvt._data import VENUE, dumps, instrument_row, real_response, run

Handler = Callable[[httpx.Request], httpx.Response]
CREDENTIALS = {"api_key": "k-SECRET", "sub_account_id": "42", "private_key": "0x" + "11" * 32}


def ticker(name: str, rate: str = "0.0037") -> dict[str, Any]:
    body = real_response("fetchTicker_from_ccxt_source_comment")["result"]
    return {"result": {**body, "instrument": name, "funding_rate": rate}}


class Venue:
    """Replays GRVT answers and records every request (method, URL, JSON body)."""

    def __init__(self, instruments: list[dict[str, Any]] | None = None) -> None:
        self.instruments = instruments or [
            instrument_row(),
            instrument_row("ETH_USDT_Perp", "0x030401", "0.01", "0.01"),
            instrument_row("SOL_USDT_Perp", "0x030601", "0.001", "0.1", interval=1),
        ]
        self.requests: list[tuple[str, str, Any]] = []
        self.failing_tickers: set[str] = set()
        self.routes: dict[str, Handler] = {}

    def paths(self) -> list[str]:
        return [url.split("//", 1)[1] for _, url, _ in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: Any = loads(request.content) if request.content else None
        self.requests.append((request.method, str(request.url), body))
        path = request.url.path
        if path in self.routes:
            return self.routes[path](request)
        if path == "/full/v1/all_instruments":
            return httpx.Response(200, content=dumps({"result": self.instruments}))
        if path == "/full/v1/ticker":
            name = body["instrument"]
            if name in self.failing_tickers:
                error = {"code": 1003, "message": "malformed", "status": 400}
                return httpx.Response(400, content=dumps(error))
            return httpx.Response(200, content=dumps(ticker(name)))
        return httpx.Response(404, content=dumps({"code": 1004, "message": "Data Not Found"}))


def make(venue: Handler, credentials: dict[str, str] | None = None, **options: str) -> GrvtClient:
    return GrvtClient(
        VenueSettings(
            id=VENUE,
            kind="grvt",
            credentials=credentials or {},
            options=options,
            transport=httpx.MockTransport(venue),
        )
    )


# --- markets and funding ------------------------------------------------------------


@pytest.mark.anyio
async def test_markets_are_one_cached_all_instruments_call() -> None:
    venue = Venue()
    client = make(venue)
    markets = (await run(client.fetch_markets())).unwrap()
    assert [m.venue_symbol for m in markets] == ["BTC_USDT_Perp", "ETH_USDT_Perp", "SOL_USDT_Perp"]
    assert markets[2].funding_interval == timedelta(hours=1)
    assert markets[2].lot_size == Decimal("0.1") and markets[2].tick_size == Decimal("0.001")
    (await run(client.fetch_markets())).unwrap()
    (await run(client.fetch_funding_rates())).unwrap()
    assert venue.requests[0] == (
        "POST",
        "https://market-data.grvt.io/full/v1/all_instruments",
        {"is_active": True},
    )
    assert venue.paths().count("market-data.grvt.io/full/v1/all_instruments") == 1
    await client.aclose()


@pytest.mark.anyio
async def test_funding_rates_are_one_ticker_per_perp_in_fraction_per_interval() -> None:
    venue = Venue()
    client = make(venue)
    rates = (await run(client.fetch_funding_rates())).unwrap()
    assert [(r.symbol, r.rate, r.interval) for r in rates] == [
        (Symbol("BTC"), Decimal("0.000037"), timedelta(hours=8)),
        (Symbol("ETH"), Decimal("0.000037"), timedelta(hours=8)),
        (Symbol("SOL"), Decimal("0.000037"), timedelta(hours=1)),
    ]
    tickers = sorted(body["instrument"] for _, url, body in venue.requests if "ticker" in url)
    assert tickers == ["BTC_USDT_Perp", "ETH_USDT_Perp", "SOL_USDT_Perp"]
    assert all(
        url == "https://market-data.grvt.io/full/v1/ticker" and set(body) == {"instrument"}
        for _, url, body in venue.requests[1:]
    )
    assert client.last_funding_failures == {}
    await client.aclose()


@pytest.mark.anyio
async def test_all_perps_skip_a_failed_ticker_but_name_it(caplog: pytest.LogCaptureFixture) -> None:
    venue = Venue()
    venue.failing_tickers = {"ETH_USDT_Perp"}
    client = make(venue)
    with caplog.at_level(logging.WARNING, logger="adapters.grvt"):
        rates = (await run(client.fetch_funding_rates())).unwrap()
    assert [r.symbol for r in rates] == [Symbol("BTC"), Symbol("SOL")]
    assert set(client.last_funding_failures) == {"ETH_USDT_Perp"}
    assert isinstance(client.last_funding_failures["ETH_USDT_Perp"], VenueRejected)
    assert "ETH_USDT_Perp" in caplog.text
    await client.aclose()


@pytest.mark.anyio
async def test_requested_symbols_are_all_or_nothing() -> None:
    venue = Venue()
    venue.failing_tickers = {"ETH_USDT_Perp"}
    client = make(venue)
    outcome = await run(client.fetch_funding_rates([Symbol("BTC"), Symbol("ETH")]))
    assert isinstance(outcome, Failure)
    error = outcome.failure()
    assert isinstance(error, VenueRejected)
    assert "ETH_USDT_Perp" in error.message and "1 of 2" in error.message
    good = (await run(client.fetch_funding_rates([Symbol("BTC"), Symbol("BTC")]))).unwrap()
    assert [r.symbol for r in good] == [Symbol("BTC")]
    await client.aclose()


@pytest.mark.anyio
async def test_every_ticker_failing_is_a_failure_even_for_all() -> None:
    venue = Venue()
    venue.failing_tickers = {"BTC_USDT_Perp", "ETH_USDT_Perp", "SOL_USDT_Perp"}
    client = make(venue)
    outcome = await run(client.fetch_funding_rates())
    assert isinstance(outcome, Failure)
    assert "3 of 3" in outcome.failure().message
    await client.aclose()


@pytest.mark.anyio
async def test_an_unlisted_symbol_is_unknown_and_sends_no_ticker() -> None:
    venue = Venue()
    client = make(venue)
    outcome = await run(client.fetch_funding_rates([Symbol("BTC"), Symbol("NOPE")]))
    assert isinstance(outcome, Failure) and isinstance(outcome.failure(), UnknownSymbol)
    assert "NOPE" in outcome.failure().message
    assert not any("ticker" in url for _, url, _ in venue.requests)
    await client.aclose()


@pytest.mark.anyio
async def test_ticker_concurrency_is_bounded() -> None:
    rows = [instrument_row(f"C{i}_USDT_Perp", f"0x{i + 1:06x}") for i in range(20)]
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        body = loads(request.content)
        if request.url.path == "/full/v1/all_instruments":
            return httpx.Response(200, content=dumps({"result": rows}))
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, content=dumps(ticker(body["instrument"])))

    client = GrvtClient(
        VenueSettings(
            id=VENUE,
            kind="grvt",
            options={"ticker_concurrency": "3"},
            transport=httpx.MockTransport(handler),
        )
    )
    rates = (await run(client.fetch_funding_rates())).unwrap()
    assert len(rates) == 20
    assert 1 < peak <= 3
    await client.aclose()


@pytest.mark.anyio
async def test_funding_history_follows_the_cursor_and_returns_oldest_first() -> None:
    venue = Venue()
    hours = [datetime(2026, 2, 10, h, tzinfo=UTC) for h in (0, 8, 16)]

    def row(moment: datetime, rate: str) -> dict[str, Any]:
        ns = int(moment.timestamp()) * 10**9
        return {
            "instrument": "BTC_USDT_Perp",
            "funding_rate": rate,
            "funding_time": str(ns),
            "mark_price": "69000.1",
            "funding_interval_hours": 8,
        }

    pages = {
        None: {"result": [row(hours[2], "-0.008"), row(hours[1], "-0.002")], "next": "c1"},
        "c1": {"result": [row(hours[0], "0.01")], "next": ""},
    }

    def funding(request: httpx.Request) -> httpx.Response:
        body = loads(request.content)
        return httpx.Response(200, content=dumps(pages[body.get("cursor")]))

    venue.routes["/full/v1/funding"] = funding
    client = make(venue)
    start, end = hours[0], hours[2]  # end is exclusive: the 16:00 row is left out
    history = (await run(client.fetch_funding_history(Symbol("BTC"), start, end))).unwrap()
    assert [(r.funding_time, r.rate) for r in history] == [
        (hours[0], Decimal("0.0001")),
        (hours[1], Decimal("-0.00002")),
    ]
    calls = [body for _, url, body in venue.requests if url.endswith("/funding")]
    assert calls[0] == {
        "instrument": "BTC_USDT_Perp",
        "start_time": "1770681600000000000",
        "end_time": "1770739200000000000",
        "limit": 1000,
        "agg_type": "FUNDING_INTERVAL",
    }
    assert calls[1]["cursor"] == "c1"
    await client.aclose()


@pytest.mark.anyio
async def test_book_depth_is_rounded_up_to_a_grvt_depth_then_cut() -> None:
    venue = Venue()
    book = real_response("fetchOrderBook")
    venue.routes["/full/v1/book"] = lambda request: httpx.Response(200, content=dumps(book))
    client = make(venue)
    cut = (await run(client.fetch_order_book(Symbol("BTC"), 3))).unwrap()
    assert len(cut.bids) == 3 and len(cut.asks) == 3
    assert venue.requests[-1][2] == {"instrument": "BTC_USDT_Perp", "depth": 10}
    (await run(client.fetch_order_book(Symbol("BTC"), 20))).unwrap()
    assert venue.requests[-1][2]["depth"] == 50
    await client.aclose()


# --- configuration ------------------------------------------------------------------


@pytest.mark.anyio
async def test_without_credentials_trading_is_not_configured_and_data_works() -> None:
    venue = Venue()
    client = make(venue)
    assert client.capabilities == frozenset(
        {
            Capability.MARKETS,
            Capability.FUNDING_RATES,
            Capability.ORDER_BOOK,
            Capability.FUNDING_HISTORY,
        }
    )
    for call in (client.fetch_positions(), client.fetch_balances(), client.fetch_margin()):
        outcome = await run(call)
        assert isinstance(outcome, Failure) and isinstance(outcome.failure(), NotConfigured)
    request = OrderRequest(
        exchange=VENUE,
        symbol=Symbol("BTC"),
        side=Side.BUY,
        size=Decimal("0.001"),
        client_order_id="afp1",
        limit_price=Decimal("70000"),
    )
    refused = await run(client.place_order(request))
    assert isinstance(refused, Failure) and isinstance(refused.failure(), NotConfigured)
    assert (await run(client.fetch_markets())).unwrap()
    assert all("market-data" in url for _, url, _ in venue.requests)
    await client.aclose()


def test_hosts_are_separately_configurable_and_testnet_switches_defaults() -> None:
    venue = Venue()
    custom = GrvtClient(
        VenueSettings(
            id=VENUE,
            kind="grvt",
            base_url="http://md.local/",
            trading_url="http://tr.local",
            auth_url="http://au.local",
            transport=httpx.MockTransport(venue),
        )
    )
    assert custom.hosts == ("http://md.local", "http://tr.local", "http://au.local")
    testnet = make(venue, network="testnet")
    assert testnet.hosts == (
        "https://market-data.testnet.grvt.io",
        "https://trades.testnet.grvt.io",
        "https://edge.testnet.grvt.io",
    )
    assert testnet._chain_id == 326
    with pytest.raises(ValueError, match="network"):
        make(venue, network="moon")


@pytest.mark.anyio
async def test_the_transport_serves_all_three_hosts() -> None:
    venue = Venue()

    def login(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=dumps({"status": "success"}),
            headers={
                "Set-Cookie": "gravity=tok; Path=/; Expires=Wed, 21 Oct 2099 07:28:00 GMT",
                "X-Grvt-Account-Id": "acc",
            },
        )

    def summary(request: httpx.Request) -> httpx.Response:
        assert request.headers["cookie"] == "gravity=tok"
        assert request.headers["x-grvt-account-id"] == "acc"
        return httpx.Response(200, content=dumps(real_response("fetchBalance")))

    venue.routes["/auth/api_key/login"] = login
    venue.routes["/full/v1/account_summary"] = summary
    client = make(venue, CREDENTIALS)
    (balance,) = (await run(client.fetch_balances())).unwrap()
    assert balance.total == Decimal("16.569711")
    assert venue.paths() == [
        "edge.grvt.io/auth/api_key/login",
        "trades.grvt.io/full/v1/account_summary",
    ]
    assert venue.requests[0][2] == {"api_key": "k-SECRET"}
    assert venue.requests[1][2] == {"sub_account_id": "42"}
    assert "SECRET" not in repr(client.__dict__) and "1111" not in repr(client.__dict__)
    await client.aclose()


# --- orders -------------------------------------------------------------------------


def order(**changes: Any) -> OrderRequest:
    fields: dict[str, Any] = {
        "exchange": VENUE,
        "symbol": Symbol("BTC"),
        "side": Side.BUY,
        "size": Decimal("0.002"),
        "client_order_id": "afp0123456789abcdef0000",
        "order_type": OrderType.LIMIT,
        "limit_price": Decimal("70000.1"),
        "time_in_force": TimeInForce.IOC,
    }
    fields.update(changes)
    return OrderRequest(**fields)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"size": Decimal("0.0015")}, "multiple of 0.001"),
        ({"limit_price": Decimal("70000.15")}, "tick"),
        ({"size": Decimal("0.001"), "limit_price": Decimal("50000")}, "notional"),
        (
            {"order_type": OrderType.MARKET, "limit_price": None, "time_in_force": TimeInForce.GTC},
            "IOC",
        ),
    ],
)
async def test_invalid_orders_are_refused_before_anything_is_sent(
    changes: dict[str, Any], words: str
) -> None:
    venue = Venue()
    client = make(venue, CREDENTIALS)
    outcome = await run(client.place_order(order(**changes)))
    assert isinstance(outcome, Failure) and isinstance(outcome.failure(), InvalidRequest)
    assert words in outcome.failure().message
    assert all("market-data" in url for _, url, _ in venue.requests)
    await client.aclose()


@pytest.mark.anyio
async def test_a_create_order_timeout_is_ambiguous_and_not_retried() -> None:
    venue = Venue()
    creates = 0

    def login(request: httpx.Request) -> httpx.Response:
        headers = {"Set-Cookie": "gravity=tok; Max-Age=3600", "X-Grvt-Account-Id": "acc"}
        return httpx.Response(200, content=dumps({"status": "success"}), headers=headers)

    def create(request: httpx.Request) -> httpx.Response:
        nonlocal creates
        creates += 1
        raise httpx.ReadTimeout("slow", request=request)

    venue.routes["/auth/api_key/login"] = login
    venue.routes["/full/v1/create_order"] = create
    client = make(venue, CREDENTIALS)
    outcome = await run(client.place_order(order()))
    assert isinstance(outcome, Failure) and isinstance(outcome.failure(), Ambiguous)
    assert creates == 1
    sent = venue.requests[-1][2]["order"]
    assert sent["legs"] == [
        {
            "instrument": "BTC_USDT_Perp",
            "size": "0.002",
            "limit_price": "70000.1",
            "is_buying_asset": True,
        }
    ]
    assert sent["metadata"] == {"client_order_id": venue_client_id("afp0123456789abcdef0000")}
    assert sent["time_in_force"] == "IMMEDIATE_OR_CANCEL" and sent["is_market"] is False
    await client.aclose()


@pytest.mark.anyio
async def test_a_market_order_without_price_signs_zero() -> None:
    venue = Venue()
    captured: list[dict[str, Any]] = []

    def login(request: httpx.Request) -> httpx.Response:
        headers = {"Set-Cookie": "gravity=tok; Max-Age=3600", "X-Grvt-Account-Id": "acc"}
        return httpx.Response(200, content=dumps({"status": "success"}), headers=headers)

    def create(request: httpx.Request) -> httpx.Response:
        captured.append(loads(request.content)["order"])
        return httpx.Response(200, content=dumps(real_response("createOrder")))

    venue.routes["/auth/api_key/login"] = login
    venue.routes["/full/v1/create_order"] = create
    client = make(venue, CREDENTIALS)
    request = order(order_type=OrderType.MARKET, limit_price=None, size=Decimal("0.001"))
    placed = (await run(client.place_order(request))).unwrap()
    assert placed.client_order_id == request.client_order_id
    (sent,) = captured
    assert sent["is_market"] is True and sent["legs"][0]["limit_price"] == "0"
    expiry = int(sent["signature"]["expiration"])
    now_ns = int(datetime.now(UTC).timestamp() * 10**9)
    assert 0 < expiry - now_ns <= 300 * 10**9  # IOC orders: 5-minute signature
    assert 0 <= sent["signature"]["nonce"] < 2**32
    await client.aclose()


# --- pure helpers -------------------------------------------------------------------


def test_error_codes_are_classified() -> None:
    def kind(code: str, write: bool = False) -> type:
        return type(classify("grvt", code, "m", "POST x", write=write))

    assert kind("1006") is RateLimited
    for code in ("1000", "1001", "1008", "2000", "2001", "2002", "2005", "2006", "2007"):
        assert kind(code) is AuthenticationError
    for code in ("2011", "2012", "2062", "2064", "2065", "2066", "2080", "2090", "3021"):
        assert kind(code) is VenueRejected
    assert kind("1002") is NetworkError
    assert kind("1002", write=True) is Ambiguous
    assert kind("nonsense") is VenueRejected


def test_client_ids_map_deterministically_into_grvts_range() -> None:
    mapped = venue_client_id("afp0123456789abcdef0000")
    assert mapped == venue_client_id("afp0123456789abcdef0000")
    assert mapped != venue_client_id("afp0123456789abcdef0001")
    assert 2**63 <= int(mapped) < 2**64
    assert venue_client_id(str(2**63 + 5)) == str(2**63 + 5)
    assert int(venue_client_id("23042")) >= 2**63


@pytest.mark.anyio
async def test_the_bundled_offline_snapshot_replays_through_this_client() -> None:
    """The CLI's offline snapshot serves exactly the requests this client sends."""
    from adapters.snapshot.replay import bundled_snapshot

    recording = bundled_snapshot().venue("grvt")
    assert recording is not None
    transport = recording.transport()
    client = GrvtClient(
        VenueSettings(id=VENUE, kind="grvt", base_url=recording.base_url, transport=transport)
    )
    (market,) = (await run(client.fetch_markets())).unwrap()
    assert market.venue_symbol == "BTC_USDT_Perp"
    (rate,) = (await run(client.fetch_funding_rates())).unwrap()
    assert (rate.rate, rate.interval) == (Decimal("0.000037"), timedelta(hours=8))
    assert rate.next_funding_time == datetime(2025, 12, 3, 16, tzinfo=UTC)
    assert transport.requests == [("POST", "/full/v1/all_instruments"), ("POST", "/full/v1/ticker")]
    assert transport.unmatched == []
    await client.aclose()


def test_importing_the_client_does_not_import_eth_account() -> None:
    code = (
        "import sys; import adapters.grvt.client, adapters.registry; "
        "assert 'eth_account' not in sys.modules, 'eth_account imported eagerly'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.anyio
async def test_without_eth_account_orders_say_which_extra_and_data_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "eth_account", None)
    venue = Venue()
    client = make(venue, CREDENTIALS)
    outcome = await run(client.place_order(order()))
    assert isinstance(outcome, Failure) and isinstance(outcome.failure(), NotConfigured)
    assert "grvt" in outcome.failure().message and "eth-account" in outcome.failure().message
    assert all("market-data" in url for _, url, _ in venue.requests)
    assert (await run(client.fetch_funding_rates([Symbol("BTC")]))).unwrap()
    await client.aclose()
