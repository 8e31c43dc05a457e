"""Gaps are reported per venue and symbol, never filled with zero, and a decision that
needs a missing rate does not trade."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestSettings, run_backtest
from atomic_fp.backtest.gaps import find_gaps
from atomic_fp.backtest.report import summary
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Symbol

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")


def _row(
    venue: str, hours: float, rate: str, interval: float, mark: str | None = None
) -> HistoryRow:
    return HistoryRow(
        venue, BTC, "BTC", Decimal(1), T0 + timedelta(hours=hours), Decimal(rate),
        timedelta(hours=interval), None if mark is None else Decimal(mark), "test",
    )  # fmt: skip


def test_interval_changes_are_not_gaps_but_missing_rows_are() -> None:
    rows = [_row("binance", h, "0.0001", 8) for h in (0, 8, 16)]
    rows += [_row("binance", h, "0.0001", 4) for h in (20, 24, 28)]  # 8h -> 4h
    rows += [_row("binance", 36, "0.0001", 8)]  # lone "8h" row between 4h rows: one missing
    rows += [_row("binance", h, "0.0001", 4) for h in (40, 44)]
    rows += [_row("binance", 60, "0.0001", 4)]  # 44 -> 60: three 4h settlements missing
    (series,) = build_series(rows).series
    gaps = list(find_gaps(series))
    assert [(g.after, g.before, g.missing) for g in gaps] == [
        (T0 + timedelta(hours=28), T0 + timedelta(hours=36), 1),
        (T0 + timedelta(hours=44), T0 + timedelta(hours=60), 3),
    ]
    assert gaps[0].unknown_from == T0 + timedelta(hours=32, minutes=15)


CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.5"),
    close_threshold=Decimal("0.1"),
    max_position=Decimal(1),
    trade_size=Decimal(1),
)


def test_missing_rates_block_trades_and_are_never_zero() -> None:
    # alpha: hourly from 00:00, low rate (8.76 % APR), marks 100.
    # beta: starts at 02:00, high rate (175 % APR), and misses its 04:00 settlement.
    rows = [_row("alpha", h, "0.00001", 1, "100") for h in range(7)]
    rows += [_row("beta", h, "0.0002", 1) for h in (2, 3, 5, 6)]
    result = run_backtest(
        build_series(rows).series, BacktestSettings(config=CONFIG), venues=backtest_venue
    )

    # before 02:00 beta's rate is unknown (a Failure, not zero): no trade; it opens at 02:00
    assert {f.time for f in result.fills} == {T0 + timedelta(hours=2)}
    assert [(f.venue, f.kind) for f in result.fills] == [("alpha", "open"), ("beta", "open")]
    # funding on beta is booked at 03, 05, 06 -- never at 04, whose rate nobody knows
    beta_paid = [e.time for e in result.funding if e.venue == "beta"]
    assert beta_paid == [T0 + timedelta(hours=h) for h in (3, 5, 6)]
    assert result.missed_in_position == {"beta BTC": 1}
    # while beta was unknown (04:15 - 05:00) the hedge was neither closed nor added to
    assert all(f.time == T0 + timedelta(hours=2) for f in result.fills)
    data = {(s["venue"], s["symbol"]): s for s in summary(result)["data"]["series"]}
    beta = data[("beta", "BTC")]
    assert beta["gaps"] == 1 and beta["missing_settlements"] == 1
    assert beta["missing_in_position"] == 1
    assert beta["gap_list"] == [
        {
            "after": "2026-03-01T03:00:00.000Z",
            "before": "2026-03-01T05:00:00.000Z",
            "expected_interval_hours": "1.00000000",
            "missing": 1,
        }
    ]
    assert data[("alpha", "BTC")]["gaps"] == 0
    assert summary(result)["total"]["missed_settlements_in_position"] == 1


def test_history_end_makes_the_rate_unknown() -> None:
    # beta's history stops at 02:00: from 03:15 it is unknown, so no hedge opens later even
    # though alpha keeps publishing and beta's last rate was attractive.
    rows = [_row("alpha", h, "0.00001", 1, "100") for h in range(8)]
    rows += [_row("beta", h, "0.00001", 1) for h in (0, 1)]
    rows += [_row("beta", 2, "0.0002", 1)]
    window = BacktestSettings(config=CONFIG, end=T0 + timedelta(hours=8))
    result = run_backtest(build_series(rows).series, window, venues=backtest_venue)
    assert [f.time for f in result.fills] == [T0 + timedelta(hours=2)] * 2
    # the open hedge then misses beta's settlements until the window ends (03..07: 5)
    assert result.missed_in_position == {"beta BTC": 5}


def test_interval_at_that_time_drives_the_apr_and_settlement() -> None:
    # alpha settles 0.0002 every 8 h (21.9 % APR), then switches to 4 h (43.8 % APR for the
    # same rate). beta pays nothing. Build threshold 30 %: nothing opens while alpha is on
    # 8 h; the first 4 h settlement (12:00) makes the spread 43.8 % -> net above 30 %.
    config = ArbitrageConfig(
        build_threshold=Decimal("0.30"),
        close_threshold=Decimal("0.05"),
        max_position=Decimal(1),
        trade_size=Decimal(1),
    )
    rows = [_row("alpha", h, "0.0002", 8, "100") for h in (0, 8)]
    rows += [_row("alpha", h, "0.0002", 4, "100") for h in (12, 16, 20)]
    rows += [_row("beta", h, "0", 1) for h in range(21)]
    result = run_backtest(
        build_series(rows).series, BacktestSettings(config=config), venues=backtest_venue
    )
    opened = [f for f in result.fills if f.kind == "open"]
    assert {f.time for f in opened} == {T0 + timedelta(hours=12)}
    assert {(f.venue, f.side.value) for f in opened} == {("alpha", "sell"), ("beta", "buy")}
    alpha_paid = [
        (e.time, e.interval_hours, e.amount) for e in result.funding if e.venue == "alpha"
    ]
    # short 1 BTC at mark 100: -0.0002 * -1 * 100 = +0.02 at each later 4 h settlement
    assert alpha_paid == [
        (T0 + timedelta(hours=16), Decimal(4), Decimal("0.02")),
        (T0 + timedelta(hours=20), Decimal(4), Decimal("0.02")),
    ]
