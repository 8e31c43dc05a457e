"""Every recorded Binance USDⓈ-M response in ../shared/research-data parses to the right
models with the right units.

The nautilus_trader fixtures are LGPL-3.0, so they are read in place through
``research_file`` (never copied); the tests skip where the research data is absent.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure

from adapters.binance.parsers import (
    SymbolMap,
    build_funding_history,
    parse_balances,
    parse_depth,
    parse_exchange_info,
    parse_funding_history,
    parse_funding_info,
    parse_funding_rate_rows,
    parse_income,
    parse_order,
    parse_orders,
    parse_positions,
    parse_premium_index,
)
from atomic_fp.errors import NotSupported
from atomic_fp.models import FundingKind, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

VENUE = ExchangeIdentifier("binance")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
UTC = timezone.utc
NAUTILUS_HTTP = "nautilus_trader/tests/integration_tests/adapters/binance/resources/http_responses/"
NAUTILUS_CRATE = "nautilus_trader/crates/adapters/binance/test_data/futures/http_json/"
SNAPSHOT = "binance-premiumIndex-snapshot/fapi_v1_premiumIndex_all_2024-11-27.json"
SNIPPETS = "binance-docs-snippets/binance_usdm_funding_endpoints_examples.json"


def load(relative: str) -> Any:
    return json.loads(research_file(relative).read_text())


def real_funding_info() -> dict[str, int]:
    rows = load(SNIPPETS)["GET /fapi/v1/fundingInfo"]["real_excerpt"]["response"]
    return dict(parse_funding_info("binance", rows).unwrap())


# ----------------------------------------------------------------------------- premiumIndex


def test_premium_index_snapshot_counts_and_skips() -> None:
    payload = load(SNAPSHOT)
    assert len(payload) == 379
    delisted = {row["symbol"] for row in payload if row["nextFundingTime"] == 0}
    assert delisted == {"BTCUSDT_250328", "ETHUSDT_250328", "BTCUSDT_241227", "ETHUSDT_241227"}

    rates = parse_premium_index(VENUE, payload, SymbolMap(), real_funding_info()).unwrap()
    # 379 = 346 USDT perps + 27 USDC perps + 4 quarterly (nextFundingTime 0) + ETHBTC, BNBBTC;
    # every USDC base also has a USDT perp, and USDT is preferred: one rate per base.
    assert len(rates) == 346
    assert len({r.symbol for r in rates}) == 346
    venue_symbols = {r.venue_symbol for r in rates}
    assert not venue_symbols & delisted
    assert all(v is not None and v.endswith("USDT") for v in venue_symbols)
    assert all(r.kind is FundingKind.CURRENT for r in rates)
    assert all(r.observed_at == datetime(2024, 11, 27, 13, 54, 15, tzinfo=UTC) for r in rates)
    assert all(r.next_funding_time == datetime(2024, 11, 27, 16, 0, tzinfo=UTC) for r in rates)

    usdc_only = parse_premium_index(VENUE, payload, SymbolMap(quotes=("USDC",))).unwrap()
    assert len(usdc_only) == 27
    both = parse_premium_index(VENUE, payload, SymbolMap(quotes=("USDC", "USDT"))).unwrap()
    assert {r.venue_symbol for r in both if r.symbol == Symbol("ETH")} == {"ETHUSDC"}


def test_premium_index_snapshot_exact_values() -> None:
    rates = {
        r.symbol: r
        for r in parse_premium_index(
            VENUE, load(SNAPSHOT), SymbolMap(), real_funding_info()
        ).unwrap()
    }
    btc = rates[Symbol("BTC")]
    assert btc.venue_symbol == "BTCUSDT"
    assert btc.rate == Decimal("0.00013062")
    assert btc.interval == timedelta(hours=8)
    assert btc.mark_price == Decimal("93951.80000000")
    assert btc.index_price == Decimal("93902.89680851")
    assert btc.hourly == Decimal("0.00001632750")
    eth = rates[Symbol("ETH")]
    assert (eth.venue_symbol, eth.rate) == ("ETHUSDT", Decimal("0.00019922"))
    pepe = rates[Symbol("PEPE")]  # 1000PEPEUSDT: a per-unit rate, the unit is 1000 PEPE
    assert (pepe.venue_symbol, pepe.rate) == ("1000PEPEUSDT", Decimal("0.00010000"))
    assert pepe.mark_price == Decimal("0.01835240")
    assert rates[Symbol("BABYDOGE")].venue_symbol == "1MBABYDOGEUSDT"
    assert rates[Symbol("MOG")].venue_symbol == "1000000MOGUSDT"
    assert rates[Symbol("1INCH")].venue_symbol == "1INCHUSDT"  # not "INCH x1"
    # fundingInfo (real excerpt) puts LPT on 4 h: the same rate is twice the hourly rate.
    lpt = rates[Symbol("LPT")]
    assert lpt.interval == timedelta(hours=4)
    assert lpt.rate == Decimal("0.00005000")
    assert lpt.hourly == Decimal("0.0000125")
    assert rates[Symbol("GTC")].interval == timedelta(hours=8)  # listed, but with 8
    assert rates[Symbol("XMR")].rate == Decimal("0.00125932")
    assert rates[Symbol("GLM")].rate == Decimal("-0.00758911")


def test_delisted_rows_stay_out_even_with_an_override() -> None:
    overrides = {"BTCUSDT_250328": (Symbol("BTCQ"), Decimal(1))}
    rates = parse_premium_index(VENUE, load(SNAPSHOT), SymbolMap(overrides=overrides)).unwrap()
    assert Symbol("BTCQ") not in {r.symbol for r in rates}


def test_symbol_overrides_win() -> None:
    overrides = {"1000PEPEUSDT": (Symbol("PEPE2"), Decimal(1000))}
    rates = parse_premium_index(VENUE, load(SNAPSHOT), SymbolMap(overrides=overrides)).unwrap()
    by_symbol = {r.symbol: r.venue_symbol for r in rates}
    assert by_symbol[Symbol("PEPE2")] == "1000PEPEUSDT"
    assert by_symbol[Symbol("PEPE")] == "1000PEPEUSDC"  # the other listing keeps its rule


def test_nautilus_premium_index_single_object() -> None:
    rates = parse_premium_index(
        VENUE, load(NAUTILUS_HTTP + "http_futures_market_premium_index.json"), SymbolMap()
    ).unwrap()
    assert len(rates) == 1
    assert rates[0].rate == Decimal("0.00038246")
    assert rates[0].observed_at == datetime(2020, 8, 14, 2, 1, 35, 2000, tzinfo=UTC)
    assert rates[0].next_funding_time == datetime(2020, 8, 14, 8, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------- fundingInfo


def test_funding_info_real_excerpt_and_docs() -> None:
    assert real_funding_info() == {"BLZUSDT": 4, "GTCUSDT": 8, "LPTUSDT": 4, "UNFIUSDT": 4}
    docs = load(SNIPPETS)["GET /fapi/v1/fundingInfo"]["docs"]
    assert parse_funding_info("binance", docs).unwrap() == {"BLZUSDT": 8}


# ----------------------------------------------------------------------------- exchangeInfo


def test_nautilus_exchange_info() -> None:
    payload = load(NAUTILUS_HTTP + "http_futures_market_exchange_info.json")
    markets = parse_exchange_info(VENUE, payload, SymbolMap(), {"ETHUSDT": 4}).unwrap()
    by_symbol = {m.market.symbol: m for m in markets}
    assert set(by_symbol) == {Symbol("BTC"), Symbol("ETH")}  # BTCUSDT_220325 is a quarterly
    btc = by_symbol[Symbol("BTC")]
    assert btc.venue_symbol == "BTCUSDT"
    assert btc.market.tick_size == Decimal("0.10")
    assert btc.market.lot_size == Decimal("0.001")
    assert btc.market.min_size == Decimal("0.001")
    assert btc.market.min_notional == Decimal("10")
    assert btc.market.settle_asset == "USDT"
    assert btc.market.funding_interval == timedelta(hours=8)
    assert btc.limit_max_qty == Decimal("1000")
    assert by_symbol[Symbol("ETH")].market.funding_interval == timedelta(hours=4)


# ----------------------------------------------------------------------------- depth


def test_nautilus_depth() -> None:
    book = parse_depth(
        VENUE, load(NAUTILUS_HTTP + "http_futures_market_depth.json"), Symbol("BTC")
    ).unwrap()
    assert book.best_bid == Decimal("4.00000000") and book.bids[0].size == Decimal("431")
    assert book.best_ask == Decimal("4.00000200") and book.asks[0].size == Decimal("12")
    assert book.timestamp == datetime(2020, 5, 14, 6, 15, 22, 959000, tzinfo=UTC)  # "T"


# ----------------------------------------------------------------------------- fundingRate


def test_nautilus_funding_rate_history() -> None:
    rates = parse_funding_history(
        VENUE,
        load(NAUTILUS_HTTP + "http_futures_market_funding_rate.json"),
        Symbol("BTC"),
        "BTCUSDT",
    ).unwrap()
    assert [r.rate for r in rates] == [Decimal("-0.03750000"), Decimal("0.00010000")]
    assert [r.funding_time for r in rates] == [
        datetime(2019, 10, 9, 8, 0, tzinfo=UTC),
        datetime(2019, 10, 9, 16, 0, tzinfo=UTC),
    ]
    assert all(r.interval == timedelta(hours=8) for r in rates)  # the 8 h gap
    assert all(r.kind is FundingKind.SETTLED and r.mark_price is None for r in rates)


def _csv_rows(relative: str) -> list[dict[str, str]]:
    with research_file(relative).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("base", ["BTC", "ETH", "SOL"])
def test_real_binance_history_csv_round_trips_through_the_wire_shape(base: str) -> None:
    rows = _csv_rows(
        f"funding_rate_data/derived_csv/binance_{base}_USDT_funding_2025-08_2026-08.csv"
    )
    assert len(rows) == 1095
    wire = [
        {
            "symbol": row["venue_symbol"],
            "fundingRate": row["rate_raw"],
            "fundingTime": int(row["settlement_ts_ms"]),
            "markPrice": row["mark_price"],
        }
        for row in rows
    ]
    # Three pages as the client would fetch them, then one interval derivation.
    pages = [wire[i : i + 1000] for i in range(0, len(wire), 1000)]
    settled = [
        row
        for page in pages
        for row in parse_funding_rate_rows("binance", page, f"{base}USDT").unwrap()
    ]
    rates = build_funding_history("binance", VENUE, settled, Symbol(base)).unwrap()
    assert len(rates) == 1095
    assert [r.rate for r in rates] == [Decimal(row["rate_raw"]) for row in rows]
    assert [r.interval_hours for r in rates] == [Decimal(row["interval_hours"]) for row in rows]
    assert [r.mark_price for r in rates] == [Decimal(row["mark_price"]) for row in rows]
    assert rates == parse_funding_history(VENUE, wire, Symbol(base), f"{base}USDT").unwrap()
    if base == "BTC":
        assert rates[0].rate == Decimal("0.00007757")
        # Binance's settlement jitter is kept: 16:00:00.003
        assert rates[1].funding_time == datetime(2025, 8, 21, 16, 0, 0, 3000, tzinfo=UTC)


def _float_text(value: float) -> str:
    return format(Decimal(repr(value)), "f")


@pytest.mark.parametrize("venue_symbol", ["ORDIUSDT", "TONUSDT", "TIAUSDT", "WIFUSDC"])
def test_real_binance_history_with_4h_and_8h_intervals(venue_symbol: str) -> None:
    """The parquet year holds 4-hourly symbols, one with an 8 h gap mid-series; the
    intervals we derive from the gaps agree with the dataset's, row by row."""
    pq = pytest.importorskip("pyarrow.parquet")
    path: Path = research_file("funding_rate_data/data/funding/venue=binance/data.parquet")
    table = pq.read_table(
        path,
        columns=["venue_symbol", "settlement_ts", "rate_raw", "interval_hours", "mark_price"],
        filters=[("venue_symbol", "=", venue_symbol)],
    ).to_pylist()
    rows = sorted(table, key=lambda r: r["settlement_ts"])
    assert rows
    wire = [
        {
            "symbol": venue_symbol,
            "fundingRate": _float_text(r["rate_raw"]),
            "fundingTime": int(r["settlement_ts"].timestamp() * 1000),
            "markPrice": "" if r["mark_price"] is None else _float_text(r["mark_price"]),
        }
        for r in rows
    ]
    base = venue_symbol[:-4]
    rates = parse_funding_history(VENUE, wire, Symbol(base), venue_symbol).unwrap()
    assert [r.interval_hours for r in rates] == [
        Decimal(str(int(r["interval_hours"]))) for r in rows
    ]
    assert [r.rate for r in rates] == [Decimal(repr(r["rate_raw"])) for r in rows]
    counts = Counter(int(r.interval_hours) for r in rates)
    assert counts[4] > 1000
    if venue_symbol == "ORDIUSDT":
        assert counts == {4: 2188, 8: 1}


# ----------------------------------------------------------------------------- account


def test_nautilus_position_risk_rows() -> None:
    positions = parse_positions(
        VENUE, load(NAUTILUS_CRATE + "position_risk.json"), SymbolMap(), NOW
    ).unwrap()
    assert len(positions) == 1
    btc = positions[0]
    assert btc.symbol == Symbol("BTC") and btc.size == Decimal("0.001")
    assert btc.entry_price == Decimal("50000.0") and btc.mark_price == Decimal("51000.0")
    assert btc.liquidation_price == Decimal("45000.0")
    assert btc.unrealized_pnl == Decimal("1.00000000")
    assert btc.leverage == Decimal("20")
    assert btc.observed_at == NOW


def test_nautilus_one_way_flat_and_hedge_positions() -> None:
    flat = parse_positions(
        VENUE, load(NAUTILUS_HTTP + "http_futures_account_positions_one_way.json"), SymbolMap(), NOW
    )
    assert flat.unwrap() == ()  # the venue said flat: an empty tuple, not a failure
    hedge = parse_positions(
        VENUE, load(NAUTILUS_HTTP + "http_futures_account_positions_hedge.json"), SymbolMap(), NOW
    )
    assert isinstance(hedge, Failure) and isinstance(hedge.failure(), NotSupported)


def test_nautilus_balance() -> None:
    balances = parse_balances(VENUE, load(NAUTILUS_CRATE + "balance.json"), NOW).unwrap()
    assert [(b.asset, b.total, b.available) for b in balances] == [
        ("USDT", Decimal("122.12345678"), Decimal("122.12345678"))
    ]


def test_nautilus_order_response_and_orders() -> None:
    placed = parse_order(VENUE, load(NAUTILUS_CRATE + "order_response.json"), SymbolMap()).unwrap()
    assert placed.status is OrderStatus.OPEN
    assert placed.client_order_id == "testOrder123"
    assert placed.side is Side.BUY
    assert placed.size == Decimal("0.001") and placed.filled_size == 0
    assert placed.average_price is None and placed.venue_order_id == "12345678"
    assert placed.updated_at == datetime(2021, 7, 5, 8, 38, 24, 765000, tzinfo=UTC)
    orders = parse_orders(
        VENUE, load(NAUTILUS_HTTP + "http_futures_account_orders.json"), SymbolMap()
    ).unwrap()
    assert [(o.client_order_id, o.status, o.size) for o in orders] == [
        ("abc", OrderStatus.OPEN, Decimal("0.40"))
    ]


def test_docs_income_rows_are_not_funding() -> None:
    docs = load(SNIPPETS)["GET /fapi/v1/income (incomeType=FUNDING_FEE)"]["docs"]
    assert parse_income(VENUE, docs, SymbolMap()).unwrap() == ()
    funding = [dict(docs[1], incomeType="FUNDING_FEE", income="0.01230000")]
    [row] = parse_income(VENUE, funding, SymbolMap()).unwrap()
    assert row.payment.symbol == Symbol("BTC") and row.payment.amount == Decimal("0.0123")
    assert row.payment.time == datetime(2019, 10, 9, 16, 0, tzinfo=UTC)
