"""Positions, balances, order book and own funding payments through ccxt's unified API
(``fetchPositions``, ``fetchBalance``, ``fetchOrderBook``, ``fetchFundingHistory``), on an
in-process stand-in for a ccxt exchange (ccxt's unified structures, ccxt's real
exceptions): contracts x ``contractSize`` give the same base amount as the native OKX
parser on OKX's own wire for the same position; only where ``has`` says so; failures are
typed errors, never a flat account or an empty balance."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import ccxt
import pytest
from returns.result import Failure, Success

from adapters.ccxt_venue.factory import CcxtVenue
from adapters.okx.parsing import OkxMarket
from adapters.okx.parsing_account import parse_positions as okx_positions
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    NotConfigured,
    NotSupported,
    VenueTimeout,
)
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability
from tests.harness.outcome import run

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
KEYS = {"api_key": "k", "secret": "s", "password": "p"}
ETH: dict[str, Any] = {
    "symbol": "ETH/USDT:USDT",
    "base": "ETH",
    "settle": "USDT",
    "swap": True,
    "linear": True,
    "contractSize": 0.1,  # OKX: one ETH-USDT-SWAP contract is 0.1 ETH (ctVal)
    "precision": {"price": 0.01, "amount": 1},
    "limits": {"amount": {"min": 1}, "cost": {"min": None}},
}
HAS = {
    "fetchPositions": True,
    "fetchBalance": True,
    "fetchOrderBook": True,
    "fetchFundingHistory": True,
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class AccountStub:
    """ccxt's unified account surface; ``answers`` per method, an exception is raised."""

    def __init__(self, answers: dict[str, Any], has: dict[str, Any] | None = None) -> None:
        self.has = HAS if has is None else has
        self.answers = answers
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    async def load_markets(self) -> dict[str, Any]:
        return {ETH["symbol"]: ETH}

    async def _answer(self, name: str, args: tuple[Any, ...]) -> Any:
        self.calls.append((name, args))
        answer = self.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer(args) if callable(answer) else answer

    async def fetch_positions(self, *args: Any) -> Any:
        return await self._answer("fetch_positions", args)

    async def fetch_balance(self, *args: Any) -> Any:
        return await self._answer("fetch_balance", args)

    async def fetch_order_book(self, *args: Any) -> Any:
        return await self._answer("fetch_order_book", args)

    async def fetch_funding_history(self, *args: Any) -> Any:
        return await self._answer("fetch_funding_history", args)

    async def close(self) -> None:
        pass


def _client(stub: AccountStub, keys: dict[str, str] | None = KEYS) -> CcxtVenue:
    settings = VenueSettings(
        id=ExchangeIdentifier("okx"),
        kind="ccxt",
        credentials=keys or {},
        options={"exchange": "okx"},
        clock=lambda: NOW,
    )
    return CcxtVenue(settings, stub)


def _ccxt_position(contracts: float, side: str) -> dict[str, Any]:
    return {
        "symbol": "ETH/USDT:USDT",
        "contracts": contracts,
        "contractSize": 0.1,
        "side": side,
        "entryPrice": 2000.0,
        "markPrice": 2010.5,
        "liquidationPrice": None,
        "unrealizedPnl": -3.15,
        "leverage": 5,
        "timestamp": 1_700_000_000_000,  # Bitget's cTime: when the position was opened
    }


async def test_a_ccxt_leg_holds_the_base_amount_the_native_okx_parser_reads() -> None:
    """3 contracts short of ETH-USDT-SWAP: ccxt says ``contracts=3, contractSize=0.1``,
    OKX's wire ``pos="-3"`` with ``ctVal=0.1``: both are -0.3 ETH."""
    stub = AccountStub({"fetch_positions": [_ccxt_position(3, "short")]})
    (ccxt_leg,) = (await run(_client(stub).fetch_positions())).unwrap()
    okx_market = OkxMarket(
        market=Market(
            exchange=ExchangeIdentifier("okx"),
            symbol=Symbol("ETH"),
            venue_symbol="ETH-USDT-SWAP",
            tick_size=Decimal("0.01"),
            lot_size=Decimal("0.1"),
        ),
        contract_value=Decimal("0.1"),
    )
    okx_wire = {"code": "0", "data": [{"instId": "ETH-USDT-SWAP", "pos": "-3", "posSide": "net"}]}
    (native_leg,) = okx_positions(
        ExchangeIdentifier("okx"), okx_wire, {"ETH-USDT-SWAP": okx_market}, NOW
    ).unwrap()
    assert ccxt_leg.base_size == native_leg.base_size == Decimal("-0.3")
    assert ccxt_leg.size == Decimal(-3) and ccxt_leg.contract_multiplier == Decimal("0.1")
    assert ccxt_leg.entry_price == Decimal(2000) and ccxt_leg.liquidation_price is None
    assert ccxt_leg.observed_at == NOW  # when read, not ccxt's "timestamp" (opening time)
    # a hedge: a 3-contract ccxt long against the native short nets to zero base
    long_stub = AccountStub({"fetch_positions": [_ccxt_position(3, "long")]})
    (long_leg,) = (await run(_client(long_stub).fetch_positions())).unwrap()
    assert long_leg.base_size + native_leg.base_size == 0


async def test_hedge_mode_rows_net_and_flat_rows_and_other_markets_are_left_out() -> None:
    rows = [
        _ccxt_position(5, "long"),
        _ccxt_position(2, "short"),
        {**_ccxt_position(0, "long")},
        {**_ccxt_position(7, "long"), "symbol": "XRP/USD:XRP"},
    ]
    (net,) = (await run(_client(AccountStub({"fetch_positions": rows})).fetch_positions())).unwrap()
    assert net.base_size == Decimal("0.3")


@pytest.mark.parametrize(
    "row",
    [
        {"symbol": "ETH/USDT:USDT", "contracts": None, "side": "long"},
        {"symbol": "ETH/USDT:USDT", "contracts": 2, "side": None},
    ],
)
async def test_an_unreadable_position_is_an_error_not_a_flat_account(row: dict[str, Any]) -> None:
    failed = await run(_client(AccountStub({"fetch_positions": [row]})).fetch_positions())
    assert isinstance(failed, Failure) and isinstance(failed.failure(), MalformedResponse)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ccxt.AuthenticationError("bad sign"), AuthenticationError),
        (ccxt.RequestTimeout("slow"), VenueTimeout),
        (ccxt.NetworkError("reset"), NetworkError),
    ],
)
async def test_account_failures_are_typed(error: Exception, expected: type) -> None:
    stub = AccountStub({"fetch_positions": error, "fetch_balance": error})
    client = _client(stub)
    positions = await run(client.fetch_positions())
    balances = await run(client.fetch_balances())
    assert isinstance(positions, Failure) and isinstance(positions.failure(), expected)
    assert isinstance(balances, Failure) and isinstance(balances.failure(), expected)


async def test_balances_keep_unknown_totals_out_and_refuse_a_shapeless_answer() -> None:
    body = {
        "total": {"USDT": 1000.5, "BTC": None},
        "free": {"USDT": 990.25},
        "used": {"USDT": 10.25},
        "timestamp": None,
    }
    (usdt,) = (await run(_client(AccountStub({"fetch_balance": body})).fetch_balances())).unwrap()
    assert (usdt.asset, usdt.total, usdt.available) == (
        "USDT",
        Decimal("1000.5"),
        Decimal("990.25"),
    )
    shapeless = await run(_client(AccountStub({"fetch_balance": {"info": {}}})).fetch_balances())
    assert isinstance(shapeless, Failure) and isinstance(shapeless.failure(), MalformedResponse)


async def test_order_book_in_contracts_with_depth_and_the_ccxt_symbol() -> None:
    book = {
        "bids": [[2000.1, 3], [2000.0, 0], [1999.9, 12]],
        "asks": [[2000.2, 4], [2000.3, 1]],
        "timestamp": 1_772_366_400_000,
    }
    stub = AccountStub({"fetch_order_book": book})
    parsed = (await run(_client(stub, keys=None).fetch_order_book(Symbol("ETH"), 2))).unwrap()
    assert stub.calls == [("fetch_order_book", ("ETH/USDT:USDT", 2))]
    assert [(lv.price, lv.size) for lv in parsed.bids] == [
        (Decimal("2000.1"), Decimal(3)),
        (Decimal("1999.9"), Decimal(12)),
    ]
    assert parsed.best_ask == Decimal("2000.2")


async def test_funding_payments_are_paged_from_start_and_cut_at_end() -> None:
    hour = 3_600_000
    start = 1_772_366_400_000
    ledger = [
        {
            "symbol": "ETH/USDT:USDT",
            "code": "USDT",
            "timestamp": start + k * 8 * hour,
            "amount": -0.12 if k % 2 else 0.3,
            "id": str(k),
        }
        for k in range(5)
    ]

    def page(args: tuple[Any, ...]) -> list[dict[str, Any]]:
        since = args[1]
        return [e for e in ledger if e["timestamp"] >= since][:2]  # two per page

    stub = AccountStub({"fetch_funding_history": page})
    end = datetime.fromtimestamp((start + 32 * hour) / 1000, tz=UTC)
    begin = datetime.fromtimestamp(start / 1000, tz=UTC)
    payments = (await run(_client(stub).fetch_funding_payments(begin, end))).unwrap()
    assert [p.amount for p in payments] == [
        Decimal("0.3"),
        Decimal("-0.12"),
        Decimal("0.3"),
        Decimal("-0.12"),
    ]
    assert all(p.symbol == Symbol("ETH") and p.asset == "USDT" for p in payments)
    assert [c[1][1] for c in stub.calls] == [start, start + 8 * hour + 1, start + 24 * hour + 1]


async def test_only_what_has_grants_and_keys_allow() -> None:
    no_book = AccountStub({}, has={"fetchPositions": True, "fetchBalance": False})
    client = _client(no_book)
    assert Capability.POSITIONS in client.capabilities
    assert Capability.BALANCES not in client.capabilities
    refused = await run(client.fetch_balances())
    assert isinstance(refused, Failure) and isinstance(refused.failure(), NotSupported)
    refused_book = await run(client.fetch_order_book(Symbol("ETH"), 5))
    assert isinstance(refused_book, Failure) and isinstance(refused_book.failure(), NotSupported)
    assert no_book.calls == []
    keyless = _client(AccountStub({}), keys=None)
    assert Capability.POSITIONS not in keyless.capabilities
    assert Capability.ORDER_BOOK in keyless.capabilities
    no_keys = await run(keyless.fetch_positions())
    assert isinstance(no_keys, Failure) and isinstance(no_keys.failure(), NotConfigured)
    assert isinstance(await run(keyless.fetch_balances()), Failure)
    assert not isinstance(await run(keyless.fetch_funding_payments(NOW, NOW)), Success)
