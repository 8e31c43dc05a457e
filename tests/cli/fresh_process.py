"""``atomic-fp`` in a fresh interpreter that reports on itself, for what only a new process
shows (what it imports and in which order, what attrs compiles); never timings.

:func:`run_atomic_fp` runs ``probe`` (a test's code: it patches what it watches), then
``scripts.cli:main`` on the given arguments as the console script would (``code`` is its
exit code), then ``report_code``, which must leave a JSON-able ``report``; that comes back
decoded, with the process's stdout. :func:`environment` is this process's environment
without ``ATOMIC_FP_CONFIG`` (a developer's own config must not reach the child)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

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


def environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_CONFIG"}
    env.update(overrides)
    return env


def run_atomic_fp(
    *args: str, probe: str, report_code: str, env: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """``(report, stdout)`` of ``atomic-fp ARGS`` run with ``probe`` (see the module)."""
    done = subprocess.run(
        [sys.executable, "-c", probe + _MAIN + report_code + _WRITE_REPORT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    if _MARK not in done.stderr:
        raise AssertionError(f"no report (exit {done.returncode}): {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stderr.rsplit(_MARK, 1)[1])
    return report, done.stdout
