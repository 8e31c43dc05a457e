"""One JSON contract: every command's JSON output carries ``schema_version`` and validates
against its JSON Schema in ``scripts/schemas/`` (shipped as package data). The outputs
validated here are real ones: the bundled snapshot of real venue responses for ``scan``,
paper venues for ``execute`` and ``positions``, a recorded-shape history for ``backtest``.
``--log-json`` records carry structured fields.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from scripts.cli import cli
from scripts.json_contract import COMMANDS, SCHEMA_VERSION, schema
from tests.cli.test_bad_input import _history
from tests.cli.test_trading_commands import _config
from tests.conftest import REPO_ROOT


def _valid(command: str, output: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(output)
    jsonschema.validate(data, schema(command), cls=jsonschema.Draft202012Validator)
    assert data["schema_version"] == SCHEMA_VERSION and data["command"] == command
    return data


def test_every_schema_is_a_valid_draft_2020_12_schema_shipped_as_package_data() -> None:
    for command in COMMANDS:
        jsonschema.Draft202012Validator.check_schema(schema(command))
        assert schema(command)["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert "schemas/*.json" in project["tool"]["setuptools"]["package-data"]["scripts"]
    on_disk = {p.stem for p in (REPO_ROOT / "scripts" / "schemas").glob("*.json")}
    assert on_disk == set(COMMANDS)


def test_scan_json_validates(runner: CliRunner, isolated: Path) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = _valid("scan", result.stdout)
    assert data["opportunities"] and data["venues"]["binance"]["ok"] is True


def test_scan_json_with_a_failed_venue_validates(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.down]\nkind = "tests.cli.external_venue:down"\n'
        '[venues.p]\nkind = "paper"\noptions = { symbols = "BTC" }\n'
    )
    result = runner.invoke(cli, ["scan", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = _valid("scan", result.stdout)
    assert data["venues"]["down"]["ok"] is False
    assert data["venues"]["down"]["error"]["type"] == "NetworkError"


def test_execute_dry_run_json_validates(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(cli, ["execute", "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = _valid("execute", result.stdout)
    assert data["dry_run"] is True and data["cycles"][0]["orders_if_sent"]


def test_execute_live_and_positions_json_validate(runner: CliRunner, isolated: Path) -> None:
    _config(isolated, persist=True)
    live = runner.invoke(cli, ["execute", "--yes", "--format", "json"])
    assert live.exit_code == 0, live.output
    assert _valid("execute", live.stdout)["cycles"][0]["execution"]["hedged"] is True
    held = runner.invoke(cli, ["positions", "--format", "json"])
    assert held.exit_code == 0, held.output
    data = _valid("positions", held.stdout)
    assert len(data["positions"]) == 2 and data["venues_answered"] == 2


def test_run_json_lines_validate(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(
        cli, ["run", "--yes", "--max-cycles", "2", "--interval", "0.01s", "--json-lines"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert _valid("run", line)["execution"] is not None


def test_positions_json_with_a_venue_not_counted_validates(
    runner: CliRunner, isolated: Path
) -> None:
    _config(isolated, extra='[venues.z]\nkind = "tests.cli.external_venue:down"')
    result = runner.invoke(cli, ["positions", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = _valid("positions", result.stdout)
    assert data["complete"] is False and "z" in data["not_counted"]


def test_venues_json_validates(runner: CliRunner, isolated: Path) -> None:
    result = runner.invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = _valid("venues", result.stdout)
    assert {k["kind"] for k in data["kinds"]} >= {"binance", "hyperliquid", "paper"}
    assert data["source"] == "<defaults>"


def test_backtest_json_and_summary_file_validate(runner: CliRunner, isolated: Path) -> None:
    data_file = _history(isolated / "h.csv")
    result = runner.invoke(
        cli, ["backtest", "--data", str(data_file), "--out-dir", "out", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    printed = _valid("backtest", result.stdout)
    written = _valid("backtest", (isolated / "out" / "summary.json").read_text())
    assert printed == written and printed["total"]["trades"] > 0


def test_reconcile_json_validates(runner: CliRunner, isolated: Path) -> None:
    from tests.cli.test_reconcile_command import mismatched

    mismatched(runner, isolated)
    result = runner.invoke(cli, ["reconcile", "--format", "json"])
    data = _valid("reconcile", result.stdout)
    assert data["symbols"][0]["clean"] is False


def test_collect_json_validates(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.down]\nkind = "tests.cli.external_venue:down"\n'
        '[venues.p]\nkind = "paper"\noptions = { symbols = "BTC" }\n'
    )
    result = runner.invoke(cli, ["collect", "--store", "s.sqlite", "--format", "json"])
    data = _valid("collect", result.stdout)
    assert data["venues"]["p"]["ok"] is True and data["venues"]["down"]["ok"] is False


def test_watch_json_lines_validate(runner: CliRunner, isolated: Path) -> None:
    from tests.cli.test_watch_command import CONFIG

    (isolated / "watch.toml").write_text(CONFIG)
    result = runner.invoke(
        cli,
        [
            "--config",
            str(isolated / "watch.toml"),
            "watch",
            "--format",
            "jsonl",
            "--duration",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [_valid("watch", line) for line in result.stdout.splitlines()]
    assert {line["type"] for line in lines} == {"venue", "spreads"}
    spreads = [line for line in lines if line["type"] == "spreads"][-1]
    bad = {**spreads, "opportunities": [{"symbol": "BTC"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema("watch"), cls=jsonschema.Draft202012Validator)


def test_the_schemas_can_fail() -> None:
    """The contract is not vacuous: a float for a decimal, a missing version, an unknown
    side, a positions report that says complete while a venue is not counted all fail."""
    validator = jsonschema.Draft202012Validator
    scan_schema = schema("scan")
    good = {
        "schema_version": 1,
        "command": "scan",
        "as_of": "2025-12-03T15:12:10.025055Z",
        "source": "live",
        "opportunities": [],
        "venues": {},
    }
    assert validator(scan_schema).is_valid(good)
    assert not validator(scan_schema).is_valid({k: v for k, v in good.items() if k != "command"})
    assert not validator(scan_schema).is_valid({**good, "schema_version": 2})
    assert not validator(scan_schema).is_valid({**good, "as_of": "2025-12-03 15:12"})
    bad_venue = {"ok": True, "kind": "binance", "rates": "21"}
    assert not validator(scan_schema).is_valid({**good, "venues": {"binance": bad_venue}})
    positions = {
        "schema_version": 1,
        "command": "positions",
        "as_of": "2025-12-03T15:12:10Z",
        "venues_answered": 1,
        "positions": [],
        "net_exposure": {"BTC": 0.5},
        "unhedged": {},
        "complete": True,
        "not_counted": {},
        "funding_payments": {},
        "funding_days": 7,
        "journal": None,
    }
    assert not validator(schema("positions")).is_valid(positions)  # a float
    positions["net_exposure"] = {"BTC": "0.5"}
    assert validator(schema("positions")).is_valid(positions)
    positions["not_counted"] = {"x": "x: NetworkError: down"}
    assert not validator(schema("positions")).is_valid(positions)  # complete yet uncounted


def _records(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_log_json_records_carry_structured_fields(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.down]\nkind = "tests.cli.external_venue:down"\n'
        '[venues.p]\nkind = "paper"\noptions = { symbols = "BTC" }\n'
    )
    result = runner.invoke(cli, ["--log-json", "scan", "--format", "json"])
    assert result.exit_code == 0, result.output
    (record,) = [r for r in _records(result.stderr) if r.get("venue") == "down"]
    assert record["command"] == "scan"
    assert record["event"] == "venue_failed"
    assert record["error_type"] == "NetworkError"
    assert record["level"] == "warning" and "venue is down" in record["message"]


@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (
            ["backtest", "--data", "h.csv", "--half-spread", "-1"],
            {"command": "backtest", "error_type": "BadParameter", "exit_code": 2},
        ),
        (
            ["scan", "--snapshot", "missing.json"],
            {"command": "scan", "error_type": "UsageError", "exit_code": 2},
        ),
        (
            [
                "funding-history",
                "rec",
                "BTC",
                "--since",
                "2025-01-01",
                "--until",
                "2025-02-01",
                "--out",
                "h.csv",
            ],
            {"command": "funding-history", "venue": "rec", "symbol": "BTC", "exit_code": 1},
        ),
    ],
)
def test_log_json_errors_say_command_type_and_exit_code(
    runner: CliRunner, isolated: Path, args: list[str], fields: dict[str, Any]
) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.rec]\nkind = "paper"\noptions = { symbols = "BTC" }\n'
    )
    _history(isolated / "h.csv")
    result = runner.invoke(cli, ["--log-json", *args])
    assert result.exit_code == fields["exit_code"]
    records = _records(result.stderr)
    assert records, result.stderr  # JSON lines only: click's plain "Usage:" text is gone
    assert "Usage:" not in result.stderr
    last = records[-1]
    assert last["level"] == "error"
    assert {k: last.get(k) for k in fields} == fields
