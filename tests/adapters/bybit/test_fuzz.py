"""Hypothesis fuzzing of every Bybit parser: hostile JSON never escapes as an exception.

Each parser sees 2 000 structured junk values and 4 000 mutants of a valid payload (one to
three fields replaced by junk or deleted; junk and mutation from the Binance fuzz tests).
The valid payloads are the local fake venue's own answers (Bybit's wire format) and the
ones the recorded fixtures show; every one parses before it is damaged.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.bybit.parsing import (
    MAX_ABS_RATE,
    error_extractor,
    parse_instruments,
    parse_next_cursor,
    parse_orderbook,
    parse_server_time,
    parse_tickers,
    ret_error,
)
from adapters.bybit.parsing_account import (
    SymbolLookup,
    parse_account_margin,
    parse_fee_rate,
    parse_order_ack,
    parse_orders,
    parse_position_rows,
    parse_transaction_log,
    parse_wallet_balance,
)
from adapters.bybit.parsing_funding import build_history, parse_history_rows
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.binance.test_fuzz import junk, mutate
from tests.adapters.bybit.fake_venue import FakeBybit

VENUE = ExchangeIdentifier("bybit")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")
LOOKUP = SymbolLookup()


def _valid() -> dict[str, Any]:
    fake = FakeBybit("k", "s")
    fake.page_size = 100
    fake.create(
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.010",
            "price": "60000",
            "timeInForce": "GTC",
            "orderLinkId": "a1",
        }
    )
    fake.positions["BTCUSDT"] = Decimal("-0.5")
    week = 1_704_067_200_000
    window = {"startTime": str(week), "endTime": str(week + 86_400_000), "type": "SETTLEMENT"}
    return {
        "time": fake.answer("GET", "/v5/market/time", {}),
        "instruments": fake.answer("GET", "/v5/market/instruments-info", {}),
        "tickers": fake.answer("GET", "/v5/market/tickers", {}),
        "history": fake.answer(
            "GET",
            "/v5/market/funding/history",
            {"symbol": "BTCUSDT", "startTime": "0", "endTime": str(2**50), "limit": "5"},
        ),
        "orderbook": fake.answer(
            "GET", "/v5/market/orderbook", {"symbol": "BTCUSDT", "limit": "2"}
        ),
        "positions": fake.answer("GET", "/v5/position/list", {}),
        "wallet": fake.answer("GET", "/v5/account/wallet-balance", {}),
        "fee_rate": fake.answer("GET", "/v5/account/fee-rate", {"symbol": "BTCUSDT"}),
        "orders": fake.answer("GET", "/v5/order/realtime", {"orderLinkId": "a1"}),
        "ack": fake.envelope({"orderId": "1", "orderLinkId": "a1"}),
        "log": fake.answer("GET", "/v5/account/transaction-log", window),
    }


VALID = _valid()
MARKETS = parse_instruments(VENUE, VALID["instruments"]).unwrap()


def _history(payload: Any) -> Result[tuple[FundingRate, ...], VenueError]:
    rows = parse_history_rows("bybit", payload, "BTCUSDT")
    if isinstance(rows, Failure):
        return Failure(rows.failure())
    return Success(build_history(VENUE, rows.unwrap(), BTC, "BTCUSDT", timedelta(hours=8)))


def _margin(payload: Any) -> Result[Any, VenueError]:
    rows = parse_position_rows(VENUE, VALID["positions"], LOOKUP, NOW).unwrap()
    return parse_account_margin(VENUE, payload, rows, NOW)


PARSERS: dict[str, Callable[[Any], Result[Any, VenueError]]] = {
    "time": lambda p: parse_server_time("bybit", p),
    "instruments": lambda p: parse_instruments(VENUE, p),
    "cursor": lambda p: parse_next_cursor("bybit", p),
    "tickers": lambda p: parse_tickers(VENUE, p, MARKETS),
    "history": _history,
    "orderbook": lambda p: parse_orderbook(VENUE, p, BTC, 20),
    "positions": lambda p: parse_position_rows(VENUE, p, LOOKUP, NOW),
    "wallet": lambda p: parse_wallet_balance(VENUE, p, NOW),
    "margin": _margin,
    "fee_rate": lambda p: parse_fee_rate("bybit", p, "/v5/account/fee-rate"),
    "orders": lambda p: parse_orders(VENUE, p, LOOKUP),
    "ack": lambda p: parse_order_ack("bybit", p),
    "log": lambda p: parse_transaction_log(VENUE, p, LOOKUP),
}
SEED_OF = {
    "cursor": "instruments",
    "margin": "wallet",
}


def test_valid_examples_parse() -> None:
    """The mutation seeds are valid, so mutants start from working payloads."""
    for name, parser in PARSERS.items():
        result = parser(VALID[SEED_OF.get(name, name)])
        assert isinstance(result, Success), (name, result)
        assert result.unwrap() not in ((), None), name  # the seeds are not empty


def _check(name: str, payload: Any) -> None:
    result = PARSERS[name](payload)
    assert isinstance(result, Success | Failure)
    if isinstance(result, Failure):
        assert isinstance(result.failure(), VenueError)
        return
    value = result.unwrap()
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, FundingRate):
            assert abs(item.rate) <= MAX_ABS_RATE
            assert item.interval % timedelta(hours=1) == timedelta(0)
        market = getattr(item, "market", None)
        if isinstance(market, Market):
            assert market.funding_interval % timedelta(hours=1) == timedelta(0)


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=junk)
def test_parsers_never_raise_on_junk(payload: Any) -> None:
    for name in PARSERS:
        _check(name, payload)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64 - 1))
def test_parsers_never_raise_on_mutants(name: str, seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(20):
        _check(name, mutate(rnd, VALID[SEED_OF.get(name, name)]))


@settings(max_examples=500, deadline=None)
@given(body=junk)
def test_error_readers_never_raise(body: Any) -> None:
    code, message = error_extractor(body)
    assert code is None or isinstance(code, str)
    assert message is None or len(message) <= 300
    refused = ret_error(body)
    assert refused is None or (isinstance(refused[0], str) and len(refused[1]) <= 300)


def test_hostile_rates_and_intervals_are_refused() -> None:
    ticker = VALID["tickers"]["result"]["list"][0]
    for bad in ["NaN", "1e999", Decimal("NaN"), float("inf"), "0.9", "9" * 70, []]:
        payload = {**VALID["tickers"], "result": {"list": [dict(ticker, fundingRate=bad)]}}
        assert isinstance(parse_tickers(VENUE, payload, MARKETS), Failure), bad
    row = VALID["instruments"]["result"]["list"][0]
    for minutes in [0, -480, 8, 90, 481, "480.5", 60 * 25, None, "eight"]:
        payload = {**VALID["instruments"], "result": {"list": [dict(row, fundingInterval=minutes)]}}
        assert isinstance(parse_instruments(VENUE, payload), Failure), minutes
    refused = {"retCode": 10006, "retMsg": "Too many visits!", "result": {}, "time": 1}
    assert isinstance(parse_tickers(VENUE, refused, MARKETS), Failure)
