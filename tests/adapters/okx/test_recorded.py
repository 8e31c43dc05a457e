"""OKX parsers on the recorded v5 fixtures of nautilus_trader (LGPL: read in place from
``shared/research-data``, never copied; skipped where that folder is absent)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from returns.result import Failure, Success

from adapters.okx.parsing import (
    build_funding_history,
    parse_book,
    parse_funding_history_rows,
    parse_funding_rates,
    parse_instruments,
    parse_mark_prices,
)
from adapters.okx.parsing_account import (
    parse_balances,
    parse_order,
    parse_positions,
    parse_trade_fee,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

OKX = ExchangeIdentifier("okx")
NOW = datetime(2026, 12, 6, 22, 0, tzinfo=timezone.utc)
FIXTURES = "nautilus_trader/crates/adapters/okx/test_data/"


def recorded(name: str) -> Any:
    path: Path = research_file(FIXTURES + name)
    return json.loads(path.read_text())


def markets() -> dict[str, Any]:
    parsed = parse_instruments(OKX, recorded("http_get_instruments_swap.json"), {}, {})
    assert isinstance(parsed, Success)
    return {m.inst_id: m for m in parsed.unwrap()}


def test_instruments_keep_linear_usdt_swaps_with_base_unit_lots() -> None:
    found = markets()
    # BTC-USD-SWAP is inverse (coin-margined, ctVal 100 USD): left out.
    assert sorted(found) == ["BTC-USDT-SWAP", "ETH-USDT-SWAP"]
    eth = found["ETH-USDT-SWAP"]
    assert eth.market.symbol == Symbol("ETH")
    assert eth.contract_value == Decimal("0.1")  # ctVal 0.1 ETH per contract
    assert eth.market.lot_size == Decimal("0.001")  # lotSz 0.01 contracts x 0.1 ETH
    assert eth.market.min_size == Decimal("0.001")
    assert eth.market.tick_size == Decimal("0.01")
    assert eth.market.contract_multiplier == 1
    assert eth.market.settle_asset == "USDT"
    assert eth.market.max_leverage == 100
    assert eth.max_market_size == Decimal("2000")  # maxMktSz 20000 contracts x 0.1
    btc = found["BTC-USDT-SWAP"]
    assert btc.contract_value == Decimal("0.01")
    assert btc.market.lot_size == Decimal("0.0001")
    assert btc.to_contracts(Decimal("0.05")) == 5


def test_the_funding_push_gives_the_interval_from_next_minus_this_settlement() -> None:
    by_inst = {k: v.market for k, v in markets().items()}
    parsed = parse_funding_rates(OKX, recorded("ws_funding_rate.json"), by_inst, NOW)
    assert isinstance(parsed, Success)
    [rate] = parsed.unwrap()
    assert rate.symbol == Symbol("BTC")
    assert rate.rate == Decimal("0.0001")
    # fundingTime 1744590349506, nextFundingTime 1744619149506: 8 h apart
    assert rate.interval == timedelta(hours=8)
    assert rate.next_funding_time == datetime.fromtimestamp(1744590349.506, tz=timezone.utc)
    assert rate.observed_at == datetime.fromtimestamp(1744590349.506, tz=timezone.utc)
    assert rate.kind is FundingKind.CURRENT
    assert rate.venue_symbol == "BTC-USDT-SWAP"


def test_funding_history_uses_the_paid_rate_and_real_gaps() -> None:
    rows = parse_funding_history_rows(
        "okx", recorded("http_get_funding_rate_history.json"), "BTC-USDT-SWAP"
    )
    assert isinstance(rows, Success)
    built = build_funding_history(
        OKX, rows.unwrap(), Symbol("BTC"), "BTC-USDT-SWAP", timedelta(hours=8)
    )
    assert isinstance(built, Success)
    older, newer = built.unwrap()
    # realizedRate (paid), not fundingRate: -0.00002 and 0.00015
    assert (older.rate, newer.rate) == (Decimal("-0.00002"), Decimal("0.00015"))
    assert newer.funding_time == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert older.interval == newer.interval == timedelta(hours=8)
    assert all(r.kind is FundingKind.SETTLED for r in (older, newer))


def test_history_rows_of_another_instrument_are_refused() -> None:
    rows = parse_funding_history_rows(
        "okx", recorded("http_get_funding_rate_history.json"), "ETH-USDT-SWAP"
    )
    assert isinstance(rows, Failure)
    assert isinstance(rows.failure(), MalformedResponse)


def test_book_levels_are_converted_from_contracts() -> None:
    book = parse_book(OKX, recorded("http_get_order_book.json"), Symbol("BTC"), 2, Decimal("0.01"))
    assert isinstance(book, Success)
    b = book.unwrap()
    assert [level.price for level in b.bids] == [Decimal("41006.7"), Decimal("41006.6")]
    assert b.bids[0].size == Decimal("0.48792100") * Decimal("0.01")
    assert b.asks[0].price == Decimal("41006.8")
    assert b.timestamp == datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_positions_are_signed_base_sizes_with_the_venues_liquidation_price() -> None:
    parsed = parse_positions(OKX, recorded("http_get_positions.json"), markets(), NOW)
    assert isinstance(parsed, Success)
    [position] = parsed.unwrap()
    assert position.symbol == Symbol("BTC")
    assert position.size == Decimal("0.005")  # pos 0.5 contracts x 0.01 BTC, posSide long
    assert position.liquidation_price == Decimal("9000")
    assert position.mark_price == Decimal("10000")
    assert position.entry_price == Decimal("10000")
    assert position.leverage == Decimal("10.0")


def test_a_short_in_long_short_mode_is_negative() -> None:
    payload = recorded("http_get_positions.json")
    payload["data"][0]["posSide"] = "short"
    parsed = parse_positions(OKX, payload, markets(), NOW)
    assert isinstance(parsed, Success)
    assert parsed.unwrap()[0].size == Decimal("-0.005")


def test_balances_read_equity_and_available() -> None:
    parsed = parse_balances(OKX, recorded("http_get_account_balance.json"), NOW)
    assert isinstance(parsed, Success)
    [usdt] = parsed.unwrap()
    assert usdt.asset == "USDT"
    assert usdt.total == Decimal("99.89469657000001")
    assert usdt.available == Decimal("94.42612990333333")


def test_a_pending_order_parses_with_base_sizes() -> None:
    parsed = parse_order(OKX, recorded("http_get_orders_pending.json"), markets())
    assert isinstance(parsed, Success)
    order = parsed.unwrap()
    assert order.client_order_id == "client-order-1"
    assert order.status is OrderStatus.OPEN
    assert order.side is Side.BUY
    assert order.size == Decimal("0.001")  # 0.10 contracts x 0.01 BTC
    assert order.filled_size == 0
    assert order.average_price is None  # avgPx "0" before any fill
    assert order.venue_order_id == "1234567890123456789"


def test_a_filled_order_flips_the_fee_sign_to_a_cost() -> None:
    payload = recorded("http_get_orders_history.json")
    payload["data"][0]["clOrdId"] = "afp00000000000000000000"
    parsed = parse_order(OKX, payload, markets())
    assert isinstance(parsed, Success)
    order = parsed.unwrap()
    assert order.status is OrderStatus.FILLED
    assert order.filled_size == order.size == Decimal("0.0003")
    assert order.fee == Decimal("0.021776769")  # OKX "-0.021776769": charged
    assert order.average_price == Decimal("103698.9")


def test_an_order_without_a_client_id_is_malformed_not_guessed() -> None:
    parsed = parse_order(OKX, recorded("http_get_orders_history.json"), markets())
    assert isinstance(parsed, Failure)
    assert isinstance(parsed.failure(), MalformedResponse)


def test_trade_fee_signs_are_flipped_to_costs() -> None:
    """The recorded (spot) answer's -0.0008 / -0.001 are okx.com/fees' spot Lv1 0.080 % /
    0.100 %: negative means charged."""
    quote = parse_trade_fee("okx", recorded("http_get_trade_fee_response.json"))
    assert isinstance(quote, Success)
    fees = quote.unwrap().fees
    assert (fees.maker, fees.taker) == (Decimal("0.0008"), Decimal("0.001"))
    assert "Lv1" in quote.unwrap().detail


def test_mark_prices_by_instrument() -> None:
    marks = parse_mark_prices("okx", recorded("http_get_mark_price.json"))
    assert isinstance(marks, Success)
    assert marks.unwrap() == {"BTC-USDT-SWAP": Decimal("84660.1")}
