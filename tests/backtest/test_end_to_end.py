"""``atomic-fp backtest`` end to end: the Binance/Bybit/Hyperliquid Aug 2025 - Aug 2026 year
for BTC, ETH and SOL, deterministic to the byte; the Parquet gives the same result as its
CSV copy; exit codes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.backtest_command import backtest
from tests.conftest import research_file

DERIVED = "funding_rate_data/derived_csv"
ARGS = ["--build-threshold", "0.15", "--close-threshold", "0.02", "--format", "json"]
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def _run(args: list[str]) -> tuple[int, str]:
    """Exit code and stdout (stderr carries warnings and errors)."""
    result = CliRunner().invoke(backtest, args, catch_exceptions=False)
    return result.exit_code, result.stdout


def _run_err(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(backtest, args, catch_exceptions=False)
    return result.exit_code, result.output


def test_research_year_end_to_end_and_deterministic(tmp_path: Path) -> None:
    data = research_file(DERIVED)
    outputs = []
    for name in ("first", "second"):
        out_dir = tmp_path / name
        args = ["--data", str(data), "--out-dir", str(out_dir), *ARGS]
        if HAS_MATPLOTLIB:
            args += ["--plot", str(out_dir / "chart.png")]
        code, text = _run(args)
        assert code == 0, text
        files = sorted(p.name for p in out_dir.iterdir())
        outputs.append({n: (out_dir / n).read_bytes() for n in files})
        outputs[-1]["stdout"] = text.encode()
    assert outputs[0] == outputs[1]  # byte-identical: summary, trades, equity, chart, stdout
    names = set(outputs[0])
    assert {"summary.json", "trades.csv", "equity.csv"} <= names
    if HAS_MATPLOTLIB:
        assert outputs[0]["chart.png"].startswith(b"\x89PNG")
    summary = json.loads(outputs[0]["summary.json"])
    assert summary["venues"] == ["binance", "bybit", "hyperliquid"]
    assert summary["symbols"] == ["BTC", "ETH", "SOL"]
    assert summary["window"]["from"] == "2025-08-21T05:00:00.055Z"
    assert all(s["gaps"] == 0 for s in summary["data"]["series"])
    total = summary["total"]
    assert total["trades"] > 0 and total["fills"] == 2 * total["trades"]
    assert set(summary["per_symbol"]) == {"BTC", "ETH", "SOL"}
    # the parts add up
    parts = sum(
        float(total[k]) * sign
        for k, sign in (("funding", 1), ("fees", -1), ("slippage", -1), ("price_pnl", 1))
    )
    assert abs(parts - float(total["net_pnl"])) < 1e-6
    trades = outputs[0]["trades.csv"].decode().splitlines()
    assert len(trades) == 1 + total["fills"]
    assert json.loads(outputs[0]["stdout"]) == summary


def test_parquet_gives_the_same_result_as_its_csv_copy(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    parquet = research_file("funding_rate_data/data/funding")
    csv_copy = research_file(DERIVED)
    pick = ["--symbols", "BTC,SOL", "--from", "2026-01-01", "--to", "2026-04-01"]
    code, from_csv = _run(["--data", str(csv_copy), *pick, *ARGS])
    assert code == 0
    code, from_parquet = _run(["--data", str(parquet), "--venues", "binance,bybit,hyperliquid",
                               *pick, *ARGS])  # fmt: skip
    assert code == 0
    a, b = json.loads(from_csv), json.loads(from_parquet)
    # the Parquet also holds the USDC-margined twins; they are named, not merged
    assert any("BTCUSDC" in w for w in b["data"]["warnings"])
    assert a["window"] == b["window"]
    # The CSV copy rounds Binance mark prices to 4 decimals (114778.21648188 ->
    # 114778.2165), so money differs in the 8th significant digit; the trading is identical.
    for block_a, block_b in [(a["total"], b["total"])] + [
        (a["per_symbol"][s], b["per_symbol"][s]) for s in ("BTC", "SOL")
    ]:
        for key in ("trades", "trades_by_kind", "fills", "time_in_market"):
            assert block_a[key] == block_b[key]
        for key in ("funding", "fees", "slippage", "net_pnl"):
            x, y = float(block_a[key]), float(block_b[key])
            assert abs(x - y) <= 1e-6 * max(1.0, abs(x))


def test_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "alpha,BTC,BTCUSDT,2026-01-01T00:00:00Z,0.0001,8,100\n"
        "beta,BTC,BTC,2026-01-01T00:00:00Z,0.0004,4,\n"
        "beta,BTC,BTC,2026-01-01T04:00:00Z,0.0004,4,\n"
    )
    code, text = _run(["--data", str(path), "--format", "json"])
    assert code == 0 and json.loads(text)["venues"] == ["alpha", "beta"]
    code, text = _run_err(["--data", str(path), "--symbols", "ETH", "--format", "json"])
    assert code == 1 and "no funding history" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    code, text = _run_err(["--data", str(bad)])
    assert code == 2 and "unrecognised columns" in text
    code, text = _run_err(["--data", str(tmp_path / "missing.csv")])
    assert code == 2
    code, text = _run_err(["--data", str(path), "--from", "2026-02-01", "--to", "2026-01-01"])
    assert code == 2 and "--to must be after --from" in text
    code, text = _run(["--data", str(path), "--format", "table"])
    assert code == 0 and "TOTAL" in text


def test_text_chart_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import atomic_fp.backtest.chart as chart

    monkeypatch.setattr(chart, "matplotlib_available", lambda: False)
    path = tmp_path / "h.csv"
    rows = ["venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price"]
    for hour in range(12):
        rows.append(f"alpha,BTC,BTCUSDT,2026-01-01T{hour:02d}:00:00Z,0.00001,1,100")
        rate = "0.0002" if hour < 6 else "0.00001"
        rows.append(f"beta,BTC,BTC,2026-01-01T{hour:02d}:00:00Z,{rate},1,")
    path.write_text("\n".join(rows) + "\n")
    png = tmp_path / "chart.png"
    result = CliRunner().invoke(
        backtest, ["--data", str(path), "--plot", str(png), "--format", "table"]
    )
    assert result.exit_code == 0, result.output
    assert not png.exists()
    assert "needs matplotlib" in result.output
    assert "net PnL" in result.stdout and "█" in result.stdout  # the hedge was open 00-06
