"""Our mapping from ccxt's unified structures, fed by ccxt's *own* Bitget parsers on
Bitget's documented wire shapes (the outside reference), plus the interval rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import ccxt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.ccxt_venue.parsing import (
    UNKNOWN_INTERVAL_PLACEHOLDER,
    capabilities,
    funding_rate,
    history_cadence,
    order_status,
    parse_interval,
    parse_market,
    parse_order,
)
from atomic_fp.models import FundingKind, FundingRate, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability
from tests.adapters.ccxt_venue.fake_venue import NOW_MS, _contract

BITGET = ExchangeIdentifier("bitget")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _ccxt_bitget() -> Any:
    """ccxt's (sync) Bitget with its markets parsed by ccxt from a documented contract row
    (its REST methods answered in-process: nothing leaves the test)."""
    exchange = ccxt.bitget({"options": {"fetchMarkets": {"types": ["swap"]}}})
    contracts = [_contract("BTCUSDT", "BTC", "1", "1", "0.001")]

    def usdt_only(params: dict[str, Any]) -> dict[str, Any]:
        rows = contracts if params.get("productType") == "USDT-FUTURES" else []
        return {"code": "00000", "data": rows}

    exchange.publicMixGetV2MixMarketContracts = usdt_only
    exchange.fetch_currencies = lambda params=None: {}
    exchange.load_markets()
    return exchange


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h", timedelta(hours=8)),
        ("1h", timedelta(hours=1)),
        ("30m", timedelta(minutes=30)),
        ("4H", timedelta(hours=4)),
        ("1d", timedelta(days=1)),
    ],
)
def test_ccxt_interval_strings(text: str, expected: timedelta) -> None:
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", [None, "", "8", "h", "0h", "-1h", 8, "eight hours"])
def test_a_missing_or_unreadable_interval_is_unknown_never_a_default(text: object) -> None:
    assert parse_interval(text) is None


def test_bitget_tickers_carry_no_interval_so_the_rate_is_left_out_with_why() -> None:
    """ccxt #20894/#27745: Bitget's fetchFundingRates (tickers) leaves ``interval`` None."""
    exchange = _ccxt_bitget()
    raw = exchange.parse_funding_rate(
        {"symbol": "BTCUSDT", "fundingRate": "0.0001", "markPrice": "100", "ts": str(NOW_MS)}
    )
    assert raw["interval"] is None
    rate = funding_rate(
        BITGET, Symbol("BTC"), raw, parse_interval(raw["interval"]), "no interval known", NOW
    )
    assert isinstance(rate, FundingRate)
    assert rate.interval_doubt == "no interval known"
    assert rate.interval == UNKNOWN_INTERVAL_PLACEHOLDER != timedelta(hours=8)


def test_bitget_current_fund_rate_gives_the_interval_in_hours() -> None:
    exchange = _ccxt_bitget()
    raw = exchange.parse_funding_rate(
        {
            "symbol": "BTCUSDT",
            "fundingRate": "0.0002",
            "fundingRateInterval": "4",
            "nextUpdate": str(NOW_MS + 3_600_000),
        }
    )
    assert raw["interval"] == "4h"
    rate = funding_rate(BITGET, Symbol("BTC"), raw, parse_interval(raw["interval"]), "", NOW)
    assert isinstance(rate, FundingRate)
    assert rate.interval == timedelta(hours=4) and rate.interval_doubt is None
    assert rate.rate == Decimal("0.0002") and rate.kind is FundingKind.CURRENT
    # ccxt #28129: fundingTimestamp is an interval off on some exchanges: not trusted
    assert rate.next_funding_time is None


def test_a_structure_without_a_rate_is_a_reason_not_zero() -> None:
    got = funding_rate(
        BITGET, Symbol("BTC"), {"symbol": "BTC/USDT:USDT"}, timedelta(hours=8), "", NOW
    )
    assert isinstance(got, str) and "no fundingRate" in got


def test_bitget_contract_as_our_market() -> None:
    exchange = _ccxt_bitget()
    market = exchange.markets["BTC/USDT:USDT"]
    parsed = parse_market(BITGET, market, {}, timedelta(hours=8))
    assert parsed is not None
    assert parsed.symbol == Symbol("BTC") and parsed.venue_symbol == "BTC/USDT:USDT"
    assert parsed.tick_size == Decimal("0.1") and parsed.lot_size == Decimal("0.001")
    assert parsed.min_notional == Decimal(5) and parsed.settle_asset == "USDT"


def test_spot_and_inverse_markets_are_not_ours() -> None:
    assert parse_market(BITGET, {"swap": False, "linear": None, "base": "BTC"}, {}, None) is None
    inverse = {
        "swap": True,
        "linear": False,
        "base": "BTC",
        "symbol": "BTC/USD:BTC",
        "precision": {"price": 0.1, "amount": 1},
    }
    assert parse_market(BITGET, inverse, {}, None) is None


def test_capabilities_come_from_ccxts_has_map() -> None:
    has = dict(ccxt.bitget().has)
    got = capabilities(has)
    assert Capability.FUNDING_RATES in got and Capability.PLACE_ORDER in got
    has["fetchFundingRates"] = False
    has["createOrder"] = None
    assert Capability.FUNDING_RATES not in capabilities(has)
    assert Capability.PLACE_ORDER not in capabilities(has)
    assert Capability.ORDER_BOOK in capabilities({"fetchOrderBook": "emulated"})


HOUR = 3_600_000


def test_history_cadence_needs_regular_settlements() -> None:
    assert history_cadence([0, HOUR, 2 * HOUR, 3 * HOUR]) == timedelta(hours=1)
    assert history_cadence([0, 8 * HOUR]) is None  # one gap proves nothing
    assert history_cadence([0, 4 * HOUR, 12 * HOUR]) is None  # the interval changed
    assert history_cadence([]) is None


@given(
    st.integers(min_value=1, max_value=24 * 3600),
    st.integers(min_value=3, max_value=20),
    st.integers(min_value=0, max_value=2**40),
)
def test_history_cadence_recovers_any_regular_interval(
    seconds: int, count: int, start: int
) -> None:
    stamps = [start + k * seconds * 1000 for k in range(count)]
    assert history_cadence(list(reversed(stamps))) == timedelta(seconds=seconds)


def test_ccxt_order_statuses() -> None:
    assert order_status({"status": "open", "filled": 0}) is OrderStatus.OPEN
    assert order_status({"status": "open", "filled": 1}) is OrderStatus.PARTIALLY_FILLED
    assert order_status({"status": "closed"}) is OrderStatus.FILLED
    assert order_status({"status": "canceled"}) is OrderStatus.CANCELED
    assert order_status({"status": None}) is OrderStatus.PENDING


def test_a_bitget_order_as_ours_in_base_units() -> None:
    exchange = _ccxt_bitget()
    raw = exchange.parse_order(
        {
            "orderId": "1",
            "clientOid": "atomic-1",
            "symbol": "BTCUSDT",
            "size": "0.002",
            "baseVolume": "0.001",
            "priceAvg": "100",
            "side": "buy",
            "status": "partially_filled",
            "cTime": str(NOW_MS),
            "uTime": str(NOW_MS),
            "force": "gtc",
            "orderType": "limit",
            "price": "100",
        },
        exchange.markets["BTC/USDT:USDT"],
    )
    order = parse_order(BITGET, Symbol("BTC"), raw, "atomic-1", Side.BUY, Decimal(1))
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.size == Decimal("0.002") and order.filled_size == Decimal("0.001")
    assert order.venue_order_id == "1" and order.client_order_id == "atomic-1"


def test_a_market_without_a_known_interval_does_not_carry_8h_and_has_no_stream() -> None:
    """ccxt's market structure has no funding interval: without one resolved, our Market
    must not carry Market's assumed 8 h default; and no stream (the one reader of
    ``Market.funding_interval`` for live rates) is registered for the ccxt kind."""
    from adapters.streams.registry import STREAM_KINDS

    exchange = _ccxt_bitget()
    unknown = parse_market(BITGET, exchange.markets["BTC/USDT:USDT"], {}, None)
    assert unknown is not None
    assert unknown.funding_interval == UNKNOWN_INTERVAL_PLACEHOLDER != timedelta(hours=8)
    known = parse_market(BITGET, exchange.markets["BTC/USDT:USDT"], {}, timedelta(hours=4))
    assert known is not None and known.funding_interval == timedelta(hours=4)
    assert "ccxt" not in STREAM_KINDS
