"""``execute``, ``run``, ``positions`` and ``venues`` against paper venues (no network).

Paper venue "a" pays 0.0001 per 8 h (10.95 % APR), "b" 0.0005 per hour (438 % APR): the
worked example of the design, so the signal is long a / short b.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli

PAPER = """
{extra}
[venues.paper-a]
kind = "paper"
[venues.paper-a.options]
symbols = "BTC"
"price.BTC" = "50000"
"funding_rate.BTC" = "0.0001"
"funding_hours.BTC" = "8"
{state_a}
[venues.paper-b]
kind = "tests.cli.external_venue:create"
[venues.paper-b.options]
symbols = "BTC"
"price.BTC" = "50000"
"funding_rate.BTC" = "0.0005"
"funding_hours.BTC" = "1"
{state_b}
[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]
{journal}
"""


def _config(tmp: Path, *, journal: bool = True, extra: str = "", persist: bool = False) -> Path:
    state_a = f'state_path = "{tmp / "a.json"}"' if persist else ""
    state_b = f'state_path = "{tmp / "b.json"}"' if persist else ""
    text = PAPER.format(
        state_a=state_a,
        state_b=state_b,
        extra=extra,
        journal='[journal]\npath = "journal.sqlite"' if journal else "",
    )
    path = tmp / "atomic-fp.toml"
    path.write_text(text)
    return path


def test_dry_run_prints_the_signal_and_the_orders_it_would_send(
    runner: CliRunner, isolated: Path
) -> None:
    _config(isolated)
    result = runner.invoke(cli, ["execute", "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    (cycle,) = data["cycles"]
    assert cycle["action"] == "funding"
    signal = cycle["signal"]
    assert "10.95%" in signal["reason"] and "438.00%" in signal["reason"]
    assert "427.05%" in signal["reason"]
    legs = {leg["venue"]: leg["side"] for leg in signal["legs"]}
    assert legs == {"paper-a": "buy", "paper-b": "sell"}
    orders = cycle["orders_if_sent"]
    assert [o["size"] for o in orders] == ["0.01", "0.01"]
    assert all(o["time_in_force"] == "ioc" for o in orders)
    assert not (isolated / "journal.sqlite").exists()  # a dry run journals nothing


def test_live_needs_yes(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(cli, ["execute"])
    assert result.exit_code == 2
    assert "--yes" in result.stderr


def test_live_needs_a_journal(runner: CliRunner, isolated: Path) -> None:
    _config(isolated, journal=False)
    result = runner.invoke(cli, ["execute", "--yes"])
    assert result.exit_code == 2
    assert "[journal] path" in result.stderr


def test_live_needs_the_credentials_it_names(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("T_ABSENT_KEY", raising=False)
    _config(
        isolated,
        extra='[venues.binance]\napi_key_env = "T_ABSENT_KEY"\napi_secret_env = "T_ABSENT_SECRET"',
    )
    result = runner.invoke(cli, ["execute", "--yes"])
    assert result.exit_code == 2
    assert "$T_ABSENT_KEY" in result.stderr


def test_strategy_sizes_are_required(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text('[venues.paper-a]\nkind = "paper"\n')
    result = runner.invoke(cli, ["execute", "--dry-run", "--symbols", "BTC"])
    assert result.exit_code == 2
    assert "trade_size" in result.stderr


def test_live_execute_fills_both_legs_and_journals(runner: CliRunner, isolated: Path) -> None:
    _config(isolated, persist=True)
    result = runner.invoke(cli, ["execute", "--yes", "--format", "json"])
    assert result.exit_code == 0, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    execution = cycle["execution"]
    assert execution["status"] == "complete" and execution["hedged"] is True
    assert execution["residual_base"] == "0"
    assert set(cycle["quotes"].values()) == {"USD"}  # the quote each paper venue settles in
    assert {o["outcome"] for o in execution["orders"]} == {"filled"}
    assert (isolated / "journal.sqlite").exists()
    positions = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "0"])
    assert positions.exit_code == 0, positions.output
    held = json.loads(positions.stdout)
    sizes = {(p["venue"], p["symbol"]): p["base_size"] for p in held["positions"]}
    assert sizes == {("paper-a", "BTC"): "0.01", ("paper-b", "BTC"): "-0.01"}
    assert held["net_exposure"] == {"BTC": "0"}
    assert held["unhedged"] == {}
    assert {p["journal_base_size"] for p in held["positions"]} == {"0.01", "-0.01"}


def test_execute_exit_1_when_no_venue_answers(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.x]\nkind = "tests.cli.external_venue:down"\n'
        '[venues.y]\nkind = "tests.cli.external_venue:down"\n'
        '[strategy]\ntrade_size = "1"\nmax_position = "1"\nsymbols = ["BTC"]\n'
    )
    result = runner.invoke(cli, ["execute", "--dry-run"])
    assert result.exit_code == 1
    assert "no venue gave funding rates" in result.stderr
    positions = runner.invoke(cli, ["positions"])
    assert positions.exit_code == 1
    assert "NOT COUNTED" in positions.stderr


def test_positions_reports_an_unreadable_venue_as_not_counted(
    runner: CliRunner, isolated: Path
) -> None:
    _config(isolated, extra='[venues.z]\nkind = "tests.cli.external_venue:down"')
    result = runner.invoke(cli, ["positions", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["complete"] is False
    assert "venue is down" in data["not_counted"]["z"]


def test_run_loop_runs_cycles_and_stops(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(
        cli, ["run", "--yes", "--max-cycles", "2", "--interval", "0.01s", "--json-lines"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    assert lines[0]["execution"]["status"] == "complete"
    assert "stopped after 2 cycles" in result.stderr
    assert runner.invoke(cli, ["run"]).exit_code == 2


def test_venues_lists_kinds_and_configured_venues(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    kinds = {k["kind"]: k for k in data["kinds"]}
    assert set(kinds) >= {"binance", "hyperliquid", "grvt", "lighter", "paper"}
    assert "funding_rates" in kinds["binance"]["capabilities"]
    assert "api_secret_env" in kinds["binance"]["credential_keys"]
    configured = {v["id"]: v["kind"] for v in data["configured"]}
    assert configured["paper-b"] == "tests.cli.external_venue:create"


def test_dry_run_decides_what_the_live_cycle_then_does(runner: CliRunner, isolated: Path) -> None:
    """``execute --dry-run`` mirrors the orchestrator's decision order; on the same fresh
    venues the live cycle sends exactly the legs and orders the dry run announced."""
    _config(isolated)
    dry = json.loads(runner.invoke(cli, ["execute", "--dry-run", "--format", "json"]).stdout)
    live = json.loads(runner.invoke(cli, ["execute", "--yes", "--format", "json"]).stdout)
    (planned,), (done,) = dry["cycles"], live["cycles"]
    assert planned["action"] == done["action"] == "funding"

    def legs(cycle: dict[str, object]) -> list[tuple[object, ...]]:
        signal = cycle["signal"]
        assert isinstance(signal, dict)
        return [(leg["venue"], leg["side"], leg["size"]) for leg in signal["legs"]]

    assert legs(planned) == legs(done)
    sent = sorted(
        (o["venue"], o["side"], o["size"], o["limit_price"]) for o in done["execution"]["orders"]
    )
    announced = sorted(
        (o["venue"], o["side"], o["size"], o["limit_price"]) for o in planned["orders_if_sent"]
    )
    assert sent == announced
