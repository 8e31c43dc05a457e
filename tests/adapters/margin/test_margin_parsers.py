"""Every native venue's account answer parsed into the margin model (issue 21, item 1).

Outside references: ccxt's recorded real Hyperliquid and Lighter accounts and GRVT account
summary (MIT), GRVT's api-spec docs example, Binance's documented ``/fapi/v2/account`` and
``positionRisk`` examples (nautilus_trader, LGPL: read in place, never copied). The
estimator is checked against liquidation prices the venues themselves published.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from adapters._http import loads
from adapters.binance.margin import parse_account_margin as binance_margin
from adapters.binance.parsers import SymbolMap
from adapters.binance.parsers import parse_positions as binance_positions
from adapters.grvt.margin import parse_account_margin as grvt_margin
from adapters.hyperliquid.margin import parse_account_margin as hl_margin
from adapters.lighter.margin import parse_account_margin as lighter_margin
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import LiquidationSource
from tests.adapters.grvt._data import VENUE as GRVT
from tests.adapters.grvt._data import docs_sections, real_response
from tests.adapters.hyperliquid._data import ccxt_bodies
from tests.adapters.lighter._data import LIGHTER, ccxt, eth_market
from tests.conftest import research_file

NOW = datetime(2025, 12, 3, 15, tzinfo=UTC)
BINANCE = ExchangeIdentifier("binance")
HL = ExchangeIdentifier("hyperliquid")
BINANCE_DOCS = "nautilus_trader/crates/adapters/binance/test_data/futures/http_json/"


def _binance(name: str) -> Any:
    return loads(research_file(BINANCE_DOCS + name).read_bytes())


def _close(a: Decimal | None, b: Decimal, tolerance: Decimal = Decimal("0.0001")) -> bool:
    return a is not None and abs(a - b) / b < tolerance


# --- Binance ------------------------------------------------------------------------


def test_binance_documented_account_and_position_risk() -> None:
    symbols = SymbolMap()
    positions = binance_positions(BINANCE, _binance("position_risk.json"), symbols, NOW).unwrap()
    margin = binance_margin(
        BINANCE, _binance("account_info_v2.json"), positions, symbols, NOW
    ).unwrap()
    assert (margin.asset, margin.equity) == ("USDT", Decimal("23.72469206"))
    assert margin.maintenance_margin == Decimal(0)
    assert margin.margin_ratio == Decimal(0)
    (leg,) = margin.legs
    assert leg.symbol == Symbol("BTC")
    assert (leg.liquidation_price, leg.source) == (Decimal("45000.0"), LiquidationSource.VENUE)
    assert leg.liquidation_distance == Decimal("6000") / Decimal("51000")


def test_binance_margin_ratio_is_maint_over_margin_balance_and_a_zero_price_is_estimated() -> None:
    """Binance documents ``liquidationPrice "0"`` as none; with totals known we estimate."""
    account = json.loads(research_file(BINANCE_DOCS + "account_info_v2.json").read_text())
    account |= {"totalMarginBalance": "1000", "totalMaintMargin": "40"}
    account["positions"][0] |= {"positionAmt": "-1", "maintMargin": "40"}
    row = json.loads(research_file(BINANCE_DOCS + "position_risk.json").read_text())[0]
    row |= {"positionAmt": "-1", "markPrice": "4000", "liquidationPrice": "0"}
    symbols = SymbolMap()
    positions = binance_positions(BINANCE, loads(json.dumps([row])), symbols, NOW).unwrap()
    margin = binance_margin(BINANCE, loads(json.dumps(account)), positions, symbols, NOW).unwrap()
    assert margin.margin_ratio == Decimal("0.04")
    (leg,) = margin.legs
    # by hand: 1000 - (p - 4000) = 40 p / 4000  ->  5000 = 1.01 p  ->  p = 4950.495...
    assert leg.source is LiquidationSource.ESTIMATED
    assert _close(leg.liquidation_price, Decimal("4950.495049"))


# --- Hyperliquid ----------------------------------------------------------------------


def test_hyperliquid_recorded_cross_short_uses_the_venue_liquidation_px() -> None:
    body = ccxt_bodies("fetchPositions_clearinghouseState")[1]
    margin = hl_margin(HL, body, NOW).unwrap()
    assert (margin.asset, margin.equity) == ("USDC", Decimal("11524.216934"))
    assert margin.maintenance_margin == Decimal("38.8818")
    assert margin.margin_ratio == Decimal("38.8818") / Decimal("11524.216934")
    assert margin.observed_at == datetime.fromtimestamp(1728568314.070, UTC)
    sol = margin.leg(Symbol("SOL"))
    assert sol is not None and sol.source is LiquidationSource.VENUE
    assert sol.liquidation_price == Decimal("22881.19788911")
    eth = margin.leg(Symbol("ETH"))  # liquidationPx null: no price liquidates this long
    assert eth is not None and eth.liquidation_price is None and eth.source is None


def test_our_estimate_reproduces_hyperliquids_published_liquidation_px() -> None:
    """Strip the venue's price: the documented rule (maintenance = half the initial margin
    at max leverage 50x = 1 % of notional) gives the same price Hyperliquid published."""
    body = ccxt_bodies("fetchPositions_clearinghouseState")[1]
    for entry in body["assetPositions"]:
        entry["position"]["liquidationPx"] = None
    sol = hl_margin(HL, body, NOW).unwrap().leg(Symbol("SOL"))
    assert sol is not None and sol.source is LiquidationSource.ESTIMATED
    assert _close(sol.liquidation_price, Decimal("22881.19788911"))


# --- GRVT -----------------------------------------------------------------------------


def test_grvt_recorded_account_summary_without_positions() -> None:
    margin = grvt_margin(GRVT, real_response("fetchBalance"), {}, NOW).unwrap()
    assert (margin.asset, margin.equity) == ("USDT", Decimal("16.569711"))
    assert margin.maintenance_margin == Decimal(0) and margin.legs == ()
    assert margin.observed_at.year == 2025


def test_grvt_documented_account_summary_with_a_position() -> None:
    body = docs_sections("trading_api.md")["full/v1/account_summary"]["response"]
    margin = grvt_margin(GRVT, body, {}, NOW).unwrap()
    assert margin.maintenance_margin == Decimal("123456.78")
    assert margin.margin_ratio == Decimal(1)
    (leg,) = margin.legs
    assert (leg.liquidation_price, leg.source) == (Decimal("60000.25"), LiquidationSource.VENUE)


# --- Lighter --------------------------------------------------------------------------


def test_lighter_recorded_account_and_derived_maintenance_margin() -> None:
    market = eth_market()  # maintenance_margin_fraction 120 / 1e4 = 1.2 %
    margin = lighter_margin(ccxt("fetchPositions"), LIGHTER, 1077, [market], NOW).unwrap()
    assert (margin.asset, margin.equity) == ("USDC", Decimal("15298.072264000002"))
    assert margin.maintenance_margin == Decimal("54306.566340") * Decimal("0.012")
    (leg,) = margin.legs
    assert leg.source is LiquidationSource.VENUE
    assert leg.liquidation_price == Decimal("2191.1107231380406")


def test_our_estimate_reproduces_lighters_published_liquidation_price() -> None:
    body = ccxt("fetchPositions")
    body["accounts"][0]["positions"][0]["liquidation_price"] = "0"  # Lighter: "0" = none
    (leg,) = lighter_margin(body, LIGHTER, 1077, [eth_market()], NOW).unwrap().legs
    assert leg.source is LiquidationSource.ESTIMATED
    assert _close(leg.liquidation_price, Decimal("2191.1107231380406"))


def test_lighter_unknown_maintenance_fraction_is_unknown_not_zero() -> None:
    market = eth_market()

    blind = attrs.evolve(market, maintenance_margin_fraction=None)
    margin = lighter_margin(ccxt("fetchPositions"), LIGHTER, 1077, [blind], NOW).unwrap()
    assert margin.maintenance_margin is None and margin.margin_ratio is None


def test_malformed_account_is_a_failure_naming_the_field() -> None:
    result = hl_margin(HL, {"marginSummary": {}, "assetPositions": []}, NOW)
    assert "accountValue" in str(result.failure())
