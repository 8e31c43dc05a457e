"""The ``atomic-fp`` console script (``scripts.cli:run``) ends the process without the
interpreter's teardown (issue 20) and is otherwise :func:`scripts.cli.main`: the same
standard output, standard error and exit status for each command line below, compared in
fresh processes; the ``atexit`` functions still run (the attrs code cache is written).

The trimmed start and end (attrs' compiled methods from the cache directory, no teardown)
apply to the top-level help and ``scan`` only (:data:`scripts.cli.FAST_START_COMMANDS`).
Every other command, and so every one that trades or journals, starts and exits as Python
does: no ``os._exit``, no attrs code cache."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from scripts.cli import COMMANDS, FAST_START_COMMANDS
from tests.cli.fresh_process import environment, run_console

MARK = "<os._exit>"

MARKER = f"""
import os, sys
real_exit = os._exit
def marked(status):
    sys.stderr.write({MARK!r})
    sys.stderr.flush()
    real_exit(status)
os._exit = marked
"""
"""Run first: the console script then writes :data:`MARK` on stderr when it ends by
``os._exit``."""


LINES = [
    (["--help"], 0),
    (["scan", "--help"], 0),
    (["scan", "--offline", "--format", "json"], 0),
    (["scan", "--offline", "--limit", "0"], 2),  # usage error
    (["scan", "--offline", "--min-apr", "lots"], 2),  # bad value
    (["--log-json", "scan", "--offline", "--venues", "nowhere"], 2),  # config error as JSON
    (["no-such-command"], 2),
]
"""Each command line and its exit status (which also shows the arguments reached both)."""


def _run(
    entry: str, args: list[str], cache: Path, prologue: str = ""
) -> subprocess.CompletedProcess[str]:
    return run_console(
        *args,
        entry=entry,
        prologue=prologue,
        env=environment(ATOMIC_FP_CACHE_DIR=str(cache)),
        cwd=cache,
    )


def _untimed(text: str) -> str:
    """A JSON log record's own time (when it was written) left out."""
    return re.sub(r'"time": "[^"]+"', '"time": "-"', text)


@pytest.mark.parametrize(("args", "code"), LINES, ids=[" ".join(args) for args, _ in LINES])
def test_the_console_script_answers_as_main_does(
    args: list[str], code: int, tmp_path: Path
) -> None:
    expected = _run("main", args, tmp_path)
    assert expected.returncode == code, expected.stderr
    got = _run("run", args, tmp_path)
    assert (got.returncode, got.stdout, _untimed(got.stderr)) == (
        expected.returncode,
        expected.stdout,
        _untimed(expected.stderr),
    )


def test_the_exit_functions_still_run(tmp_path: Path) -> None:
    done = _run("run", ["scan", "--offline", "--format", "json"], tmp_path)
    assert done.returncode == 0
    assert '"opportunities"' in done.stdout
    assert list(tmp_path.glob("attrs-code-*-scan.marshal"))  # written by its atexit function


def _code_caches(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("attrs-code-*"))


def test_only_scan_is_a_fast_start_command() -> None:
    assert {"scan"} == FAST_START_COMMANDS
    assert set(COMMANDS) >= FAST_START_COMMANDS


@pytest.mark.parametrize("args", [["--help"], ["scan", "--offline", "--format", "json"]])
def test_help_and_scan_end_without_teardown(args: list[str], tmp_path: Path) -> None:
    done = _run("run", args, tmp_path, MARKER)
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
    done = _run("run", args, tmp_path, MARKER)
    assert MARK not in done.stderr
    assert done.returncode in (0, 2), done.stderr
    assert _code_caches(tmp_path) == []
