"""A history row with fewer cells than its header is refused naming the missing column.

``csv.DictReader``'s rule, which the loaders keep, reads ``None`` for the cells a short
row lacks; the funding-history and fetcher formats then called ``.strip()`` on it: a
traceback (``AttributeError``) and exit 1 for ``atomic-fp backtest --data short.csv``
(found by the column reader's oracle tests, which saw it on both paths). Now: exit 2,
``path:line: <column> is missing``, no traceback. A short row that lacks only optional
cells (``mark_price``, ``contract_multiplier``) loads as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.history.loaders import load_path
from scripts.cli import cli

HEADER = "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price"
FULL = "binance,BTC,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,50000"
FETCHER = "BTC-USDT_binance_2024-01-01_2024-01-02_funding_history.csv"


@pytest.mark.parametrize(
    ("row", "missing"),
    [
        ("binance", "symbol"),
        ("binance,BTC", "funding_time"),
        ("binance,BTC,BTCUSDT,2025-01-01T00:00:00Z", "rate"),
        ("binance,BTC,BTCUSDT,2025-01-01T00:00:00Z,0.0001", "interval_hours"),
    ],
)
def test_a_short_history_row_is_refused_naming_the_missing_column(
    tmp_path: Path, row: str, missing: str
) -> None:
    data = tmp_path / "short.csv"
    data.write_text(f"{HEADER}\n{FULL}\n{row}\n")
    result = CliRunner().invoke(cli, ["backtest", "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"atomic-fp: error: cannot read funding history: {data}:3: "
        f"{missing} is missing: the row has fewer cells than the header"
    )
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize(
    ("row", "missing"), [("BTC-USDT", "Date"), ("BTC-USDT,2024-01-01 00:00:00", "Funding Rate")]
)
def test_a_short_fetcher_row_is_refused_naming_the_missing_column(
    tmp_path: Path, row: str, missing: str
) -> None:
    data = tmp_path / FETCHER
    data.write_text(f"Symbol,Date,Funding Rate\n{row}\n")
    result = CliRunner().invoke(cli, ["backtest", "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"atomic-fp: error: cannot read funding history: {data}:2: "
        f"{missing} is missing: the row has fewer cells than the header"
    )


def test_a_row_short_of_only_optional_cells_loads_as_before(tmp_path: Path) -> None:
    data = tmp_path / "short.csv"
    data.write_text(
        f"{HEADER},contract_multiplier\n{FULL},1\nbinance,BTC,BTCUSDT,2025-01-01T08:00:00Z,0.0002,8\n"
    )
    (first, second) = load_path(data).unwrap()
    assert second.mark_price is None and second.rate == first.rate * 2
    assert second.contract_multiplier == first.contract_multiplier == 1
