"""Signing, the weight budget, order parameters, interval derivation and symbol mapping."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from returns.result import Failure, Success

from adapters.binance.orders import decimal_text, order_params
from adapters.binance.parsers import (
    BinanceMarket,
    SymbolMap,
    derive_interval_hours,
    parse_funding_info,
)
from adapters.binance.signing import Credentials, redact, signature, signed_query
from adapters.binance.weights import WeightBudget, depth_limit_and_weight
from atomic_fp.errors import InvalidRequest, NotSent, RateLimited
from atomic_fp.models import Market, OrderRequest, OrderType, Side, Symbol, TimeInForce
from atomic_fp.models.identifiers import ExchangeIdentifier

VENUE = ExchangeIdentifier("binance")
H = 3_600_000

# --------------------------------------------------------------------------- signing

# Binance's published HMAC example (API docs, "SIGNED Endpoint Examples for POST
# /api/v3/order"): this secret and query string sign to this hex digest.
DOCS_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOCS_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
DOCS_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_signature_matches_binance_published_example() -> None:
    assert signature(DOCS_SECRET, DOCS_QUERY) == DOCS_SIGNATURE


def test_signed_query_appends_timestamp_window_and_signature_last() -> None:
    query = signed_query([("symbol", "BTCUSDT"), ("side", "BUY")], DOCS_SECRET, 1499827319559)
    payload, _, sig = query.rpartition("&signature=")
    assert payload == "symbol=BTCUSDT&side=BUY&timestamp=1499827319559&recvWindow=5000"
    assert sig == signature(DOCS_SECRET, payload)
    # characters outside the unreserved set are percent-encoded before signing
    encoded = signed_query([("newClientOrderId", "a:b/c")], DOCS_SECRET, 1)
    assert encoded.startswith("newClientOrderId=a%3Ab%2Fc&")


def test_credentials_and_redaction_hide_secrets() -> None:
    creds = Credentials.from_settings({"api_key": "KEY123", "api_secret": "SECRET456"})
    assert creds is not None
    assert "KEY123" not in repr(creds) and "SECRET456" not in repr(creds)
    assert Credentials.from_settings({"api_key": "KEY123"}) is None
    text = f"failed: SECRET456 KEY123 sig={DOCS_SIGNATURE}"
    clean = redact(text, ["SECRET456", "KEY123"])
    assert "SECRET456" not in clean and "KEY123" not in clean and DOCS_SIGNATURE not in clean


# --------------------------------------------------------------------------- weights


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.anyio
async def test_weight_budget_waits_briefly_then_refuses() -> None:
    clock = FakeClock()
    budget = WeightBudget("ip", 60, 60.0, max_wait=5.0, monotonic=clock, sleep=clock.sleep)
    assert isinstance(await budget.acquire("binance", 58, "GET /x"), Success)
    assert clock.slept == []
    # 2 left, needs 5: a 3 s refill is within max_wait, so it waits
    assert isinstance(await budget.acquire("binance", 5, "GET /x"), Success)
    assert clock.slept == [pytest.approx(3.0)]
    # empty now; 10 more would need 10 s: refused, nothing taken
    refused = await budget.acquire("binance", 10, "GET /x")
    assert isinstance(refused, Failure) and isinstance(refused.failure(), NotSent)
    clock.now += 60
    assert budget.available == pytest.approx(60)


@pytest.mark.anyio
async def test_weight_budget_backoff_after_rate_limit() -> None:
    clock = FakeClock()
    budget = WeightBudget("ip", 100, 60.0, monotonic=clock, sleep=clock.sleep)
    budget.back_off(30)
    blocked = await budget.acquire("binance", 1, "GET /x")
    assert isinstance(blocked, Failure)
    error = blocked.failure()
    assert isinstance(error, RateLimited) and error.retry_after == timedelta(seconds=30)
    clock.now += 30.5
    assert isinstance(await budget.acquire("binance", 1, "GET /x"), Success)


def test_depth_limits_and_weights() -> None:
    assert depth_limit_and_weight(1) == (5, 2)
    assert depth_limit_and_weight(20) == (20, 2)
    assert depth_limit_and_weight(21) == (50, 2)
    assert depth_limit_and_weight(100) == (100, 5)
    assert depth_limit_and_weight(5000) == (1000, 20)


# --------------------------------------------------------------------------- orders


def market() -> BinanceMarket:
    return BinanceMarket(
        market=Market(
            exchange=VENUE,
            symbol=Symbol("BTC"),
            venue_symbol="BTCUSDT",
            tick_size=Decimal("0.10"),
            lot_size=Decimal("0.001"),
            min_size=Decimal("0.001"),
            min_notional=Decimal("100"),
        ),
        quote="USDT",
        limit_step=Decimal("0.001"),
        market_step=Decimal("0.001"),
        limit_max_qty=Decimal("1000"),
        market_max_qty=Decimal("120"),
    )


def request(**changes: object) -> OrderRequest:
    fields: dict[str, object] = {
        "exchange": VENUE,
        "symbol": Symbol("BTC"),
        "side": Side.BUY,
        "size": Decimal("0.010"),
        "client_order_id": "afp00ab0100",
        "order_type": OrderType.LIMIT,
        "limit_price": Decimal("65010.00"),
        "time_in_force": TimeInForce.IOC,
    }
    fields.update(changes)
    return OrderRequest(**fields)  # type: ignore[arg-type]


def test_ioc_limit_order_params() -> None:
    params = order_params("binance", request(), market()).unwrap()
    assert params == [
        ("symbol", "BTCUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("quantity", "0.01"),
        ("price", "65010"),
        ("timeInForce", "IOC"),
        ("newClientOrderId", "afp00ab0100"),
        ("newOrderRespType", "RESULT"),
    ]


def test_market_reduce_only_and_post_only_params() -> None:
    params = dict(
        order_params(
            "binance",
            request(
                order_type=OrderType.MARKET, limit_price=None, reduce_only=True, side=Side.SELL
            ),
            market(),
        ).unwrap()
    )
    assert params["type"] == "MARKET" and params["side"] == "SELL"
    assert params["reduceOnly"] == "true" and "price" not in params
    post = dict(
        order_params("binance", request(time_in_force=TimeInForce.POST_ONLY), market()).unwrap()
    )
    assert post["timeInForce"] == "GTX"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"size": Decimal("0.0105")}, "lot step"),
        ({"size": Decimal("2000")}, "maximum"),
        ({"limit_price": Decimal("65010.05")}, "tick"),
        ({"size": Decimal("0.001")}, "notional"),
        ({"client_order_id": "has space"}, "client order id"),
        (
            {"order_type": OrderType.MARKET, "limit_price": None, "size": Decimal("121")},
            "maximum",
        ),
    ],
)
def test_invalid_orders_are_refused(changes: dict[str, object], reason: str) -> None:
    result = order_params("binance", request(**changes), market())
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidRequest) and reason in result.failure().message


def test_reduce_only_is_exempt_from_min_notional() -> None:
    assert isinstance(
        order_params("binance", request(size=Decimal("0.001"), reduce_only=True), market()),
        Success,
    )


def test_decimal_text() -> None:
    assert decimal_text(Decimal("1E+1")) == "10"
    assert decimal_text(Decimal("0.00100")) == "0.001"
    assert decimal_text(Decimal("65010.0")) == "65010"


# --------------------------------------------------------------------------- intervals


def test_interval_is_the_gap_to_the_previous_settlement() -> None:
    times = [0, 8 * H + 3, 16 * H + 1, 20 * H, 24 * H + 5, 28 * H]
    assert derive_interval_hours(times, 8) == (8, 8, 8, 4, 4, 4)


def test_first_row_and_holes_use_the_next_gap_then_fallback() -> None:
    assert derive_interval_hours([0, 4 * H], 8) == (4, 4)
    # 0 -> 4h -> (missing rows) -> 20h -> 24h: the 16 h hole is no interval
    assert derive_interval_hours([0, 4 * H, 20 * H, 24 * H], 8) == (4, 4, 4, 4)
    assert derive_interval_hours([0], 4) == (4,)
    assert derive_interval_hours([0, 16 * H], 2) == (2, 2)  # nothing usable: fallback
    assert derive_interval_hours([0, 90 * 60_000], 8) == (8, 8)  # 1.5 h is no interval


def test_funding_info_rows_without_interval_keep_the_default() -> None:
    rows = [
        {"symbol": "AUSDT", "adjustedFundingRateCap": "0.02"},
        {"symbol": "BUSDT", "fundingIntervalHours": 1},
    ]
    assert parse_funding_info("binance", rows).unwrap() == {"BUSDT": 1}
    assert isinstance(
        parse_funding_info("binance", [{"symbol": "C", "fundingIntervalHours": 0}]), Failure
    )


# --------------------------------------------------------------------------- symbols


def test_symbol_map() -> None:
    symbols = SymbolMap()
    assert symbols.split("1000PEPEUSDT") == ("1000PEPE", "USDT")
    assert symbols.split("BTCUSDT_250328") is None
    assert symbols.split("ETHBTC") is None
    assert symbols.split("USDT") is None
    assert symbols.canonical("1000PEPEUSDC") == (Symbol("PEPE"), Decimal(1000))
    assert symbols.canonical("1MBABYDOGEUSDT") == (Symbol("BABYDOGE"), Decimal(1_000_000))
    assert symbols.canonical("币安人生USDT") is None
    custom = SymbolMap(overrides={"币安人生USDT": (Symbol("BINANCELIFE"), Decimal(1))})
    assert custom.canonical("币安人生USDT") == (Symbol("BINANCELIFE"), Decimal(1))
    assert symbols.rank("USDT") < symbols.rank("USDC") < symbols.rank("BUSD")
