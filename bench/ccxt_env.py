"""The benchmark's own environment for ccxt (never a dependency of the project).

``bench/.venv-ccxt`` is created on first use with ``python -m venv`` and
``pip install ccxt==CCXT_VERSION`` (the version is pinned so that figures are comparable
between runs). ``--ccxt-python PATH`` or ``$ATOMIC_FP_BENCH_CCXT_PYTHON`` uses an existing
interpreter that already has ccxt instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import attrs

CCXT_VERSION = "4.5.90"
ENV_VAR = "ATOMIC_FP_BENCH_CCXT_PYTHON"
VENV_DIR = Path(__file__).resolve().parent / ".venv-ccxt"


@attrs.frozen
class CcxtEnv:
    python: str | None
    version: str | None
    note: str


def _version(python: str) -> str | None:
    done = subprocess.run(
        [python, "-c", "import ccxt; print(ccxt.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _interpreter(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure(explicit: str | None = None, *, create: bool = True) -> CcxtEnv:
    """A Python interpreter that can import ccxt, creating ``bench/.venv-ccxt`` if needed.

    Never raises: when ccxt cannot be had (no network for pip, say), ``python`` is None
    and ``note`` says why, so the report can say the comparison was not run.
    """
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen and os.sep in chosen:
        chosen = os.path.abspath(chosen)  # the clients run in a temporary directory
    if chosen:
        version = _version(chosen)
        if version is None:
            return CcxtEnv(None, None, f"{chosen} cannot import ccxt")
        return CcxtEnv(chosen, version, f"existing interpreter {chosen}")
    python = _interpreter(VENV_DIR)
    if python.exists():
        version = _version(str(python))
        if version is not None:
            return CcxtEnv(str(python), version, f"{VENV_DIR.name} (reused)")
    if not create:
        return CcxtEnv(None, None, f"{VENV_DIR} absent and creation disabled")
    print(f"creating {VENV_DIR} with ccxt=={CCXT_VERSION} (first run only)...", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", str(VENV_DIR)],
        [str(python), "-m", "pip", "install", "--quiet", f"ccxt=={CCXT_VERSION}"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return CcxtEnv(None, None, f"`{' '.join(step[:4])} ...` failed: {' | '.join(tail)}")
    version = _version(str(python))
    if version is None:
        return CcxtEnv(None, None, f"{python} cannot import ccxt after installing it")
    return CcxtEnv(str(python), version, f"{VENV_DIR.name} (created)")
