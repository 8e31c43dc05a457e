"""``atomic-fp positions`` per hedge (issue 21, item 4): both legs, liquidation price and
distance (estimated ones marked), margin ratio per venue, funding earned and net PnL.

Same two paper venues as tests/cli/test_collateral_command.py: long 1 BTC with 30,000,
short 1 BTC with 10,000, mark 100,000, maintenance 0.5 %: liquidation 70,351.76 (29.65 %)
and 109,452.74 (9.45 %); margin ratios 500/30,000 and 500/10,000.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from scripts.cli import cli
from tests.cli.test_collateral_command import _setup


def test_positions_json_per_hedge(runner: CliRunner, isolated: Path) -> None:
    _setup(isolated)
    result = runner.invoke(cli, ["positions", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["venue"]: r for r in data["positions"]}
    short = rows["short-venue"]
    assert short["liquidation_source"] == "estimated"  # the paper venue publishes none
    assert abs(Decimal(short["liquidation_price"]) - Decimal("109452.7363")) < Decimal("0.001")
    assert abs(Decimal(short["liquidation_distance"]) - Decimal("0.0945274")) < Decimal("1e-6")
    assert Decimal(short["margin_ratio"]) == Decimal("0.05")
    assert Decimal(rows["long-venue"]["margin_ratio"]) == Decimal("0.016666666667")  # 1/60
    assert short["funding_earned"] == "0"  # payments answered, none yet: 0, not unknown
    (hedge,) = data["hedges"]
    assert hedge["legs"] == ["long-venue", "short-venue"]
    assert Decimal(hedge["net_base_size"]) == 0
    assert Decimal(hedge["net_pnl"]) == 0  # filled at the mark, no funding yet
    assert hedge["closest_liquidation"]["venue"] == "short-venue"
    assert data["margins"]["short-venue"]["ok"] is True


def test_positions_table_marks_estimates_and_summarises_the_hedge(
    runner: CliRunner, isolated: Path
) -> None:
    _setup(isolated)
    result = runner.invoke(cli, ["positions"])
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    for column in ("HEDGE", "LIQ PRICE", "LIQ DIST", "MARGIN RATIO", "FUNDING", "UPNL"):
        assert column in header
    assert "109452.74*" in result.stdout and "70351.76*" in result.stdout
    assert "BTC hedge: net 0" in result.stdout
    assert "closest liquidation 9.45% on short-venue" in result.stdout
