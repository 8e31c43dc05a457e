"""The README's promises: the two set-up commands verbatim, and a runnable embedding example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
INSTALL_AND_RUN = (
    "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/atomic-fp scan --offline"
)
TESTS = (
    'python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]" '
    "&& .venv/bin/python -m pytest -n auto"
)


def test_the_two_setup_commands_are_verbatim_and_ci_runs_the_test_one() -> None:
    text = README.read_text()
    assert INSTALL_AND_RUN in text
    assert TESTS in text
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert TESTS in ci
    # exactly that command: one line of .ci/run, nothing appended (no other pytest flags)
    assert TESTS in ci.splitlines()
    assert "set -euo pipefail" in ci  # any failing step fails CI


def test_the_embedding_example_runs(tmp_path: Path) -> None:
    text = README.read_text()
    match = re.search(r"<!-- embed-example -->\s*```python\n(.*?)```", text, re.S)
    assert match is not None, "README lost its embedding example"
    script = tmp_path / "bot.py"
    script.write_text(match.group(1))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout
    assert "venue-a buy" in done.stdout and "venue-b sell" in done.stdout
