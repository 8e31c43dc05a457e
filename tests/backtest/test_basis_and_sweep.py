"""The backtest under an estimator (``--basis``) and ``backtest --sweep``.

- The trailing averages the backtest's decisions see equal the live estimator's
  (:func:`atomic_fp.decisions.estimators.hourly_average`) on the research year
  (``ZuShen168/funding_rate_data``, MIT, read in place), row by row.
- A one-hour spike opens a hedge on the settled rate but not on its 24 h average, and
  funding is always settled with the real rates.
- The sweep's results do not depend on how many processes ran it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from returns.result import Failure

from adapters.history.loaders import load_path
from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestSettings, run_backtest
from atomic_fp.backtest.estimated import trailing_signals, with_basis
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.backtest.sweep import (
    GridPoint,
    PointResult,
    grid,
    run_sweep,
    sweep_csv,
    sweep_table,
    verdict,
)
from atomic_fp.decisions.estimators import Basis, hourly_average
from atomic_fp.models import ArbitrageConfig, FundingKind, FundingRate, Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.cli import cli

RESEARCH = (
    Path(__file__).resolve().parents[3] / "shared/research-data/funding_rate_data/derived_csv"
)
needs_research = pytest.mark.skipif(not RESEARCH.is_dir(), reason="research data not present")
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")
FEES = VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005"))


@needs_research
@pytest.mark.parametrize("venue", ["binance", "hyperliquid"])
@pytest.mark.parametrize("basis", [Basis.AVG24H, Basis.AVG7D])
def test_trailing_signals_equal_the_live_estimator(venue: str, basis: Basis) -> None:
    rows = load_path(next(RESEARCH.glob(f"{venue}_BTC_*.csv"))).unwrap()
    (series,) = build_series(rows).series
    window = basis.window
    assert window is not None
    signals = trailing_signals(series, window)
    settled = [
        FundingRate(
            exchange=ExchangeIdentifier(venue),
            symbol=BTC,
            rate=rate,
            interval=interval,
            kind=FundingKind.SETTLED,
            observed_at=when,
            funding_time=when,
        )
        for when, rate, interval in zip(series.times, series.rates, series.intervals, strict=True)
    ]
    step = max(1, len(series) // 150)
    checked = 0
    for row in [*range(0, 200), *range(200, len(series), step)]:
        expected = hourly_average(settled[max(0, row - 200) : row + 1], series.times[row], window)
        if isinstance(expected, Failure):
            assert signals[row] is None, row
        else:
            hours = Decimal(series.intervals[row] // timedelta(hours=1))
            assert signals[row] == expected.unwrap()[0] * hours, row
            checked += 1
    assert checked > 100


def _row(venue: str, hour: int, rate: str) -> HistoryRow:
    return HistoryRow(
        venue=venue,
        symbol=BTC,
        venue_symbol="BTC",
        contract_multiplier=Decimal(1),
        funding_time=T0 + timedelta(hours=hour),
        rate=Decimal(rate),
        interval=timedelta(hours=1),
        mark_price=Decimal(100) if venue == "alpha" else None,
        source="hand",
    )


def _spike_series() -> list[HistoryRow]:
    """Two hourly venues for 3 days: alpha flat at 0.00001 / h; beta 0.00003 / h (a 17.5 %
    APR spread: 7.1 % net of the 10.4 % fee APR) except one hour (hour 48) at 0.001 / h
    = 876 % APR."""
    rows = []
    for hour in range(72):
        rows.append(_row("alpha", hour, "0.00001"))
        rows.append(_row("beta", hour, "0.001" if hour == 48 else "0.00003"))
    return rows


def _settings(build: str = "0.5", close: str = "0.1") -> BacktestSettings:
    config = ArbitrageConfig(
        build_threshold=Decimal(build),
        close_threshold=Decimal(close),
        max_position=Decimal(1),
        trade_size=Decimal(1),
        fees={"alpha": FEES, "beta": FEES},
    )
    return BacktestSettings(config=config, half_spread=Decimal("0.0001"), capital=Decimal(1000))


def test_a_one_hour_spike_trades_on_current_not_on_its_average() -> None:
    series = build_series(_spike_series()).series
    current = run_backtest(series, _settings(), venues=backtest_venue)
    assert any(d.outcome == "open" for d in current.decisions)
    # the 24 h average at hour 48 is (23 x 0.00003 + 0.001) / 24 = 7.04e-5 / h: a 52.9 %
    # APR spread minus 10.4 % fees = 42.5 %: below the 50 % build threshold
    averaged = run_backtest(
        [with_basis(s, Basis.AVG24H) for s in series], _settings(), venues=backtest_venue
    )
    assert not averaged.decisions and not averaged.fills
    # before the 24 h window is covered (up to one interval: 23 hourly settlements, the
    # first at hour 22) the decisions see no rate at all, never a zero
    first_day = build_series(
        [r for r in _spike_series() if r.funding_time < T0 + timedelta(hours=24)]
    ).series
    early = run_backtest(
        [with_basis(s, Basis.AVG24H) for s in first_day],
        _settings(build="0.05", close="0"),
        venues=backtest_venue,
    )
    assert min(f.time for f in early.fills) == T0 + timedelta(hours=22)


def test_funding_is_settled_with_the_real_rates() -> None:
    series = build_series(_spike_series()).series
    averaged = run_backtest(
        [with_basis(s, Basis.AVG24H) for s in series],
        attrs.evolve(_settings(build="0.05", close="0"), end=T0 + timedelta(hours=50)),
        venues=backtest_venue,
    )
    beta_48 = [
        e for e in averaged.funding if e.venue == "beta" and e.time == T0 + timedelta(hours=48)
    ]
    assert [e.rate for e in beta_48] == [Decimal("0.001")]


def test_predicted_cannot_be_backtested() -> None:
    (series, *_) = build_series(_spike_series()).series
    with pytest.raises(ValueError, match="settled rates only"):
        with_basis(series, Basis.PREDICTED)


def test_grid_skips_points_that_close_above_build() -> None:
    points = grid(
        [Basis.CURRENT], [Decimal("0.1"), Decimal("0.2")], [Decimal("0.05"), Decimal("0.15")]
    )
    assert [(p.build, p.close) for p in points] == [
        (Decimal("0.1"), Decimal("0.05")),
        (Decimal("0.2"), Decimal("0.05")),
        (Decimal("0.2"), Decimal("0.15")),
    ]


def test_sweep_results_do_not_depend_on_the_process_count() -> None:
    series = build_series(_spike_series()).series
    points = grid(
        [Basis.CURRENT, Basis.AVG24H],
        [Decimal("0.05"), Decimal("0.5")],
        [Decimal("-0.05"), Decimal("0")],
    )
    alone = run_sweep(series, _settings(), points, venues=backtest_venue, jobs=1)
    pooled = run_sweep(series, _settings(), points, venues=backtest_venue, jobs=2)
    assert alone == pooled
    assert [r.point for r in alone] == points
    table = sweep_table(alone)
    assert any(line.startswith(("best:", "nothing beats fees")) for line in table.splitlines())
    assert next(iter(csv.DictReader(io.StringIO(sweep_csv(alone)))))["basis"] == "current"


@needs_research
def test_sweep_cli_writes_the_table_and_heat_map(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "backtest",
            "--data",
            str(RESEARCH),
            "--symbols",
            "BTC",
            "--from",
            "2025-09-01",
            "--to",
            "2025-09-15",
            "--sweep",
            "--build-thresholds",
            "0.1,0.3",
            "--close-thresholds",
            "0,0.05",
            "--bases",
            "current,avg24h",
            "--jobs",
            "1",
            "--out-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open()))
    assert [(r["basis"], r["build_threshold"], r["close_threshold"]) for r in rows] == [
        ("current", "0.1", "0"),
        ("current", "0.1", "0.05"),
        ("current", "0.3", "0"),
        ("current", "0.3", "0.05"),
        ("avg24h", "0.1", "0"),
        ("avg24h", "0.1", "0.05"),
        ("avg24h", "0.3", "0"),
        ("avg24h", "0.3", "0.05"),
    ]
    for row in rows:  # net = funding - fees - slippage (+ price pnl, zero here: one price)
        net = Decimal(row["funding"]) - Decimal(row["fees"]) - Decimal(row["slippage"])
        assert abs(Decimal(row["net_pnl"]) - net) <= Decimal("0.00000002")
    assert (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "8 grid points" in result.stderr


def test_sweep_and_basis_usage_errors(tmp_path: Path) -> None:
    data = tmp_path / "h.csv"
    data.write_text(
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "alpha,BTC,BTC,2026-01-01T00:00:00Z,0.0001,8,100\n",
        "utf-8",
    )
    runner = CliRunner()
    bad_basis = runner.invoke(cli, ["backtest", "--data", str(data), "--basis", "predicted"])
    assert bad_basis.exit_code == 2
    bad_bases = runner.invoke(
        cli, ["backtest", "--data", str(data), "--sweep", "--bases", "predicted"]
    )
    assert bad_bases.exit_code == 2 and "current, avg24h, avg7d" in bad_bases.output
    bad_number = runner.invoke(
        cli, ["backtest", "--data", str(data), "--sweep", "--build-thresholds", "lots"]
    )
    assert bad_number.exit_code == 2 and "'lots' is not a number" in bad_number.output


def _result(basis: Basis, build: str, net: str, trades: int) -> PointResult:
    return PointResult(
        point=GridPoint(basis, Decimal(build), Decimal(0)),
        net_pnl=Decimal(net),
        funding=Decimal(0),
        fees=Decimal(0),
        slippage=Decimal(0),
        return_on_capital=None,
        max_drawdown=Decimal(0),
        trades=trades,
        time_in_market=None,
    )


def test_the_verdict_says_when_nothing_beats_fees() -> None:
    losing = [
        _result(Basis.CURRENT, "0.1", "-700", 500),
        _result(Basis.AVG7D, "0.1", "-0.45", 4),
        _result(Basis.AVG7D, "0.2", "0", 0),
    ]
    lines = verdict(losing)
    assert lines[0] == "nothing beats fees: no grid point earned after fees and slippage"
    assert lines[1].startswith(
        "least loss while trading: basis avg7d, build 0.1, close 0: net -0.45"
    )
    assert lines[2] == "1 point(s) never opened a hedge (net 0)"
    earning = [*losing, _result(Basis.AVG24H, "0.3", "12.5", 3)]
    assert verdict(earning) == [
        "best: basis avg24h, build 0.3, close 0: net 12.50 (funding 0.00, fees 0.00, "
        "slippage 0.00; 3 trades)"
    ]


@needs_research
def test_backtest_basis_from_the_command_line_and_the_config(tmp_path: Path) -> None:
    args = ["backtest", "--data", str(RESEARCH), "--symbols", "BTC", "--format", "json"]
    args += ["--from", "2025-09-01", "--to", "2025-09-08"]
    runner = CliRunner()
    averaged = runner.invoke(cli, [*args, "--basis", "avg24h"])
    assert averaged.exit_code == 0, averaged.output
    assert json.loads(averaged.stdout)["basis"] == "avg24h"
    config = tmp_path / "c.toml"
    config.write_text('[strategy]\nbasis = "avg7d"\n', "utf-8")
    configured = runner.invoke(cli, [*args, "--config", str(config)])
    assert configured.exit_code == 0, configured.output
    assert json.loads(configured.stdout)["basis"] == "avg7d"
    assert json.loads(runner.invoke(cli, args).stdout)["basis"] == "current"
