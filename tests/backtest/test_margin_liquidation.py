"""The backtest models margin and liquidation with the paper venue's rules and reports
how often the buffers acted and what a liquidation cost (issue 21).

Two venues, BTC, hourly settlements, the same mark on both: 100, 104, 108, 113, 113.
Capital 26 (13 per venue). Open at 00:00: long alpha, short beta, 1 BTC each. Beta's short
(equity ~13, maintenance 0.5 %) liquidates near (100 + 13) / 1.005 = 112.4.
From 02:00 beta's rate falls so the spread (~30 % APR) is worth holding (> close 10 %)
but not re-opening (< build 50 %): only margin decides what happens next.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, run_backtest
from atomic_fp.backtest.report import summary
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")
MARKS = ["100", "104", "108", "113", "113"]
BETA = ["0.0001", "0.0001", "0.000045", "0.000045", "0.000045"]


def _rows() -> list[HistoryRow]:
    rows = []
    for hour, mark in enumerate(MARKS):
        for venue, rate in (("alpha", "0.00001"), ("beta", BETA[hour])):
            rows.append(
                HistoryRow(
                    venue=venue,
                    symbol=BTC,
                    venue_symbol="BTC",
                    contract_multiplier=Decimal(1),
                    funding_time=T0 + timedelta(hours=hour),
                    rate=Decimal(rate),
                    interval=timedelta(hours=1),
                    mark_price=Decimal(mark),
                    source="hand",
                )
            )
    return rows


FEES = VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005"))
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.5"),
    close_threshold=Decimal("0.1"),
    max_position=Decimal(1),
    trade_size=Decimal(1),
    fees={"alpha": FEES, "beta": FEES},
    liquidation_buffer=Decimal(0),  # no buffer: the decision never acts on margin
)


def _run(buffer: str) -> tuple[BacktestResult, dict[str, Any]]:
    settings = BacktestSettings(
        config=attrs.evolve(CONFIG, liquidation_buffer=Decimal(buffer)),
        half_spread=Decimal("0.001"),
        capital=Decimal(26),
    )
    result = run_backtest(build_series(_rows()).series, settings, venues=backtest_venue)
    return result, summary(result)["margin"]


def test_without_a_buffer_the_short_is_liquidated_and_its_cost_reported() -> None:
    result, margin = _run("0")
    assert margin["safety_actions"] == 0 and margin["liquidations"] == 1
    (liquidated,) = margin["liquidated"]
    assert (liquidated["venue"], liquidated["symbol"]) == ("beta", "BTC")
    assert Decimal(liquidated["price"]) == 113
    assert Decimal(margin["liquidation_fees"]) == Decimal("1.13")
    # the long was left naked until the rebalance decision's next cycle sold it
    fills = [(f.kind, f.venue) for f in result.fills]
    assert fills == [
        ("open", "alpha"),
        ("open", "beta"),
        ("liquidation", "beta"),
        ("rebalance", "alpha"),
    ]


def test_with_a_buffer_both_legs_close_first_and_nothing_is_liquidated() -> None:
    result, margin = _run("0.05")
    assert margin["liquidations"] == 0 and margin["safety_actions"] == 1
    closes = [(f.time.hour, f.kind, f.venue) for f in result.fills if f.kind == "close"]
    # 02:00: beta's short is (112.4 - 108) / 108 = 4.1 % from liquidation < 5 %
    assert closes == [(2, "close", "alpha"), (2, "close", "beta")]
    (decision,) = [d for d in result.decisions if d.outcome == "close"]
    assert "beta is" in decision.detail and "from liquidation (buffer 5.00%)" in decision.detail
