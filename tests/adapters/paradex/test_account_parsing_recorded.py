"""Paradex account parsers on recorded responses: ccxt's Paradex fixture (MIT;
``ts/src/test/static/response/paradex.json`` @ 058471012169086ef73c651c4f259cfe0cd6dd97,
testnet, mid-2024, in ``data/ccxt_paradex_responses.json``): ``GET /balance``,
``GET /positions`` (a SOL long), ``GET /orders-history`` (an order closed by
``ORDER_SIZE_BELOW_MIN``); and the margin parameters of its ``/markets`` row read as
paradex-py's ``xm_perp_margin`` reads them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from returns.result import Failure

from adapters.paradex.account_parsing import (
    parse_account_margin,
    parse_balances,
    parse_order,
    parse_positions,
)
from adapters.paradex.parsing import ParadexMarket, parse_markets
from atomic_fp.models import Market, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PARADEX = ExchangeIdentifier("paradex")
NOW = datetime(2024, 7, 31, tzinfo=timezone.utc)
RECORDED = json.loads((Path(__file__).parent / "data" / "ccxt_paradex_responses.json").read_text())


def recorded(name: str) -> Any:
    return RECORDED[name][0]["httpResponse"]


def sol_market() -> dict[str, ParadexMarket]:
    market = Market(
        exchange=PARADEX,
        symbol=Symbol("SOL"),
        venue_symbol="SOL-USD-PERP",
        tick_size=Decimal("0.001"),
        lot_size=Decimal("0.1"),
        min_size=Decimal("0.1"),
        settle_asset="USDC",
    )
    return {"SOL-USD-PERP": ParadexMarket(market, maintenance_rate=Decimal("0.025"))}


def test_recorded_balance() -> None:
    [balance] = parse_balances(PARADEX, recorded("fetchBalance"), NOW).unwrap()
    assert (balance.asset, balance.total, balance.available) == (
        "USDC",
        Decimal("78.544"),
        Decimal("78.544"),
    )


def test_the_settlement_assets_available_is_the_accounts_free_collateral() -> None:
    summary = {"settlement_asset": "USDC", "free_collateral": "20.1"}
    [balance] = parse_balances(PARADEX, recorded("fetchBalance"), NOW, summary).unwrap()
    assert (balance.total, balance.available) == (Decimal("78.544"), Decimal("20.1"))


def test_recorded_position_is_a_signed_long_with_its_unrealised_funding() -> None:
    [position] = parse_positions(PARADEX, recorded("fetchPositions"), sol_market(), NOW).unwrap()
    assert (position.symbol, position.size) == (Symbol("SOL"), Decimal("3"))
    assert position.entry_price == Decimal("183.06499451")
    assert position.unrealized_pnl == Decimal("-2.84428356")
    assert position.cumulative_funding == Decimal("-0.00059564")
    assert position.liquidation_price is None  # recorded as ""


def test_recorded_order_closed_below_min_size_is_rejected_with_its_reason() -> None:
    row = {**recorded("fetchOrders")["results"][0], "client_id": "c-1"}  # recorded: ""
    order = parse_order(PARADEX, row, sol_market()).unwrap()
    assert (order.side, order.size, order.filled_size) == (Side.BUY, Decimal("0.3"), Decimal(0))
    assert order.status is OrderStatus.REJECTED
    assert order.reject_reason == "ORDER_SIZE_BELOW_MIN"
    assert order.venue_order_id == "1721903808500201709220290000"


def test_an_order_without_a_client_id_is_malformed_not_guessed() -> None:
    """The recorded order has ``client_id: ""``; our orders always carry one, so an answer
    without it cannot be matched to what we sent."""
    row = recorded("fetchOrders")["results"][0]
    assert isinstance(parse_order(PARADEX, row, sol_market()), Failure)


def test_closed_orders_map_by_what_filled_and_why() -> None:
    base = {**recorded("fetchOrders")["results"][0], "client_id": "c-1"}
    cases = [
        ({"status": "CLOSED", "remaining_size": "0", "cancel_reason": ""}, OrderStatus.FILLED),
        ({"status": "CLOSED", "remaining_size": "0.1", "cancel_reason": "USER_CANCELED"},
         OrderStatus.CANCELED),
        ({"status": "CLOSED", "remaining_size": "0.3", "cancel_reason": "USER_CANCELED"},
         OrderStatus.CANCELED),
        ({"status": "OPEN", "remaining_size": "0.1"}, OrderStatus.PARTIALLY_FILLED),
        ({"status": "OPEN", "remaining_size": "0.3"}, OrderStatus.OPEN),
        ({"status": "NEW", "remaining_size": "0.3"}, OrderStatus.PENDING),
    ]  # fmt: skip
    for change, status in cases:
        assert parse_order(PARADEX, {**base, **change}, sol_market()).unwrap().status is status


def test_recorded_market_margin_params_give_imf_base_times_mmf_factor() -> None:
    """Recorded BTC row: imf_base 0.02, mmf_factor 0.5 -> 1 % of notional (paradex-py
    ``xm_perp_margin``: ``MMR = |size| x price x imf_base x mmf_factor``)."""
    [btc] = parse_markets(PARADEX, recorded("fetchMarkets"), {}).unwrap()
    assert btc.maintenance_rate == Decimal("0.01")


def test_account_margin_from_the_account_summary() -> None:
    positions = parse_positions(PARADEX, recorded("fetchPositions"), sol_market(), NOW).unwrap()
    summary = {  # paradex-py AccountSummaryResponse fields
        "account": "0x5d8d",
        "account_value": "75.7",
        "free_collateral": "20.1",
        "initial_margin_requirement": "54.9",
        "maintenance_margin_requirement": "27.46",
        "settlement_asset": "USDC",
        "status": "ACTIVE",
        "total_collateral": "78.544",
        "updated_at": 1722426261489,
    }
    margin = parse_account_margin(PARADEX, summary, positions, sol_market(), NOW).unwrap()
    assert (margin.asset, margin.equity, margin.maintenance_margin) == (
        "USDC",
        Decimal("75.7"),
        Decimal("27.46"),
    )
    assert margin.maintenance_rates == {Symbol("SOL"): Decimal("0.025")}
    assert isinstance(parse_account_margin(PARADEX, {"account": "x"}, (), {}, NOW), Failure)
