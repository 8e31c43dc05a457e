"""The console script's trimmed start and end (issue 20: attrs' compiled methods from the
cache directory, no interpreter teardown) apply to the top-level help and ``scan`` only
(:data:`scripts.cli.FAST_START_COMMANDS`). Every other command, and so every one that
trades or journals, starts and exits as Python does: no ``os._exit``, no attrs code cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cli import COMMANDS, FAST_START_COMMANDS

MARK = "<os._exit>"

ENTRY = f"""
import os, sys
real_exit = os._exit
def marked(status):
    sys.stderr.write({MARK!r})
    sys.stderr.flush()
    real_exit(status)
os._exit = marked
from scripts.cli import run
sys.argv = ["atomic-fp", *sys.argv[1:]]
run()
"""


def _run(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_CONFIG"}
    env["ATOMIC_FP_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=cache,
    )


def _code_caches(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("attrs-code-*"))


def test_only_scan_is_a_fast_start_command() -> None:
    assert {"scan"} == FAST_START_COMMANDS
    assert set(COMMANDS) >= FAST_START_COMMANDS


@pytest.mark.parametrize("args", [["--help"], ["scan", "--offline", "--format", "json"]])
def test_help_and_scan_end_without_teardown(args: list[str], tmp_path: Path) -> None:
    done = _run(args, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith(MARK)
    if args[0] == "scan":
        caches = _code_caches(tmp_path)
        assert len(caches) == 1 and caches[0].endswith("-scan.marshal")


@pytest.mark.parametrize(
    "args",
    [
        ["execute", "--help"],
        ["run", "--help"],
        ["reconcile", "--help"],
        ["positions", "--help"],
        ["backtest", "--help"],
        ["--version"],
        ["execute", "--dry-run", "--no-such-option"],
    ],
    ids=" ".join,
)
def test_every_other_command_exits_as_python_does(args: list[str], tmp_path: Path) -> None:
    done = _run(args, tmp_path)
    assert MARK not in done.stderr
    assert done.returncode in (0, 2), done.stderr
    assert _code_caches(tmp_path) == []
