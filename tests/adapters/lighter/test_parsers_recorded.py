"""Every recorded real Lighter response parses to the right models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from returns.result import Failure

from adapters.lighter.parsers import (
    parse_balances,
    parse_funding_rates,
    parse_fundings,
    parse_markets,
    parse_next_nonce,
    parse_order_book,
    parse_orders,
    parse_positions,
    parse_ws_frame,
)
from atomic_fp.models import FundingKind, OrderStatus, Side, Symbol
from tests.adapters.lighter._data import LIGHTER, ccxt, eth_market, nautilus

NOW = datetime(2025, 11, 13, 12, 30, tzinfo=timezone.utc)
ETH = Symbol("ETH")


def test_ccxt_order_book_details_gives_the_eth_market() -> None:
    (market,) = parse_markets(ccxt("fetchMarkets"), LIGHTER).unwrap()
    assert market.market_id == 0
    assert market.market.symbol == ETH
    assert market.market.venue_symbol == "0"
    assert market.market.tick_size == Decimal("0.01")
    assert market.market.lot_size == Decimal("0.0001")
    assert market.market.min_size == Decimal("0.0050")
    assert market.market.min_notional == Decimal("10.000000")
    assert market.market.funding_interval == timedelta(hours=1)
    assert market.market.max_leverage == Decimal(20)  # 500 / 1e4 = 5 % initial margin
    assert market.maintenance_margin_fraction == Decimal("0.012")
    assert (market.size_decimals, market.price_decimals) == (4, 2)


def test_nautilus_order_book_details_real_capture() -> None:
    (market,) = parse_markets(nautilus("http_order_book_details.json"), LIGHTER).unwrap()
    assert (market.market_id, market.market.symbol) == (0, ETH)
    assert market.market.tick_size == Decimal("0.01")


def test_ccxt_funding_rates_row_is_an_eight_hour_fraction_carried_per_hourly_settlement() -> None:
    (rate,) = parse_funding_rates(ccxt("fetchFundingRates"), LIGHTER, [eth_market()], NOW).unwrap()
    assert rate.symbol == ETH
    assert rate.kind is FundingKind.CURRENT
    assert rate.interval == timedelta(hours=1)  # Lighter settles hourly
    assert rate.rate == Decimal("0.00009599999999999999") / 8
    assert abs(rate.hourly - Decimal("0.000012")) < Decimal("1e-15")
    assert rate.next_funding_time == datetime(2025, 11, 13, 13, tzinfo=timezone.utc)


def test_funding_rates_keeps_only_lighter_rows() -> None:
    body = {
        "code": 200,
        "funding_rates": [
            {"market_id": 0, "exchange": "binance", "symbol": "ETH", "rate": Decimal("0.0001")},
            {"market_id": 0, "exchange": "lighter", "symbol": "ETH", "rate": Decimal("0.00002")},
            {"market_id": 0, "exchange": "hyperliquid", "symbol": "ETH", "rate": Decimal("0.3")},
        ],
    }
    (rate,) = parse_funding_rates(body, LIGHTER, [eth_market()], NOW).unwrap()
    assert rate.rate == Decimal("0.00002") / 8  # lighter's row, per hourly settlement


def test_nautilus_fundings_signed_by_direction() -> None:
    long_paid, short_paid = parse_fundings(
        nautilus("http_fundings.json"), LIGHTER, eth_market()
    ).unwrap()
    assert long_paid.rate == Decimal("0.000012")  # 0.0012 % per hour, longs paid
    assert short_paid.rate == Decimal("-0.000002")  # 0.0002 %, shorts paid
    assert long_paid.interval == timedelta(hours=1)
    assert long_paid.kind is FundingKind.SETTLED
    assert long_paid.funding_time == datetime.fromtimestamp(1778702400, timezone.utc)
    assert long_paid.funding_time < short_paid.funding_time  # type: ignore[operator]


def test_ccxt_order_book_orders_aggregate_to_levels() -> None:
    book = parse_order_book(ccxt("fetchOrderBook"), LIGHTER, ETH, NOW).unwrap()
    assert [(lvl.price, lvl.size) for lvl in book.bids] == [(Decimal("3429.80"), Decimal("1.3237"))]
    assert [(lvl.price, lvl.size) for lvl in book.asks] == [(Decimal("3430.00"), Decimal("0.2000"))]


def test_nautilus_order_book_orders_real_capture() -> None:
    book = parse_order_book(nautilus("http_order_book_orders.json"), LIGHTER, ETH, NOW).unwrap()
    assert book.best_bid == Decimal("2361.17")
    assert book.best_ask == Decimal("2361.32")


def test_orders_at_one_price_are_summed() -> None:
    order = {"price": "10.0", "remaining_base_amount": "1.5"}
    body = {
        "code": 200,
        "asks": [order, order, {"price": "11.0", "remaining_base_amount": "2"}],
        "bids": [
            {"price": "9.0", "remaining_base_amount": "0"},
            {"price": "8", "remaining_base_amount": "1"},
        ],
    }
    book = parse_order_book(body, LIGHTER, ETH, NOW, depth=5).unwrap()
    assert [(lvl.price, lvl.size) for lvl in book.asks] == [
        (Decimal("10.0"), Decimal("3.0")),
        (Decimal("11.0"), Decimal("2")),
    ]
    assert [lvl.price for lvl in book.bids] == [Decimal("8")]  # empty orders dropped


def test_ccxt_account_with_an_eth_long() -> None:
    (position,) = parse_positions(
        ccxt("fetchPositions"), LIGHTER, 1077, [eth_market()], NOW
    ).unwrap()
    assert position.symbol == ETH
    assert position.size == Decimal("18.0193")
    assert position.entry_price == Decimal("2669.84")
    assert position.liquidation_price == Decimal("2191.1107231380406")
    assert position.unrealized_pnl == Decimal("6197.829558")
    assert position.leverage == Decimal(20)
    # mark = position_value / position = 54306.566340 / 18.0193
    assert position.mark_price is not None
    assert abs(position.mark_price - Decimal("3013.80")) < Decimal("0.01")


def test_short_positions_are_negative_and_flat_rows_skipped() -> None:
    body = ccxt("fetchPositions")
    row = dict(body["accounts"][0]["positions"][0])
    body["accounts"][0]["positions"] = [
        {**row, "sign": -1},
        {**row, "market_id": 0, "position": "0.0000", "sign": 1},
    ]
    (position,) = parse_positions(body, LIGHTER, 1077, [eth_market()], NOW).unwrap()
    assert position.size == Decimal("-18.0193")


def test_nautilus_account_flat_position_row_is_not_a_position() -> None:
    body = nautilus("http_account.json")
    btc = parse_markets(
        {
            "code": 200,
            "order_book_details": [
                {**ccxt("fetchMarkets")["order_book_details"][0], "symbol": "BTC", "market_id": 1}
            ],
        },
        LIGHTER,
    ).unwrap()
    assert parse_positions(body, LIGHTER, 123456, btc, NOW).unwrap() == ()
    usdc, spot = parse_balances(body, LIGHTER, 123456, NOW).unwrap()
    assert (usdc.asset, usdc.total, usdc.available) == (
        "USDC",
        Decimal("0.000000"),
        Decimal("0.000000"),
    )
    assert spot.asset == "USDC:spot"


def test_account_missing_from_the_answer_is_malformed_not_flat() -> None:
    result = parse_positions(ccxt("fetchPositions"), LIGHTER, 999, [eth_market()], NOW)
    assert isinstance(result, Failure)
    assert "999" in result.failure().message


def test_ccxt_balances() -> None:
    usdc, eth_spot, usdc_spot = parse_balances(ccxt("fetchBalance"), LIGHTER, 1077, NOW).unwrap()
    assert usdc.asset == "USDC"
    assert usdc.total == Decimal("15323.479477")  # total_asset_value
    assert usdc.available == Decimal("12606.880799")
    assert (eth_spot.asset, eth_spot.total, eth_spot.available) == (
        "ETH:spot",
        Decimal("3.00000000"),
        Decimal("3.00000000"),
    )
    assert (usdc_spot.total, usdc_spot.available) == (Decimal("989.000000"), Decimal("889.000000"))
    # the sub account of the same answer is read when asked for
    (sub, _) = parse_balances(ccxt("fetchBalance"), LIGHTER, 281474976710608, NOW).unwrap()
    assert sub.total == Decimal("30")


def test_ccxt_accounts_without_positions() -> None:
    assert parse_positions(ccxt("fetchAccounts"), LIGHTER, 1077, [eth_market()], NOW).unwrap() == ()


def test_nautilus_ws_market_stats_frames() -> None:
    single = parse_ws_frame(nautilus("ws_market_stats_subscribed_single.json"), NOW).unwrap()
    (btc,) = single.stats
    assert single.kind == "market_stats"
    assert btc.market_id == 1
    assert btc.mark_price == Decimal("64356.3")
    assert btc.index_price == Decimal("64400.1")
    assert btc.current_funding_hourly == Decimal("-0.000028")  # -0.0028 % per hour
    assert btc.last_funding_hourly == Decimal("-0.000005")
    assert btc.observed_at == datetime.fromtimestamp(1780546209.291, timezone.utc)
    (eth,) = parse_ws_frame(nautilus("ws_market_stats_update_all.json"), NOW).unwrap().stats
    assert (eth.market_id, eth.mark_price) == (0, Decimal("2064.47"))
    (eth_single,) = (
        parse_ws_frame(nautilus("ws_market_stats_update_single.json"), NOW).unwrap().stats
    )
    assert eth_single == eth


def test_other_ws_frames_carry_no_stats() -> None:
    for name in ("ws_ticker_update.json", "ws_order_book_update.json", "ws_height_update.json"):
        assert parse_ws_frame(nautilus(name), NOW).unwrap().stats == ()
    assert parse_ws_frame({"type": "connected"}, NOW).unwrap().kind == "connected"
    assert parse_ws_frame({"type": "ping"}, NOW).unwrap().kind == "ping"


def test_nautilus_next_nonce() -> None:
    assert parse_next_nonce(nautilus("http_next_nonce.json")).unwrap() == 1234567890


def test_nautilus_orders_find_ours_by_client_index() -> None:
    order = parse_orders(nautilus("http_orders.json"), LIGHTER, eth_market(), 42, "cid-42").unwrap()
    assert order is not None
    assert order.side is Side.SELL
    assert order.status is OrderStatus.OPEN
    assert order.size == Decimal("0.0050")
    assert order.venue_order_id == "281476929510110"
    assert (
        parse_orders(nautilus("http_orders.json"), LIGHTER, eth_market(), 43, "x").unwrap() is None
    )


def test_a_market_name_that_is_no_asset_code_is_skipped_not_fatal() -> None:
    eth = ccxt("fetchMarkets")["order_book_details"][0]
    body = {
        "code": 200,
        "order_book_details": [{**eth, "symbol": "odd name!", "market_id": 9}, eth],
    }
    (market,) = parse_markets(body, LIGHTER).unwrap()
    assert market.market_id == 0
    overridden = parse_markets(body, LIGHTER, {"9": (Symbol("ODD"), Decimal(1))}).unwrap()
    assert [m.market.symbol for m in overridden] == [Symbol("ODD"), ETH]
