"""Paradex parsers on recorded and documented responses, and the continuous-funding model.

Recorded: ccxt's Paradex test fixture (MIT; ``ts/src/test/static/response/paradex.json``
@ 058471012169086ef73c651c4f259cfe0cd6dd97, recorded on Paradex testnet mid-2024), copied
in ``data/ccxt_paradex_responses.json`` with its ``_source``. Documented: the
``/funding/data`` page shape of the API reference ("Funding data history": ``next``,
``prev``, ``results``) with the row fields of the ``funding_data.{market_symbol}``
channel (``market``, ``funding_index``, ``funding_premium``, ``funding_rate``,
``created_at``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from returns.result import Failure, Success

from adapters.paradex.parsing import (
    build_funding_history,
    error_extractor,
    parse_book,
    parse_funding_page,
    parse_markets,
    parse_summaries,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PARADEX = ExchangeIdentifier("paradex")
BINANCE = ExchangeIdentifier("binance")
RECORDED = json.loads((Path(__file__).parent / "data" / "ccxt_paradex_responses.json").read_text())


def recorded(name: str, index: int = 0) -> Any:
    return RECORDED[name][index]["httpResponse"]


def btc_markets() -> dict[str, Any]:
    parsed = parse_markets(PARADEX, recorded("fetchMarkets"), {}).unwrap()
    return {m.market.venue_symbol: m for m in parsed}


def test_recorded_markets_give_tick_step_min_notional_cap_and_the_default_period() -> None:
    [btc] = parse_markets(PARADEX, recorded("fetchMarkets"), {}).unwrap()
    market = btc.market
    assert market.symbol == Symbol("BTC") and market.venue_symbol == "BTC-USD-PERP"
    assert market.tick_size == Decimal("0.1") and market.lot_size == Decimal("0.001")
    assert market.min_notional == Decimal("500") and market.settle_asset == "USDC"
    assert btc.max_funding_rate == Decimal("0.02")
    # the 2024 fixture predates funding_period_hours: the documented 8 h default
    assert market.funding_interval == timedelta(hours=8)


def test_funding_period_hours_sets_the_interval_and_options_are_left_out() -> None:
    row = dict(recorded("fetchMarkets")["results"][0], symbol="SOL-USD-PERP",
               base_currency="SOL", funding_period_hours=1)  # fmt: skip
    option = dict(row, symbol="BTC-USD-96000-C", asset_kind="PERP_OPTION")
    parsed = parse_markets(PARADEX, {"results": [row, option]}, {}).unwrap()
    assert [m.market.venue_symbol for m in parsed] == ["SOL-USD-PERP"]
    assert parsed[0].market.funding_interval == timedelta(hours=1)
    bad = parse_markets(PARADEX, {"results": [dict(row, funding_period_hours=0)]}, {})
    assert isinstance(bad, Failure) and "funding_period_hours" in bad.failure().message


def test_recorded_summary_is_a_current_rate_per_period_with_no_settlement_time() -> None:
    [rate] = parse_summaries(
        PARADEX, recorded("fetchTicker_markets_summary"), btc_markets()
    ).unwrap()
    assert rate.kind is FundingKind.CURRENT
    assert rate.rate == Decimal("0.00689938923192")
    assert rate.interval == timedelta(hours=8)
    assert rate.next_funding_time is None  # continuous: no settlement instant
    assert rate.observed_at == datetime.fromtimestamp(1718377977.698, tz=timezone.utc)
    assert rate.mark_price == Decimal("67275.25940213")
    assert rate.index_price == Decimal("66814.28166666")
    assert rate.open_interest == Decimal("152.777") * Decimal("67275.25940213")
    assert rate.cap == Decimal("0.02") and rate.floor == Decimal("-0.02")


def test_rows_of_unknown_markets_are_skipped() -> None:
    assert parse_summaries(PARADEX, recorded("fetchTicker_markets_summary"), {}).unwrap() == ()


def test_apr_of_a_continuous_rate_equals_an_interval_venue_at_the_same_rate_per_period() -> None:
    """0.01 % per 8 h accrued continuously is the same carry per hour as 0.01 % paid at
    each 8 h settlement: both annualise to 0.0001 x 1095 (the module docstring)."""
    [row] = recorded("fetchTicker_markets_summary")["results"]
    payload = {"results": [dict(row, funding_rate="0.0001")]}
    [paradex] = parse_summaries(PARADEX, payload, btc_markets()).unwrap()
    binance = FundingRate(
        exchange=BINANCE, symbol=Symbol("BTC"), rate=Decimal("0.0001"),
        interval=timedelta(hours=8), kind=FundingKind.CURRENT,
        observed_at=paradex.observed_at,
        next_funding_time=paradex.observed_at + timedelta(hours=1),
    )  # fmt: skip
    assert paradex.hourly == binance.hourly == Decimal("0.0000125")
    assert paradex.apr == binance.apr == Decimal("0.1095")


def test_recorded_book_best_levels_first() -> None:
    book = parse_book(PARADEX, recorded("fetchOrderBook"), Symbol("BTC"), 5).unwrap()
    assert book.bids[0].price == Decimal("66810") and book.bids[0].size == Decimal("0.078")
    assert book.asks[0].price == Decimal("67643.2") and len(book.asks) == 3
    assert len(book.bids) == 5
    assert book.timestamp == datetime.fromtimestamp(1718377985.388, tz=timezone.utc)


DOCUMENTED_PAGE = {
    "next": "eyJmaWx0ZXIiOiJNQVJLRVQifQ",
    "prev": None,
    "results": [
        {"market": "BTC-USD-PERP", "funding_index": "10234.51", "funding_premium": "4.2",
         "funding_rate": "0.0000625", "created_at": 1764982800000},
        {"market": "BTC-USD-PERP", "funding_index": "10234.12", "funding_premium": "4.0",
         "funding_rate": "0.00006", "created_at": 1764979200000},
    ],
}  # fmt: skip


def test_documented_funding_page_rows_and_cursor() -> None:
    page = parse_funding_page("paradex", DOCUMENTED_PAGE, "BTC-USD-PERP").unwrap()
    assert page.next_cursor == "eyJmaWx0ZXIiOiJNQVJLRVQifQ"
    assert [row.rate for row in page.rows] == [Decimal("0.0000625"), Decimal("0.00006")]
    last = parse_funding_page("paradex", dict(DOCUMENTED_PAGE, next=None), "BTC-USD-PERP")
    assert last.unwrap().next_cursor is None
    other = parse_funding_page("paradex", DOCUMENTED_PAGE, "ETH-USD-PERP")
    assert isinstance(other, Failure) and isinstance(other.failure(), MalformedResponse)


def test_history_samples_are_oldest_first_in_range_with_the_market_period() -> None:
    market = btc_markets()["BTC-USD-PERP"].market
    page = parse_funding_page("paradex", DOCUMENTED_PAGE, "BTC-USD-PERP").unwrap()
    start = datetime(2025, 12, 6, tzinfo=timezone.utc)
    history = build_funding_history(PARADEX, page.rows, market, start, start + timedelta(hours=1))
    assert [r.funding_time for r in history] == [start]  # the 01:00 sample is out of range
    assert history[0].interval == timedelta(hours=8) and history[0].kind is FundingKind.SETTLED


def test_error_body_is_read_as_identifier_and_message() -> None:
    assert error_extractor({"error": "NOT_FOUND", "message": "market not found"}) == (
        "NOT_FOUND",
        "market not found",
    )
    assert error_extractor("<html>") == (None, None)
    assert isinstance(parse_markets(PARADEX, {"results": "x"}, {}), Failure)
    assert isinstance(parse_markets(PARADEX, {"results": []}, {}), Success)
