"""The ``atomic-fp`` console script (``scripts.cli:run``) ends the process without the
interpreter's teardown (issue 20) and is otherwise :func:`scripts.cli.main`: the same
standard output, standard error and exit status for each command line below, compared in
fresh processes; the ``atexit`` functions still run (the attrs code cache is written)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ENTRY = """
import sys
from scripts.cli import {name}
sys.argv = ["atomic-fp", *sys.argv[1:]]
{name}()
"""

LINES = [
    ["--help"],
    ["scan", "--help"],
    ["scan", "--offline", "--format", "json"],
    ["scan", "--offline", "--limit", "0"],  # usage error: 2
    ["scan", "--offline", "--min-apr", "lots"],  # bad value: 2
    ["--log-json", "scan", "--offline", "--venues", "nowhere"],  # config error as JSON: 2
    ["no-such-command"],
]


def _run(name: str, args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_CONFIG"}
    env["ATOMIC_FP_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, "-c", ENTRY.format(name=name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=cache,
    )


def _untimed(text: str) -> str:
    """A JSON log record's own time (when it was written) left out."""
    return re.sub(r'"time": "[^"]+"', '"time": "-"', text)


@pytest.mark.parametrize("args", LINES, ids=" ".join)
def test_the_console_script_answers_as_main_does(args: list[str], tmp_path: Path) -> None:
    expected = _run("main", args, tmp_path)
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
