"""Failure classification: what the caller may conclude from each kind of failure.

Order endpoints that time out or answer 5xx are Ambiguous (the order may exist); 429/418
are RateLimited with Retry-After and make the client back off locally; HTML pages and
unreadable bodies are MalformedResponse; Binance's own codes keep code and message.
Replay through ``httpx.MockTransport`` serving the fake venue (no sockets at all).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from returns.result import Failure

from adapters.binance.client import BinanceClient
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    MalformedResponse,
    NetworkError,
    NotSent,
    RateLimited,
    UnknownSymbol,
    VenueRejected,
)
from atomic_fp.models import OrderRequest, OrderType, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance._util import run
from tests.adapters.binance.fake_venue import FakeBinance

KEY, SECRET = "key-" + "a" * 60, "secret-" + "b" * 57
VENUE = ExchangeIdentifier("binance")
BTC = Symbol("BTC")
Fault = Callable[[httpx.Request], httpx.Response]


class Replay:
    """The fake venue behind a MockTransport, with per-(method, path) faults."""

    def __init__(self) -> None:
        self.fake = FakeBinance(KEY, SECRET)
        self.faults: dict[tuple[str, str], Fault] = {}
        self.seen: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append((request.method, path))
        fault = self.faults.get((request.method, path))
        if fault is not None:
            return fault(request)
        raw = urlsplit(str(request.url)).query
        query = dict(parse_qsl(raw))
        if "signature=" in raw:
            rejected = self.fake.verify(raw, request.headers)
            status, body = rejected or self.fake.signed(request.method, path, query)
        else:
            status, body = self.fake.public(path, query)
        return httpx.Response(status, json=body)

    def count(self, method: str, path: str) -> int:
        return self.seen.count((method, path))


def client_for(replay: Replay, **options: str) -> BinanceClient:
    return BinanceClient(
        VenueSettings(
            id=VENUE,
            kind="binance",
            credentials={"api_key": KEY, "api_secret": SECRET},
            timeout=2.0,
            options=options,
            transport=httpx.MockTransport(replay),
        )
    )


def ioc_buy(cid: str = "afp0100") -> OrderRequest:
    return OrderRequest(
        VENUE, BTC, Side.BUY, Decimal("0.010"), cid, OrderType.LIMIT, Decimal("65010.0")
    )


def respond(status: int, body: bytes | str, **headers: str) -> Fault:
    data = body.encode() if isinstance(body, str) else body
    return lambda _request: httpx.Response(status, content=data, headers=headers)


def raise_(error: type[httpx.TransportError]) -> Fault:
    def fault(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return fault


HTML = "<html><head><title>502 Bad Gateway</title></head><body>cloudfront</body></html>"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "fault",
    [
        respond(503, "Service Unavailable"),
        respond(503, json.dumps({"code": -1001, "msg": "Internal error; unable to process"})),
        respond(502, HTML, **{"Content-Type": "text/html"}),
        raise_(httpx.ReadTimeout),
        raise_(httpx.RemoteProtocolError),
        respond(408, json.dumps({"code": -1007, "msg": "Timeout waiting for response"})),
        respond(200, HTML, **{"Content-Type": "text/html"}),
    ],
    ids=["503", "503-json", "502-html", "read-timeout", "dropped", "-1007", "200-html"],
)
async def test_order_outcome_unknown_is_ambiguous(fault: Fault) -> None:
    replay = Replay()
    replay.faults[("POST", "/fapi/v1/order")] = fault
    client = client_for(replay)
    try:
        result = await run(client.place_order(ioc_buy()))
        assert isinstance(result, Failure)
        assert isinstance(result.failure(), Ambiguous), result.failure()
        assert replay.count("POST", "/fapi/v1/order") == 1  # never retried
        assert SECRET not in str(result.failure())
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_cancel_outcome_unknown_is_ambiguous() -> None:
    replay = Replay()
    replay.faults[("DELETE", "/fapi/v1/order")] = raise_(httpx.ReadTimeout)
    client = client_for(replay)
    try:
        result = await run(client.cancel_order(BTC, "afp0101"))
        assert isinstance(result.failure(), Ambiguous)
        assert replay.count("DELETE", "/fapi/v1/order") == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_connect_failure_on_order_is_not_sent() -> None:
    replay = Replay()
    replay.faults[("POST", "/fapi/v1/order")] = raise_(httpx.ConnectError)
    client = client_for(replay)
    try:
        assert isinstance((await run(client.place_order(ioc_buy()))).failure(), NotSent)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_429_with_retry_after_is_rate_limited_and_backs_off() -> None:
    replay = Replay()
    body = json.dumps({"code": -1003, "msg": "Too many requests; current limit is 2400"})
    replay.faults[("POST", "/fapi/v1/order")] = respond(429, body, **{"Retry-After": "120"})
    client = client_for(replay)
    try:
        error = (await run(client.place_order(ioc_buy()))).failure()
        assert isinstance(error, RateLimited)
        assert error.retry_after == timedelta(seconds=120)
        assert error.code == "-1003" and "Too many requests" in error.message
        # Until Retry-After has passed, nothing else is sent.
        calls_before = len(replay.seen)
        later = (await run(client.fetch_funding_rates())).failure()
        assert isinstance(later, RateLimited) and later.code == "local-backoff"
        assert later.retry_after is not None and later.retry_after > timedelta(seconds=100)
        assert len(replay.seen) == calls_before
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_418_ban_on_a_read_is_rate_limited_without_retry() -> None:
    replay = Replay()
    replay.faults[("GET", "/fapi/v1/premiumIndex")] = respond(
        418,
        json.dumps({"code": -1003, "msg": "Way too many requests; IP banned"}),
        **{"Retry-After": "7200"},
    )
    client = client_for(replay)
    try:
        error = (await run(client.fetch_funding_rates())).failure()
        assert isinstance(error, RateLimited)
        assert error.retry_after == timedelta(hours=2)
        assert replay.count("GET", "/fapi/v1/premiumIndex") == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_html_error_page_is_malformed() -> None:
    replay = Replay()
    replay.faults[("GET", "/fapi/v1/premiumIndex")] = respond(
        200, HTML, **{"Content-Type": "text/html"}
    )
    client = client_for(replay)
    try:
        error = (await run(client.fetch_funding_rates())).failure()
        assert isinstance(error, MalformedResponse)
        assert "not JSON" in error.message
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_5xx_html_on_a_read_is_retried_then_network_error() -> None:
    replay = Replay()
    replay.faults[("GET", "/fapi/v1/premiumIndex")] = respond(
        502, HTML, **{"Content-Type": "text/html"}
    )
    client = client_for(replay)
    try:
        error = (await run(client.fetch_funding_rates())).failure()
        assert isinstance(error, NetworkError)
        assert replay.count("GET", "/fapi/v1/premiumIndex") == 3
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_binance_error_body_keeps_code_and_message() -> None:
    replay = Replay()
    replay.faults[("GET", "/fapi/v1/depth")] = respond(
        400, json.dumps({"code": -1121, "msg": "Invalid symbol."})
    )
    replay.faults[("POST", "/fapi/v1/order")] = respond(
        400, json.dumps({"code": -2019, "msg": "Margin is insufficient."})
    )
    client = client_for(replay)
    try:
        book = (await run(client.fetch_order_book(BTC))).failure()
        assert isinstance(book, UnknownSymbol)
        assert book.code == "-1121" and "Invalid symbol." in book.message
        order = (await run(client.place_order(ioc_buy()))).failure()
        assert type(order) is VenueRejected
        assert order.code == "-2019" and "Margin is insufficient." in order.message
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_error_body_with_http_200_is_a_rejection() -> None:
    replay = Replay()
    replay.faults[("POST", "/fapi/v1/order")] = respond(
        200, json.dumps({"code": -4164, "msg": "Order's notional must be no smaller than 100"})
    )
    client = client_for(replay)
    try:
        error = (await run(client.place_order(ioc_buy()))).failure()
        assert type(error) is VenueRejected and error.code == "-4164"
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_truncated_json_on_a_read_is_malformed() -> None:
    replay = Replay()
    replay.faults[("GET", "/fapi/v1/premiumIndex")] = respond(200, '[{"symbol":"BTCUSDT","mark')
    client = client_for(replay)
    try:
        assert isinstance((await run(client.fetch_funding_rates())).failure(), MalformedResponse)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_exhausted_weight_budget_refuses_without_sending() -> None:
    replay = Replay()
    client = client_for(replay, weight_per_minute="15", max_budget_wait_seconds="0.05")
    try:
        assert (await run(client.fetch_funding_rates())).unwrap()  # weight 1 + 10
        error = (await run(client.fetch_funding_rates())).failure()  # needs 10, has ~4
        assert isinstance(error, NotSent) and error.code == "weight-budget"
        assert replay.count("GET", "/fapi/v1/premiumIndex") == 1
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_default_base_url_is_binance_and_never_reached_in_tests() -> None:
    """The network guard (conftest) blocks non-loopback hosts: a client with the real
    default URL and no transport fails NotSent instead of touching the internet."""
    client = BinanceClient(VenueSettings(id=VENUE, kind="binance", timeout=2.0))
    try:
        assert "https://fapi.binance.com" in repr(client)
        error = (await run(client.fetch_funding_rates())).failure()
        assert isinstance(error, NotSent)
    finally:
        await client.aclose()
