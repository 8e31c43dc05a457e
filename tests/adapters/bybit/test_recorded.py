"""Bybit v5 parsers on nautilus_trader's v5 fixtures (LGPL-3.0, read in place from
``shared/research-data/nautilus_trader/crates/adapters/bybit/test_data``, never copied;
DOCS-shaped per SOURCES.md).

The two instrument fixtures disagree on ``fundingInterval``: the newer one (TSLAUSDT, with
``symbolType``) writes 480, Bybit's unit (minutes); the older writes 8, an hours-shaped
value. Read as minutes that would be an 8-minute interval and every rate 60x too large per
hour, so it is refused, naming the field and the unit.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success

from adapters.bybit.parsing import (
    next_cursor,
    parse_instruments,
    parse_orderbook,
)
from adapters.bybit.parsing_account import (
    SymbolLookup,
    parse_fee_rate,
    parse_order_ack,
    parse_orders,
    parse_position_rows,
    parse_wallet_balance,
)
from adapters.bybit.parsing_funding import build_history, parse_history_rows
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeSource, FundingKind, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

VENUE = ExchangeIdentifier("bybit")
BTC, ETH = Symbol("BTC"), Symbol("ETH")
NOW = datetime(2026, 12, 6, tzinfo=timezone.utc)
FIXTURES = "nautilus_trader/crates/adapters/bybit/test_data"


@pytest.fixture
def load(research_data: Path) -> Any:
    def read(name: str) -> Any:
        path = research_data / FIXTURES / name
        if not path.exists():
            pytest.skip(f"fixture missing: {name}")
        return json.loads(path.read_text())

    return read


def test_instruments_in_minutes_give_lot_tick_min_notional_and_interval(load: Any) -> None:
    markets = parse_instruments(VENUE, load("http_get_instruments_linear_symbol_type.json"))
    (tsla,) = markets.unwrap()
    assert tsla.market.symbol == Symbol("TSLA")
    assert tsla.market.tick_size == Decimal("0.01")
    assert tsla.market.lot_size == Decimal("0.001")
    assert tsla.market.min_size == Decimal("0.001")
    assert tsla.market.min_notional == Decimal("1")
    assert tsla.market.funding_interval == timedelta(hours=8)
    assert tsla.market.max_leverage == Decimal("10")
    assert tsla.max_order_qty == Decimal("100")


def test_hours_shaped_interval_is_refused_not_misread(load: Any) -> None:
    parsed = parse_instruments(VENUE, load("http_get_instruments_linear.json"))
    assert isinstance(parsed, Failure)
    assert isinstance(parsed.failure(), MalformedResponse)
    assert "fundingInterval" in parsed.failure().message
    assert "minutes" in parsed.failure().message


def test_instrument_rules_of_the_older_fixture_once_in_minutes(load: Any) -> None:
    payload = load("http_get_instruments_linear.json")
    for row in payload["result"]["list"]:
        row["fundingInterval"] = row["fundingInterval"] * 60  # hours -> Bybit's minutes
    btc, eth = parse_instruments(VENUE, payload).unwrap()
    assert (btc.market.symbol, eth.market.symbol) == (BTC, ETH)
    assert btc.market.tick_size == Decimal("0.5")
    assert btc.market.lot_size == Decimal("0.001")
    assert btc.market.min_notional == Decimal("5")
    assert (btc.max_order_qty, btc.max_market_qty) == (Decimal("100.0"), Decimal("50.0"))
    assert eth.market.tick_size == Decimal("0.05")
    assert eth.market.lot_size == Decimal("0.01")
    assert btc.market.funding_interval == timedelta(hours=8)
    assert btc.cap is None  # this fixture predates upperFundingRate
    assert next_cursor(payload) == ""


def test_funding_history_rows_oldest_first_with_gap_interval(load: Any) -> None:
    rows = parse_history_rows("bybit", load("http_get_funding_history.json"), "BTCUSDT")
    history = build_history(VENUE, rows.unwrap(), BTC, "BTCUSDT", timedelta(hours=8))
    assert [r.rate for r in history] == [Decimal("0.00015"), Decimal("0.0001")]
    assert history[0].funding_time == datetime(2024, 3, 8, 0, tzinfo=timezone.utc)
    assert history[1].funding_time == datetime(2024, 3, 8, 8, tzinfo=timezone.utc)
    assert history[1].interval == timedelta(hours=8)
    assert all(r.kind is FundingKind.SETTLED for r in history)
    wrong = parse_history_rows("bybit", load("http_get_funding_history.json"), "ETHUSDT")
    assert isinstance(wrong, Failure)  # rows of another symbol are not this one's history


def test_orderbook(load: Any) -> None:
    book = parse_orderbook(VENUE, load("http_get_orderbook.json"), BTC, depth=2).unwrap()
    assert [(lv.price, lv.size) for lv in book.bids] == [
        (Decimal("27450.50"), Decimal("1.500")),
        (Decimal("27450.00"), Decimal("2.000")),
    ]
    assert book.asks[0].price == Decimal("27451.00")
    assert book.timestamp == datetime.fromtimestamp(1709891679, tz=timezone.utc)


def test_positions_signed_flat_omitted_with_venue_liquidation(load: Any) -> None:
    rows = parse_position_rows(VENUE, load("http_get_positions.json"), SymbolLookup(), NOW)
    btc, eth = rows.unwrap()
    assert (btc.position.symbol, btc.position.size) == (BTC, Decimal("0.5"))
    assert (eth.position.symbol, eth.position.size) == (ETH, Decimal("-5.0"))
    assert btc.position.liquidation_price == Decimal("45000.00")
    assert btc.position.entry_price == Decimal("50000.00")
    assert btc.maintenance == Decimal("250.00")


def test_hedge_mode_positions_are_not_supported(load: Any) -> None:
    payload = load("http_get_positions.json")
    payload["result"]["list"][0]["positionIdx"] = 1
    rows = parse_position_rows(VENUE, payload, SymbolLookup(), NOW)
    assert isinstance(rows, Failure) and "hedge mode" in rows.failure().message


def test_wallet_balance(load: Any) -> None:
    balances = parse_wallet_balance(VENUE, load("http_get_wallet_balance.json"), NOW).unwrap()
    by_asset = {b.asset: b for b in balances}
    assert "BTC" not in by_asset  # nothing held
    assert by_asset["USDT"].total == Decimal("1000.50")
    assert by_asset["USDT"].available == Decimal("1000.50")
    assert "ETH" in by_asset  # a borrowed coin is shown, not dropped


def test_fee_rate(load: Any) -> None:
    quote = parse_fee_rate("bybit", load("http_get_fee_rate.json"), "/v5/account/fee-rate")
    assert quote.unwrap().source is FeeSource.ACCOUNT
    assert quote.unwrap().fees.taker == Decimal("0.0006")
    assert quote.unwrap().fees.maker == Decimal("0.0001")


def test_open_and_closed_orders(load: Any) -> None:
    open_orders = parse_orders(VENUE, load("http_get_orders_realtime.json"), SymbolLookup())
    first, second = open_orders.unwrap()
    assert (first.client_order_id, first.side, first.status) == (
        "client-open-1",
        Side.BUY,
        OrderStatus.OPEN,
    )
    assert second.size == Decimal("0.010") and second.average_price is None
    (closed,) = parse_orders(VENUE, load("http_get_orders_history.json"), SymbolLookup()).unwrap()
    assert closed.status is OrderStatus.CANCELED


def test_a_partly_filled_rejected_order_keeps_its_fill(load: Any) -> None:
    (order,) = parse_orders(
        VENUE, load("http_get_order_partially_filled_rejected.json"), SymbolLookup()
    ).unwrap()
    assert order.status is OrderStatus.REJECTED
    assert order.filled_size == Decimal("0.005")
    assert order.average_price == Decimal("30000")
    assert order.reject_reason == "INSUFFICIENT_MARGIN"


def test_an_order_ack_is_ids_only() -> None:
    ack = {"retCode": 0, "retMsg": "OK", "result": {"orderId": "1", "orderLinkId": "a"}}
    assert parse_order_ack("bybit", ack) == Success(("1", "a"))
    refused = {"retCode": 10001, "retMsg": "params error", "result": {}}
    assert isinstance(parse_order_ack("bybit", refused), Failure)
