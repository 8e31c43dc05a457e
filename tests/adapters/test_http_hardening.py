"""HTTP hardening shared by every venue (``adapters._http``, issue 13): response bodies
capped while streaming, ``Retry-After`` carried and honoured, and a crossed or locked book
refused as bad data by every parser.

The body-cap tests use a real server on 127.0.0.1 that streams a 256 MiB body and counts
what it managed to send: reading it all (the old behaviour) would pass 256 MiB through
the client; the cap stops after about 1 MiB plus what the kernel buffers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import httpx
import pytest
from returns.result import Failure

from adapters._http import DEFAULT_MAX_BODY_BYTES, JsonHttp, RetryPolicy
from adapters.binance.client import BinanceClient
from adapters.binance.parsers import parse_depth
from adapters.hyperliquid.parsers import parse_l2_book
from adapters.registry import VenueSettings
from atomic_fp.errors import Ambiguous, MalformedResponse, NetworkError, RateLimited
from atomic_fp.models import BookLevel, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.config import DEFAULT_MAX_RESPONSE_BYTES, parse
from tests.adapters.binance._util import run
from tests.conftest import research_file

pytestmark = pytest.mark.anyio

MiB = 1024 * 1024
HUGE = 256 * MiB


class Streamer(BaseHTTPRequestHandler):
    sent = 0
    announce = False

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if type(self).announce:
            self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        chunk = b"[" + b"1," * (32 * 1024)
        try:
            while type(self).sent < HUGE:
                self.wfile.write(chunk)
                type(self).sent += len(chunk)
        except OSError:
            return  # the client hung up: what we wanted

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def streamer() -> Iterator[tuple[str, type[Streamer]]]:
    handler = type("Handler", (Streamer,), {"sent": 0, "announce": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/big", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("announce", [False, True], ids=["chunked", "content-length"])
async def test_a_huge_body_is_refused_while_streaming(
    streamer: tuple[str, type[Streamer]], announce: bool
) -> None:
    url, handler = streamer
    handler.announce = announce
    async with httpx.AsyncClient(timeout=10) as client:
        http = JsonHttp("binance", client, max_body_bytes=MiB, retry=RetryPolicy(attempts=1))
        result = await http.request("GET", url)
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, MalformedResponse) and "1048576-byte cap" in error.message
    assert handler.sent < 32 * MiB  # not the 256 MiB a read-it-all client takes in


async def test_a_huge_answer_to_an_order_is_ambiguous(
    streamer: tuple[str, type[Streamer]],
) -> None:
    url, _ = streamer
    async with httpx.AsyncClient(timeout=10) as client:
        http = JsonHttp("binance", client, max_body_bytes=MiB)
        result = await http.request("POST", url, idempotent=False)
    assert isinstance(result, Failure) and isinstance(result.failure(), Ambiguous)


def test_the_cap_is_configurable_per_venue_and_defaults_to_4_mib() -> None:
    assert DEFAULT_MAX_RESPONSE_BYTES == DEFAULT_MAX_BODY_BYTES == 4 * MiB
    config = parse(
        {"venues": {"binance": {"kind": "binance", "max_response_bytes": 2 * MiB}}}, "t.toml"
    )
    assert config.venues[0].max_response_bytes == 2 * MiB
    client = BinanceClient(
        VenueSettings(ExchangeIdentifier("binance"), "binance", max_response_bytes=2 * MiB)
    )
    assert client._http.json.max_body_bytes == 2 * MiB


# ----------------------------------------------------------------------------- Retry-After


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry waits, recorded instead of slept (no test depends on wall-clock speed)."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(anyio, "sleep", sleep)
    return waits


def replying(*responses: httpx.Response) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return httpx.AsyncClient(transport=httpx.MockTransport(handle)), seen


@pytest.mark.parametrize("status", [429, 418, 503])
async def test_a_read_waits_at_least_the_retry_after(slept: list[float], status: int) -> None:
    client, seen = replying(
        httpx.Response(status, headers={"Retry-After": "3"}, json={"msg": "slow down"}),
        httpx.Response(200, json={"ok": 1}),
    )
    http = JsonHttp("binance", client, retry=RetryPolicy(attempts=3, base_delay=0.01))
    result = await http.request("GET", "https://x.test/fapi/v1/depth")
    assert result.unwrap() == {"ok": 1}
    assert len(seen) == 2 and slept == [3.0]  # not the 0.01 s backoff


async def test_a_long_retry_after_is_not_waited_out_but_carried(slept: list[float]) -> None:
    client, seen = replying(
        httpx.Response(429, headers={"Retry-After": "120"}, json={"code": -1003, "msg": "x"})
    )
    result = await JsonHttp("binance", client).request("GET", "https://x.test/fapi/v1/depth")
    error = result.failure()
    assert isinstance(error, RateLimited) and error.retry_after == timedelta(seconds=120)
    assert "Retry-After 120 s" in error.message
    assert len(seen) == 1 and slept == []


async def test_a_503_on_an_order_is_ambiguous_and_carries_retry_after(slept: list[float]) -> None:
    client, seen = replying(httpx.Response(503, headers={"Retry-After": "7"}, text="busy"))
    result = await JsonHttp("binance", client).request(
        "POST", "https://x.test/fapi/v1/order", idempotent=False
    )
    error = result.failure()
    assert isinstance(error, Ambiguous) and error.retry_after == timedelta(seconds=7)
    assert len(seen) == 1  # an order is never resent here


async def test_retry_after_as_an_http_date(slept: list[float]) -> None:
    from datetime import datetime, timezone

    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=600), usegmt=True)
    client, _ = replying(httpx.Response(503, headers={"Retry-After": when}, text="x"))
    result = await JsonHttp("v", client, retry=RetryPolicy(attempts=1)).request(
        "GET", "https://x.test/a"
    )
    error = result.failure()
    assert isinstance(error, NetworkError) and error.retry_after is not None
    assert timedelta(seconds=590) < error.retry_after <= timedelta(seconds=600)


async def test_binance_keeps_retry_after_on_its_rate_limit_codes(slept: list[float]) -> None:
    """Binance answers 429 with ``{"code": -1003, ...}`` and ``Retry-After``
    (developers.binance.com, USDS-M futures general info): the typed error keeps it."""

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            headers={"Retry-After": "120"},
            json={"code": -1003, "msg": "Too many requests; current limit is 2400"},
        )

    settings = VenueSettings(
        ExchangeIdentifier("binance"), "binance", transport=httpx.MockTransport(handle)
    )
    client = BinanceClient(settings)
    try:
        error = (await run(client.fetch_markets())).failure()
    finally:
        await client.aclose()
    assert isinstance(error, RateLimited) and error.retry_after == timedelta(seconds=120)


# ----------------------------------------------------------------------------- crossed book

BTC = Symbol("BTC")


@pytest.mark.parametrize(("bid", "state"), [("101", "crossed"), ("100", "locked")])
def test_a_crossed_or_locked_book_cannot_exist(bid: str, state: str) -> None:
    from datetime import datetime, timezone

    with pytest.raises(ValueError, match=f"{state} book: best bid {bid} >= best ask 100"):
        OrderBook(
            exchange=ExchangeIdentifier("x"),
            symbol=BTC,
            bids=[BookLevel(Decimal(bid), Decimal(1))],
            asks=[BookLevel(Decimal(100), Decimal(1))],
            timestamp=datetime(2026, 1, 1, tzinfo=timezone.utc),
        )


def test_binance_recorded_depth_made_crossed_is_malformed() -> None:
    path = "nautilus_trader/tests/integration_tests/adapters/binance/resources/http_responses/"
    payload = json.loads(research_file(path + "http_futures_market_depth.json").read_text())
    venue = ExchangeIdentifier("binance")
    assert parse_depth(venue, payload, BTC).unwrap().best_bid is not None  # as recorded: fine
    payload["bids"][0][0] = str(Decimal(payload["asks"][0][0]) + 1)
    result = parse_depth(venue, payload, BTC)
    assert isinstance(result, Failure) and "crossed book" in result.failure().message


def test_hyperliquid_crossed_l2_book_is_malformed() -> None:
    payload = {
        "coin": "BTC",
        "time": 1700000000000,
        "levels": [
            [{"px": "50010", "sz": "1", "n": 1}],
            [{"px": "50000", "sz": "1", "n": 1}],
        ],
    }
    result = parse_l2_book(ExchangeIdentifier("hyperliquid"), BTC, payload)
    assert isinstance(result, Failure) and "crossed book" in result.failure().message
