"""The kit's order checks (adapters/kit/order_rules.py) on Bybit's ETHUSDT rules as its v5
instruments-info answered (nautilus_trader's recorded ``http_get_instruments_linear.json``:
qtyStep 0.01, minOrderQty 0.01, maxOrderQty 1000, maxMktOrderQty 500, tickSize 0.05,
minNotionalValue 5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.kit.order_rules import decimal_text, order_refusal
from atomic_fp.models import Market, OrderRequest, OrderType, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

BYBIT = ExchangeIdentifier("bybit")
ETHUSDT = Market(
    exchange=BYBIT,
    symbol=Symbol("ETH"),
    venue_symbol="ETHUSDT",
    tick_size=Decimal("0.05"),
    lot_size=Decimal("0.01"),
    min_size=Decimal("0.01"),
    min_notional=Decimal(5),
)
LIMIT_MAX, MARKET_MAX = Decimal(1000), Decimal(500)


def order(size: str, price: str | None = "3000", reduce_only: bool = False) -> OrderRequest:
    return OrderRequest(
        exchange=BYBIT,
        symbol=Symbol("ETH"),
        side=Side.SELL,
        size=Decimal(size),
        client_order_id="c1",
        order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
        limit_price=None if price is None else Decimal(price),
        reduce_only=reduce_only,
    )


@pytest.mark.parametrize(
    ("request_", "largest", "reason"),
    [
        (order("0.015"), LIMIT_MAX, "size 0.015 is not a multiple of the lot step 0.01"),
        (order("0.005"), LIMIT_MAX, "size 0.005 is not a multiple of the lot step 0.01"),
        (order("0.01"), LIMIT_MAX, None),
        (order("1000.01"), LIMIT_MAX, "size 1000.01 is above the maximum 1000"),
        (order("600", None), MARKET_MAX, "size 600 is above the maximum 500"),
        (order("400", None), MARKET_MAX, None),
        (order("0.01", "3000.02"), LIMIT_MAX, "price 3000.02 is not a multiple of the tick 0.05"),
        (order("0.01", "400"), LIMIT_MAX, "notional 4.00 is below the minimum 5"),
        (order("0.01", "400", reduce_only=True), LIMIT_MAX, None),
        (order("2000"), None, None),
    ],
)
def test_order_refusal_names_the_broken_rule(
    request_: OrderRequest, largest: Decimal | None, reason: str | None
) -> None:
    assert order_refusal(request_, ETHUSDT, largest) == reason


def test_a_size_under_the_minimum_is_refused() -> None:
    rules = Market(
        exchange=BYBIT,
        symbol=Symbol("ETH"),
        venue_symbol="ETHUSDT",
        tick_size=Decimal("0.05"),
        lot_size=Decimal("0.01"),
        min_size=Decimal("0.05"),
    )
    assert order_refusal(order("0.02"), rules, None) == "size 0.02 is below the minimum 0.05"


def test_decimal_text_has_no_exponent_or_trailing_zeros() -> None:
    assert decimal_text(Decimal("1E+1")) == "10"
    assert decimal_text(Decimal("0.0100")) == "0.01"
    assert decimal_text(Decimal("3000.50")) == "3000.5"
