"""OKX sizes are contracts; a hedge's OKX leg must still hold the same base amount as its
other leg. Both markets come from recorded venue answers (nautilus fixtures, read in place):
Binance ETHUSDT ``exchangeInfo`` and OKX ETH-USDT-SWAP (``ctVal`` 0.1 ETH, ``lotSz`` 0.01
contracts), each through its venue's own parser."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Success

from adapters.binance.parsers import SymbolMap, parse_exchange_info
from adapters.okx.orders import order_body
from adapters.okx.parsing import OkxMarket, parse_instruments
from atomic_fp import sizing
from atomic_fp.models import Market, OrderRequest, OrderType, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

ETH = Symbol("ETH")


def okx_eth() -> OkxMarket:
    path = research_file(
        "nautilus_trader/crates/adapters/okx/test_data/http_get_instruments_swap.json"
    )
    parsed = parse_instruments(ExchangeIdentifier("okx"), json.loads(path.read_text()), {}, {})
    return next(m for m in parsed.unwrap() if m.market.symbol == ETH)


@pytest.fixture(scope="module")
def binance_eth() -> Market:
    path = research_file(
        "nautilus_trader/tests/integration_tests/adapters/binance/resources/http_responses/"
        "http_futures_market_exchange_info.json"
    )
    parsed = parse_exchange_info(
        ExchangeIdentifier("binance"), json.loads(path.read_text()), SymbolMap(), {}
    )
    return next(m.market for m in parsed.unwrap() if m.market.symbol == ETH)


def okx_wire_contracts(market: OkxMarket, size: Decimal) -> Decimal:
    request = OrderRequest(
        exchange=ExchangeIdentifier("okx"),
        symbol=ETH,
        side=Side.SELL,
        size=size,
        client_order_id="afp0123456789abcdef0000",
        order_type=OrderType.LIMIT,
        limit_price=Decimal("3000.01"),
    )
    body = order_body("okx", request, market)
    assert isinstance(body, Success), body
    return Decimal(str(body.unwrap()["sz"]))


def test_one_hedge_holds_the_same_eth_on_okx_and_binance(binance_eth: Market) -> None:
    okx = okx_eth()
    step = sizing.common_base_step([binance_eth, okx.market])
    base = sizing.floor_to_step(Decimal("0.5237"), step)
    long_size = sizing.venue_size(base, binance_eth)  # Binance: ETH
    short_size = sizing.venue_size(base, okx.market)  # OKX model units: ETH
    assert binance_eth.to_base(long_size) == okx.market.to_base(short_size) == base
    contracts = okx_wire_contracts(okx, short_size)
    assert contracts * okx.contract_value == base  # what OKX is sent is the same ETH
    assert base == Decimal("0.523") and contracts == Decimal("5.23")


@settings(max_examples=200, deadline=None)
@given(target=st.decimals(min_value="0.001", max_value="500", places=4))
def test_any_hedge_size_is_equal_in_base_on_both_legs(binance_eth: Market, target: Decimal) -> None:
    okx = okx_eth()
    step = sizing.common_base_step([binance_eth, okx.market])
    base = sizing.floor_to_step(target, step)
    if base <= 0 or base < okx.market.min_size:
        return
    contracts = okx_wire_contracts(okx, sizing.venue_size(base, okx.market))
    assert contracts * okx.contract_value == binance_eth.to_base(
        sizing.venue_size(base, binance_eth)
    )
    assert contracts % Decimal("0.01") == 0  # a whole number of OKX lots
