"""``funding-history`` through the real Hyperliquid client and parser, on the SDK
cassette's real BTC rows (8-hourly until 2023-06-08 00:00, hourly after)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.conftest import research_file

CASSETTE = "hyperliquid-python-sdk/tests/cassettes/info_test/test_get_funding_history[None].yaml"


@pytest.fixture
def hl_config(isolated: Path) -> Path:
    research_file(CASSETTE)
    path = isolated / "atomic-fp.toml"
    path.write_text('[venues.hl]\nkind = "tests.cli.external_venue:hyperliquid_history"\n')
    return path


def test_csv_history_across_the_8h_to_1h_switch(runner: CliRunner, hl_config: Path) -> None:
    out = hl_config.parent / "btc.csv"
    result = runner.invoke(
        cli,
        [
            "funding-history",
            "hl",
            "BTC",
            "--since",
            "2023-06-07",
            "--until",
            "2023-06-09",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [
        "venue",
        "symbol",
        "venue_symbol",
        "funding_time",
        "rate",
        "interval_hours",
        "apr",
        "mark_price",
    ]
    times = [r["funding_time"] for r in rows]
    assert times == sorted(times)
    assert all(r["venue"] == "hl" and r["symbol"] == "BTC" for r in rows)
    eight = [r for r in rows if r["interval_hours"] == "8"]
    hourly = [r for r in rows if r["interval_hours"] == "1"]
    assert eight and hourly
    assert max(r["funding_time"] for r in eight) < min(r["funding_time"] for r in hourly)
    for row in rows:
        assert Decimal(row["apr"]) == Decimal(row["rate"]) / Decimal(row["interval_hours"]) * 8760
    assert "wrote" in result.stderr


def test_parquet_history(runner: CliRunner, hl_config: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = hl_config.parent / "btc.parquet"
    result = runner.invoke(
        cli,
        [
            "funding-history",
            "hl",
            "BTC",
            "--since",
            "2023-06-01",
            "--until",
            "2023-06-02",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == 3  # 00:00, 08:00, 16:00 while 8-hourly
    assert table.column_names[3] == "funding_time"


def test_failures_write_nothing_and_exit_1(runner: CliRunner, hl_config: Path) -> None:
    out = hl_config.parent / "eth.csv"
    result = runner.invoke(
        cli, ["funding-history", "hl", "ETH", "--since", "2023-06-01", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert not out.exists()
    bad = runner.invoke(
        cli, ["funding-history", "hl", "BTC", "--since", "yesterday", "--out", str(out)]
    )
    assert bad.exit_code == 2
