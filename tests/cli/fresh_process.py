"""``atomic-fp`` in a fresh process, for what only a new process shows (what it imports and
in which order, what attrs compiles, how it exits, how it takes a signal); never timings.
The one place the CLI tests start the command line in a child process.

- :func:`run_atomic_fp` runs ``probe`` (a test's code: it patches what it watches), then
  ``scripts.cli:main`` on the given arguments as the console script would (``code`` is its
  exit code), then ``report_code``, which must leave a JSON-able ``report``; that comes
  back decoded, with the process's stdout.
- :func:`run_console` / :func:`start_console` run an entry point of :mod:`scripts.cli`
  (``run``, what the installed ``atomic-fp`` script calls, or ``main``) on the arguments,
  after an optional ``prologue``; :func:`start_console` does not wait (to signal it).
- :func:`run_installed` runs the installed ``atomic-fp`` script itself (the entry point's
  wiring in ``pyproject.toml``); the test is skipped when it is not installed.
- :func:`environment` is this process's environment without ``ATOMIC_FP_CONFIG`` (a
  developer's own config must not reach the child), the default of every runner here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 120
"""Seconds a child may take before the test fails (a hang, not a slow machine)."""

_MAIN = """
import json as _json, sys as _sys
from scripts.cli import main
_sys.argv = ["atomic-fp", *_sys.argv[1:]]
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
_sys.stdout.flush()
"""

_MARK = "@@"
_WRITE_REPORT = f'\n_sys.stderr.write("\\n{_MARK}" + _json.dumps(report))\n'


_CONSOLE = """
import sys
from scripts.cli import {entry}
sys.argv = ["atomic-fp", *sys.argv[1:]]
{entry}()
"""


def environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_CONFIG"}
    env.update(overrides)
    return env


def console_command(*args: str, entry: str = "run", prologue: str = "") -> list[str]:
    """The command line of a fresh interpreter that runs ``prologue``, then
    ``scripts.cli:<entry>`` on ``args`` as the console script does."""
    if entry not in ("run", "main"):
        raise ValueError(f"entry: expected 'run' or 'main', got {entry!r}")
    return [sys.executable, "-c", prologue + _CONSOLE.format(entry=entry), *args]


def run_console(
    *args: str,
    entry: str = "run",
    prologue: str = "",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``atomic-fp ARGS`` through ``scripts.cli:<entry>`` in a fresh interpreter, to its
    end (``env`` defaults to :func:`environment`)."""
    return _completed(console_command(*args, entry=entry, prologue=prologue), env, cwd)


def start_console(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """``atomic-fp ARGS`` through ``scripts.cli:run``, started and not waited for (the
    caller signals it, then ``communicate(timeout=...)`` and ``kill()`` in a ``finally``)."""
    return subprocess.Popen(
        console_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment() if env is None else dict(env),
        cwd=cwd,
    )


def installed_console_script() -> str:
    """The ``atomic-fp`` script installed next to this interpreter (else on ``PATH``);
    skips the test when there is none."""
    candidate = Path(sys.executable).parent / "atomic-fp"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("atomic-fp")
    if found is None:
        pytest.skip("the atomic-fp console script is not installed")
    return found


def run_installed(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed ``atomic-fp ARGS``, to its end (``env`` defaults to
    :func:`environment`)."""
    return _completed([installed_console_script(), *args], env, cwd)


def _completed(
    command: list[str], env: Mapping[str, str] | None, cwd: Path | None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=environment() if env is None else dict(env),
        cwd=cwd,
    )


def run_atomic_fp(
    *args: str,
    probe: str,
    report_code: str,
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> tuple[dict[str, Any], str]:
    """``(report, stdout)`` of ``atomic-fp ARGS`` run with ``probe`` (see the module), in
    ``cwd`` (default: this process's directory)."""
    done = subprocess.run(
        [sys.executable, "-c", probe + _MAIN + report_code + _WRITE_REPORT, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=dict(env),
        cwd=cwd,
    )
    if _MARK not in done.stderr:
        raise AssertionError(f"no report (exit {done.returncode}): {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stderr.rsplit(_MARK, 1)[1])
    return report, done.stdout
