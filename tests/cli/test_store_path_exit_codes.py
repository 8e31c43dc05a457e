"""A funding store path that cannot be a store is a usage error (exit 2) for every command
that reads or writes it, named with the path; a path where nothing exists yet is "no store
yet" for ``scan`` (its estimates say so), as before.

Before: ``scan --store DIR`` treated a directory as "no funding store" and exited 0, while
``collect --store DIR`` refused the same path (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--offline", "--basis", "avg24h"],
        ["scan", "--offline", "--format", "json"],
        ["collect", "--snapshot", "SNAPSHOT"],
    ],
)
@pytest.mark.parametrize("kind", ["directory", "not a database"])
def test_a_store_path_that_is_no_store_exits_2_naming_it(
    runner: CliRunner, isolated: Path, command: list[str], kind: str
) -> None:
    store = isolated / "store"
    if kind == "directory":
        store.mkdir()
    else:
        store.write_text("funding,rates\n1,2\n")
    if "SNAPSHOT" in command:
        from adapters.snapshot import bundled_snapshot

        snapshot = isolated / "snap.json"
        snapshot.write_text(json.dumps(bundled_snapshot().to_json()))
        command = [str(snapshot) if part == "SNAPSHOT" else part for part in command]
    result = runner.invoke(cli, [*command, "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert f"atomic-fp: error: funding store: {store}" in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_a_store_path_where_nothing_exists_is_no_store_yet(
    runner: CliRunner, isolated: Path
) -> None:
    missing = isolated / "not-yet.sqlite"
    result = runner.invoke(cli, ["scan", "--offline", "--format", "json", "--store", str(missing)])
    assert result.exit_code == 0, result.output
    assert f"no funding store at {missing}" in json.loads(result.stdout)["history"]
    assert not missing.exists()


@pytest.mark.parametrize("kind", ["directory", "missing directory"])
def test_collect_checks_its_export_path_before_collecting(
    runner: CliRunner, isolated: Path, kind: str
) -> None:
    """As every output path (``scripts/atomic_write.py``): refused before the work, named
    as the option. Before: the rates were collected and stored, then the export failed
    as "funding store: cannot write ..." (exit 2 too, but after the work and misnamed)."""
    from adapters.snapshot import bundled_snapshot

    snapshot = isolated / "snap.json"
    snapshot.write_text(json.dumps(bundled_snapshot().to_json()))
    target = isolated / "out"
    if kind == "directory":
        target.mkdir()
        expected = f"--export: {target} is a directory, expected a file name"
    else:
        target = target / "history.csv"
        expected = f"--export: directory {target.parent} does not exist (create it first)"
    store = isolated / "funding.sqlite"
    result = runner.invoke(
        cli,
        ["collect", "--snapshot", str(snapshot), "--store", str(store), "--export", str(target)],
    )
    assert result.exit_code == 2, result.output
    assert f"atomic-fp: error: {expected}" in result.stderr, result.stderr
    assert not store.exists()  # nothing collected: refused first
