"""The ccxt venue client on an in-process stand-in for a ccxt exchange object (the
methods and ``has`` map of ccxt's unified API, ccxt's real exceptions): orders carry our
client id as ``clientOrderId``, sizes go out in contracts, a timed-out order is Ambiguous,
capabilities follow ``has`` and the keys, and base_url is put into ccxt's ``urls['api']``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ccxt
import pytest
from returns.result import Failure, Success

from adapters.ccxt_venue.factory import CcxtVenue, create, point_urls_at
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import Ambiguous, InvalidRequest, NotConfigured, VenueRejected
from atomic_fp.models import OrderRequest, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability
from tests.harness.outcome import run

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """ccxt's async API runs on asyncio only (aiohttp)."""
    return "asyncio"


KEYS = {"api_key": "k-123", "secret": "s-456", "password": "p-789"}
MARKET: dict[str, Any] = {
    "symbol": "ETH/USDT:USDT",
    "base": "ETH",
    "settle": "USDT",
    "swap": True,
    "linear": True,
    "contractSize": 0.1,  # OKX-like: a contract is 0.1 ETH
    "precision": {"price": 0.01, "amount": 1},
    "limits": {"amount": {"min": 1}, "cost": {"min": None}},
}


class StubExchange:
    """ccxt's unified async surface, recording calls; ``fail`` raises ccxt's exception."""

    def __init__(self, has: dict[str, Any], fail: Exception | None = None) -> None:
        self.has = has
        self.fail = fail
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    async def load_markets(self) -> dict[str, Any]:
        return {MARKET["symbol"]: MARKET}

    async def create_order(self, *args: Any) -> dict[str, Any]:
        self.calls.append(("create_order", args))
        if self.fail is not None:
            raise self.fail
        return {"id": "9", "status": "open", "filled": 0, "amount": args[3]}

    async def fetch_order(self, *args: Any) -> dict[str, Any]:
        self.calls.append(("fetch_order", args))
        return {
            "id": "9",
            "status": "closed",
            "filled": 3,
            "amount": 3,
            "side": "sell",
            "average": 2000,
        }

    async def close(self) -> None:
        pass


def _client(stub: StubExchange, keys: dict[str, str] | None = None) -> CcxtVenue:
    settings = VenueSettings(
        id=ExchangeIdentifier("okx"),
        kind="ccxt",
        credentials=keys or {},
        options={"exchange": "okx"},
    )
    return CcxtVenue(settings, stub)


def _request(size: str = "0.3") -> OrderRequest:
    return OrderRequest(
        exchange=ExchangeIdentifier("okx"),
        symbol=Symbol("ETH"),
        side=Side.SELL,
        size=Decimal(size),
        client_order_id="afp-1",
        limit_price=Decimal(2000),
    )


ALL = {
    "fetchMarkets": True,
    "fetchFundingRates": True,
    "createOrder": True,
    "cancelOrder": True,
    "fetchOrder": True,
    "fetchFundingRateHistory": True,
}


async def test_an_order_goes_out_in_contracts_with_our_client_id() -> None:
    stub = StubExchange(ALL)
    placed = await run(_client(stub, KEYS).place_order(_request()))
    assert isinstance(placed, Success)
    name, args = stub.calls[0]
    assert name == "create_order"
    assert args[:5] == ("ETH/USDT:USDT", "limit", "sell", 3.0, 2000.0)  # 0.3 ETH = 3 x 0.1
    assert args[5]["clientOrderId"] == "afp-1" and args[5]["timeInForce"] == "IOC"
    assert placed.unwrap().size == Decimal("0.3")


async def test_a_size_off_the_lot_is_refused_before_sending() -> None:
    stub = StubExchange(ALL)
    refused = await run(_client(stub, KEYS).place_order(_request("0.25")))
    assert isinstance(refused, Failure) and isinstance(refused.failure(), InvalidRequest)
    assert stub.calls == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [(ccxt.RequestTimeout("timed out"), Ambiguous), (ccxt.InsufficientFunds("no"), VenueRejected)],
)
async def test_order_failures_are_typed(error: Exception, expected: type) -> None:
    failed = await run(_client(StubExchange(ALL, error), KEYS).place_order(_request()))
    assert isinstance(failed, Failure) and type(failed.failure()) is expected


async def test_look_up_by_client_id_converts_contracts_to_base() -> None:
    stub = StubExchange(ALL)
    found = await run(_client(stub, KEYS).fetch_order(Symbol("ETH"), "afp-1"))
    order = found.unwrap()
    assert stub.calls[0][1][2] == {"clientOrderId": "afp-1"}
    assert order.status is OrderStatus.FILLED and order.filled_size == Decimal("0.3")


async def test_without_keys_trading_is_not_configured_and_not_a_capability() -> None:
    client = _client(StubExchange(ALL))
    assert Capability.PLACE_ORDER not in client.capabilities
    refused = await run(client.place_order(_request()))
    assert isinstance(refused, Failure) and isinstance(refused.failure(), NotConfigured)
    assert Capability.PLACE_ORDER in _client(StubExchange(ALL), KEYS).capabilities


def test_capabilities_follow_the_has_map() -> None:
    client = _client(StubExchange({"fetchMarkets": True, "fetchFundingRates": False}), KEYS)
    assert client.capabilities == frozenset({Capability.MARKETS})


def test_base_url_replaces_every_api_host_keeping_paths() -> None:
    urls = {"public": "https://api.{hostname}/v5", "nested": {"a": "https://x.example.com"}}
    assert point_urls_at(urls, "http://127.0.0.1:9/") == {
        "public": "http://127.0.0.1:9/v5",
        "nested": {"a": "http://127.0.0.1:9"},
    }


async def test_create_points_ccxt_at_base_url_and_refuses_unknown_exchanges() -> None:
    settings = VenueSettings(
        id=ExchangeIdentifier("bitget"),
        kind="ccxt",
        base_url="http://127.0.0.1:1",
        options={"exchange": "bitget"},
    )
    client = create(settings)
    assert all(u == "http://127.0.0.1:1" for u in client._ccxt.urls["api"].values())
    await client.aclose()
    bad = build_client(attrs_evolve(settings, {"exchange": "nope"}))
    assert isinstance(bad, Failure) and "'nope' is not an exchange ccxt knows" in bad.failure()


def attrs_evolve(settings: VenueSettings, options: dict[str, str]) -> VenueSettings:
    import attrs

    return attrs.evolve(settings, options=options)
