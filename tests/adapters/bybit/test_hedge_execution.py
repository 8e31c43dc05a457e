"""A live ``atomic-fp execute --yes`` opens a hedge with one leg on Bybit (a Bybit-speaking
server on 127.0.0.1 that checks every signature) and one on a paper venue: both legs
filled, journaled, the Bybit position read back signed and hedged to zero net."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.bybit._client import KEY, SECRET
from tests.adapters.bybit.fake_venue import FakeBybit, serve

CONFIG = """
[venues.bybit]
kind = "bybit"
base_url = "{url}"
api_key_env = "T_BYBIT_KEY"
api_secret_env = "T_BYBIT_SECRET"
[venues.paper]
kind = "paper"
[venues.paper.options]
symbols = "BTC"
"price.BTC" = "65000"
"tick.BTC" = "0.1"
"funding_rate.BTC" = "0.0005"
"funding_hours.BTC" = "1"
state_path = "{state}"
[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]
[journal]
path = "journal.sqlite"
"""


@pytest.fixture
def fake() -> FakeBybit:
    return FakeBybit(KEY, SECRET)


@pytest.fixture
def url(fake: FakeBybit) -> Iterator[str]:
    with serve(fake) as base:
        yield base


def test_execute_opens_a_hedge_with_a_bybit_leg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeBybit, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("T_BYBIT_KEY", KEY)
    monkeypatch.setenv("T_BYBIT_SECRET", SECRET)
    (tmp_path / "atomic-fp.toml").write_text(CONFIG.format(url=url, state=tmp_path / "paper.json"))
    runner = CliRunner()
    result = runner.invoke(cli, ["execute", "--yes", "--format", "json"])
    assert result.exit_code == 0, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    legs = {leg["venue"]: leg["side"] for leg in cycle["signal"]["legs"]}
    assert legs == {"bybit": "buy", "paper": "sell"}  # long the low rate, short the high
    execution = cycle["execution"]
    assert execution["status"] == "complete" and execution["hedged"] is True
    assert {o["outcome"] for o in execution["orders"]} == {"filled"}
    creates = [h for path, h in fake.seen_headers if path == "/v5/order/create"]
    assert len(creates) == 1 and 0 < int(creates[0]["X-BAPI-RECV-WINDOW"]) <= 60_000
    positions = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "0"])
    assert positions.exit_code == 0, positions.output
    held = json.loads(positions.stdout)
    sizes = {(p["venue"], p["symbol"]): p["base_size"] for p in held["positions"]}
    assert sizes == {("bybit", "BTC"): "0.01", ("paper", "BTC"): "-0.01"}
    assert held["net_exposure"] == {"BTC": "0"}
    assert SECRET not in result.output + positions.output
