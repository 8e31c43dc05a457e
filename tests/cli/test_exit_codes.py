"""Every exit code of the CLI, through click's runner and through the installed script.

0 ok (partial venue failures reported), 1 nothing usable, 2 usage/config, 3 alert.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from adapters.snapshot import Snapshot, bundled_snapshot
from scripts.cli import cli
from tests.cli.fresh_process import run_installed


def _snapshot_with(tmp_path: Path, broken: set[str]) -> Path:
    """The bundled snapshot with every response of ``broken`` venues removed (they then
    answer 404 to every request, like a venue refusing)."""
    bundled = bundled_snapshot()
    venues = tuple(
        attrs.evolve(v, exchanges=()) if v.venue in broken else v for v in bundled.venues
    )
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(Snapshot(bundled.as_of, venues).to_json()))
    return path


def test_exit_0_when_all_venues_answer(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_exit_0_with_partial_failure_reported_in_output_and_stderr(
    runner: CliRunner, isolated: Path
) -> None:
    snap = _snapshot_with(isolated, {"grvt"})
    result = runner.invoke(cli, ["scan", "--snapshot", str(snap), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["venues"]["grvt"]["ok"] is False
    assert data["venues"]["grvt"]["error"]["type"] == "VenueRejected"  # the replay's 404
    assert data["venues"]["binance"]["ok"] is True
    assert "venue grvt left out" in result.stderr
    assert data["opportunities"]


def test_exit_1_when_no_venue_answers(runner: CliRunner, isolated: Path) -> None:
    snap = _snapshot_with(isolated, {"binance", "hyperliquid", "grvt", "lighter"})
    result = runner.invoke(cli, ["scan", "--snapshot", str(snap)])
    assert result.exit_code == 1
    assert "no venue answered" in result.stderr


def test_exit_2_on_usage_errors(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["scan", "--no-such-flag"]).exit_code == 2
    bad_apr = runner.invoke(cli, ["scan", "--offline", "--min-apr", "lots"])
    assert bad_apr.exit_code == 2
    assert "--min-apr" in bad_apr.stderr
    unknown_venue = runner.invoke(cli, ["scan", "--offline", "--venues", "kraken"])
    assert unknown_venue.exit_code == 2
    assert "kraken" in unknown_venue.stderr


def test_exit_2_on_a_broken_config_naming_file_and_key(runner: CliRunner, isolated: Path) -> None:
    config = isolated / "atomic-fp.toml"
    config.write_text('[venues.binance]\nkind = "binance"\ntimeout = "soon"\n')
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 2
    assert str(config) in result.stderr or "atomic-fp.toml" in result.stderr
    assert "venues.binance.timeout" in result.stderr
    assert "expected a positive number of seconds" in result.stderr


def test_exit_2_on_a_missing_config_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--config", "nope.toml", "scan", "--offline"])
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr


def test_exit_3_when_alert_threshold_exceeded(runner: CliRunner) -> None:
    # with each venue's published fees (issue 15) ETH long hyperliquid / short lighter nets
    # 1.59 % a year on the snapshot (BTC binance->hyperliquid 1.58 %)
    result = runner.invoke(cli, ["scan", "--offline", "--alert-above", "1%"])
    assert result.exit_code == 3
    assert "alert" in result.stderr and "ETH" in result.stderr
    quiet = runner.invoke(cli, ["scan", "--offline", "--alert-above", "0.02"])
    assert quiet.exit_code == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["scan", "--offline"], 0),
        (["scan", "--offline", "--alert-above", "0.5%"], 3),
        (["scan", "--offline", "--format", "yaml"], 2),
        (["--help"], 0),
    ],
)
def test_installed_console_script_exit_codes(isolated: Path, args: list[str], code: int) -> None:
    done = run_installed(*args, cwd=isolated)
    assert done.returncode == code, done.stderr
    if args == ["scan", "--offline"]:
        assert done.stdout.splitlines()[0].startswith("symbol\tlong\tshort")


def test_installed_console_script_exit_1(isolated: Path) -> None:
    snap = _snapshot_with(isolated, {"binance", "hyperliquid", "grvt", "lighter"})
    done = run_installed("scan", "--snapshot", str(snap), cwd=isolated)
    assert done.returncode == 1


def test_log_json_makes_every_stderr_line_json(runner: CliRunner, isolated: Path) -> None:
    snap = _snapshot_with(isolated, {"grvt"})
    result = runner.invoke(
        cli, ["--log-json", "-v", "scan", "--snapshot", str(snap), "--alert-above", "0"]
    )
    assert result.exit_code == 3
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"warning", "info"} <= {r["level"] for r in records}
    assert any(r.get("venue") == "grvt" and "left out" in r["message"] for r in records)
    assert any(r.get("event") == "alert" for r in records)
