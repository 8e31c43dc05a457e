"""``atomic-fp watch``: JSON lines per change, the live table, and a clean stop on
SIGINT/SIGTERM. (Streams themselves: tests/streams/.) Two paper venues (REST only) keep
these tests free of any network."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli

CONFIG = """
[venues.paper-a]
kind = "paper"
[venues.paper-a.options]
symbols = "BTC,ETH"
"funding_rate.BTC" = "0.0001"
"funding_hours.BTC" = "8"
"funding_rate.ETH" = "0.0002"
"funding_hours.ETH" = "8"

[venues.paper-b]
kind = "paper"
[venues.paper-b.options]
symbols = "BTC,ETH"
"funding_rate.BTC" = "0.0005"
"funding_hours.BTC" = "1"
"funding_rate.ETH" = "0.00001"
"funding_hours.ETH" = "1"
"""


def _config(directory: Path) -> Path:
    path = directory / "watch.toml"
    path.write_text(CONFIG)
    return path


def test_jsonl_writes_one_object_per_change_with_scans_columns(
    runner: CliRunner, isolated: Path
) -> None:
    config = _config(isolated)
    done = runner.invoke(
        cli, ["--config", str(config), "watch", "--format", "jsonl", "--duration", "0.5"]
    )
    assert done.exit_code == 0, done.output
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert {line["type"] for line in lines} == {"venue", "spreads"}
    venues = {line["venue"]: line for line in lines if line["type"] == "venue"}
    assert venues["paper-a"]["state"] == "rest-only" and venues["paper-a"]["rest_fallback"]
    best = [line for line in lines if line["type"] == "spreads"][-1]["opportunities"][0]
    # the same estimator and fields as `scan --format json` (worked example: 10.95 % vs 438 %)
    assert (best["symbol"], best["long_venue"], best["short_venue"]) == (
        "BTC",
        "paper-a",
        "paper-b",
    )
    assert (best["long_apr"], best["short_apr"], best["spread_apr"]) == ("0.1095", "4.38", "4.2705")
    assert set(best) >= {"net_apr", "cost_apr", "long", "short", "data_age_seconds"}


def test_table_shows_spreads_and_each_venues_stream_state(
    runner: CliRunner, isolated: Path
) -> None:
    config = _config(isolated)
    done = runner.invoke(cli, ["--config", str(config), "watch", "--duration", "0.5"])
    assert done.exit_code == 0, done.output
    for text in ("best funding spreads", "NET APR", "paper-a", "rest-only", "427.05%"):
        assert text in done.stdout


def test_unknown_venue_is_a_usage_error(runner: CliRunner, isolated: Path) -> None:
    config = _config(isolated)
    done = runner.invoke(cli, ["--config", str(config), "watch", "--venues", "nope"])
    assert done.exit_code == 2
    assert "unknown venue 'nope'" in done.output


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_watch_cleanly(isolated: Path, signum: signal.Signals) -> None:
    config = _config(isolated)
    script = Path(sys.executable).with_name("atomic-fp")
    process = subprocess.Popen(
        [str(script), "--config", str(config), "watch", "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=isolated,
        env=dict(os.environ),
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:  # wait until it is watching
            if json.loads(line)["type"] == "spreads" and json.loads(line)["opportunities"]:
                break
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert f"watch stopped ({signum.name})" in stderr
    assert "Traceback" not in stderr


def test_rich_is_imported_only_inside_watchs_table_functions() -> None:
    """Our code imports rich only in the functions that draw watch's table (httpx itself
    imports rich for its own command line when rich is installed: not ours to avoid)."""
    import ast

    root = Path(__file__).resolve().parents[2]
    users = set()
    for path in [
        *root.glob("scripts/*.py"),
        *root.glob("adapters/**/*.py"),
        *root.glob("atomic_fp/**/*.py"),
    ]:
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "rich" for n in names), path
        for inner in ast.walk(tree):
            if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("rich"):
                users.add(path.name)
    assert users == {"watch_render.py", "watch_run.py"}
