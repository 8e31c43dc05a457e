"""Funding units: the hourly fractions of Lighter's three funding sources agree.

Tolerance: ``/fundings`` and ``market_stats`` print a percent per hour with four decimals,
so each is one hourly fraction +- 0.5e-6 (half of 0.0001 %). Agreement within that quantum
is the most the data can show; a unit error (x100 percent/fraction, x8 interval) would be
off by a factor of 8 or more.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

from adapters.lighter.parsers import (
    parse_funding_rates,
    parse_fundings,
    parse_markets,
    parse_ws_frame,
)
from tests.adapters.lighter._data import LIGHTER, ccxt, eth_market, nautilus
from tests.conftest import research_file

QUANTUM = Decimal("0.0000005")
DUMP = "defi_api-lighter-history/lighter_fundings_1h_2026-02-03_to_02-04_129markets.csv"
NOW = datetime(2025, 11, 13, tzinfo=timezone.utc)
INTEREST_BASELINE_HOURLY = Decimal("0.0001") / 8  # 0.01 % per 8 h


def _dump_rows() -> list[dict[str, str]]:
    with research_file(DUMP).open() as handle:
        return list(csv.DictReader(handle))


def _eth_funding_rates_hourly() -> Decimal:
    (rate,) = parse_funding_rates(ccxt("fetchFundingRates"), LIGHTER, [eth_market()], NOW).unwrap()
    return rate.hourly


def test_the_whole_24h_dump_parses_as_percent_per_hour() -> None:
    rows = _dump_rows()
    assert len(rows) == 3096
    by_market: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_market.setdefault(row["symbol"], []).append(row)
    assert len(by_market) == 129
    for symbol, market_rows in by_market.items():
        details = dict(ccxt("fetchMarkets")["order_book_details"][0], symbol=symbol)
        (market,) = parse_markets({"code": 200, "order_book_details": [details]}, LIGHTER).unwrap()
        payload = {
            "code": 200,
            "resolution": "1h",
            "fundings": [
                {
                    "timestamp": int(r["hour_timestamp_s"]),
                    "value": "0",
                    "rate": r["rate_percent_per_hour"],
                    "direction": "long",  # the dump dropped the sign
                }
                for r in market_rows
            ],
        }
        rates = parse_fundings(payload, LIGHTER, market).unwrap()
        assert len(rates) == 24
        for rate, row in zip(
            rates, sorted(market_rows, key=lambda r: int(r["hour_timestamp_s"])), strict=True
        ):
            assert rate.hourly == Decimal(row["rate_percent_per_hour"]) / 100
            # the dump's own annualisation: percent/h x 8760 (same unit as ours x 100)
            assert abs(rate.apr * 100 - Decimal(row["annualized_percent"])) < Decimal("1e-9")


def test_the_dump_sits_at_the_interest_baseline_read_as_percent() -> None:
    counts = Counter(Decimal(r["rate_percent_per_hour"]) for r in _dump_rows())
    mode, seen = counts.most_common(1)[0]
    assert mode == Decimal("0.0012")
    assert seen / sum(counts.values()) > 0.6  # 2,116 of 3,096 rows
    hourly = mode / 100
    assert abs(hourly - INTEREST_BASELINE_HOURLY) <= QUANTUM
    assert hourly * 8760 < Decimal("0.11")  # 10.5 % APR; as a fraction it would be 1,051 %


def test_funding_rates_eight_hour_fraction_agrees_with_fundings_percent_per_hour() -> None:
    from_funding_rates = _eth_funding_rates_hourly()
    long_row, _ = parse_fundings(nautilus("http_fundings.json"), LIGHTER, eth_market()).unwrap()
    eth_dump = [
        Decimal(r["rate_percent_per_hour"]) / 100 for r in _dump_rows() if r["symbol"] == "ETH"
    ]
    eth_baseline = Counter(eth_dump).most_common(1)[0][0]
    for hourly in (long_row.hourly, eth_baseline):
        assert abs(from_funding_rates - hourly) <= QUANTUM
    # the alternatives are far off: fraction-per-hour or percent-per-8h readings
    assert abs(from_funding_rates * 8 - long_row.hourly) > 8 * QUANTUM
    assert abs(from_funding_rates / 100 - long_row.hourly) > 8 * QUANTUM


def test_market_stats_percent_per_hour_agrees_with_funding_rates() -> None:
    # ccxt lighter.ts parseTicker comment (real ETH market_stats, Nov 2025, same month as
    # the ccxt /funding-rates fixture): current_funding_rate "0.0012".
    frame = {
        "type": "update/market_stats",
        "channel": "market_stats:0",
        "timestamp": 1763532000004,
        "market_stats": {
            "market_id": 0,
            "index_price": "3015.56",
            "mark_price": "3013.91",
            "current_funding_rate": "0.0012",
            "funding_rate": "0.0012",
            "funding_timestamp": 1763532000004,
        },
    }
    (stats,) = parse_ws_frame(frame, NOW).unwrap().stats
    assert stats.current_funding_hourly is not None
    assert abs(stats.current_funding_hourly - _eth_funding_rates_hourly()) <= QUANTUM


def test_market_stats_base_interest_rate_is_the_same_baseline() -> None:
    raw = nautilus("ws_market_stats_subscribed_single.json")
    base = Decimal(raw["market_stats"]["base_interest_rate"])  # "0.0100" % per 8 h
    assert abs(base / 100 / 8 - Decimal("0.0012") / 100) <= QUANTUM


def test_fundings_value_is_rate_times_price_only_if_rate_is_a_percent() -> None:
    rows = nautilus("http_fundings.json")["fundings"]
    prices = [Decimal(r["value"]) / (Decimal(r["rate"]) / 100) for r in rows]
    assert all(Decimal(2000) < p < Decimal(2500) for p in prices)  # ETH, 2026
    assert abs(prices[0] - prices[1]) / prices[0] < Decimal("0.01")
