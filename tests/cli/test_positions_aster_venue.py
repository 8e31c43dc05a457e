"""``atomic-fp positions`` and ``collateral`` read an Aster venue's account end to end: TOML
``kind = "aster"`` with the API-wallet env vars, against the local Aster that verifies every
v3 signature (``tests/adapters/aster/fake_venue.py``). The short's liquidation price and
distance are the venue's (``positionRisk``), equity and maintenance margin the account's
(``accountWithJoinMargin``), funding the account's FUNDING_FEE income rows."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.aster._client import AGENT, AGENT_KEY, USER
from tests.adapters.aster.fake_venue import FakeAster, serve


@pytest.fixture
def aster(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAster]:
    fake = FakeAster({USER: AGENT})
    fake.positions["ASTERUSDT"] = Decimal("-1000")
    monkeypatch.setenv("ASTER_USER", USER)
    monkeypatch.setenv("ASTER_SIGNER", AGENT)
    monkeypatch.setenv("ASTER_SIGNER_KEY", AGENT_KEY)
    with serve(fake) as url:
        (isolated / "atomic-fp.toml").write_text(
            f'[venues.aster]\nkind = "aster"\nbase_url = "{url}"\n'
            'user_env = "ASTER_USER"\nsigner_env = "ASTER_SIGNER"\n'
            'private_key_env = "ASTER_SIGNER_KEY"\n'
        )
        yield fake


def test_positions_shows_the_venue_liquidation_distance_margin_and_funding(
    runner: CliRunner, aster: FakeAster
) -> None:
    an_hour_ago = int(time.time() * 1000) - 3_600_000
    aster.income.append(
        {"symbol": "ASTERUSDT", "incomeType": "FUNDING_FEE", "income": "0.03003000",
         "asset": "USDT", "info": "", "time": an_hour_ago, "tranId": "81", "tradeId": ""}
    )  # fmt: skip
    result = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (row,) = data["positions"]
    assert (row["venue"], row["symbol"]) == ("aster", "ASTER")
    assert Decimal(row["base_size"]) == Decimal(-1000)
    assert row["liquidation_source"] == "venue"
    assert Decimal(row["liquidation_price"]) == Decimal("0.1639")
    distance = (Decimal("0.1639") - Decimal("0.15015")) / Decimal("0.15015")
    assert abs(Decimal(row["liquidation_distance"]) - distance) < Decimal("1e-12")
    margin = data["margins"]["aster"]
    assert Decimal(margin["equity"]) == Decimal("1000.5")
    assert Decimal(margin["maintenance_margin"]) == Decimal("0.75075")  # 0.5 % of 150.15
    assert Decimal(row["funding_payments"]) == Decimal("0.03003")
    assert AGENT_KEY not in result.output


def test_collateral_reads_the_aster_margin(runner: CliRunner, aster: FakeAster) -> None:
    result = runner.invoke(cli, ["collateral", "--format", "json"])
    assert result.exit_code == 0, result.output
    venue = json.loads(result.stdout)["venues"]["aster"]
    assert venue["ok"] is True and venue["asset"] == "USDT"
    assert Decimal(venue["equity"]) == Decimal("1000.5")
    assert any(path == "/fapi/v3/accountWithJoinMargin" for _, path, _ in aster.requests)
