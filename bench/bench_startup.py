"""Benchmark: start-up of the ``atomic-fp`` console script.

Run: ``python -m bench.bench_startup`` (from the repository, with the package installed).
Measures, over several runs of real subprocesses of the installed console script:

- ``atomic-fp --help``: median wall time (target < 0.25 s);
Runs use the bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped for them) as an
installed program does after its first run.

- ``atomic-fp scan --offline`` (the bundled snapshot through the real adapters' parsers):
  median wall time (target < 0.6 s) and peak RSS (target < 80 MB), the latter from
  ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a fresh measuring process per run.

It is a benchmark, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = 9
TARGETS = {"help_s": 0.25, "scan_s": 0.6, "scan_rss_mb": 80.0}

_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_maxrss, done.returncode, usage.ru_utime + usage.ru_stime)
"""


# Measured as installed software runs: with its bytecode cache (this sandbox sets
# PYTHONDONTWRITEBYTECODE, which would make every run recompile every module), and with no
# user config. The first (warm-up) runs write the cache.
ENV = {
    k: v for k, v in os.environ.items() if k not in ("ATOMIC_FP_CONFIG", "PYTHONDONTWRITEBYTECODE")
}


def console_script() -> str:
    candidate = Path(sys.executable).parent / "atomic-fp"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("atomic-fp")
    if found is None:
        raise SystemExit("atomic-fp is not installed in this environment")
    return found


def measure(args: list[str], cwd: str) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one run of the console script."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, console_script(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        check=True,
    ).stdout.split()
    wall, rss_kb, code, cpu = float(out[0]), int(out[1]), int(out[2]), float(out[3])
    if code != 0:
        raise SystemExit(f"atomic-fp {' '.join(args)} exited {code}")
    return wall, rss_kb / 1024, cpu  # ru_maxrss is in KiB on Linux


def main() -> int:
    with tempfile.TemporaryDirectory() as cwd:
        measure(["--help"], cwd)  # warm the file cache once
        measure(["scan", "--offline"], cwd)
        helps = [measure(["--help"], cwd) for _ in range(RUNS)]
        scans = [measure(["scan", "--offline"], cwd) for _ in range(RUNS)]
    result: dict[str, float] = {
        "help_s": statistics.median(w for w, _, _ in helps),
        "help_cpu_s": statistics.median(c for _, _, c in helps),
        "help_rss_mb": max(r for _, r, _ in helps),
        "scan_s": statistics.median(w for w, _, _ in scans),
        "scan_cpu_s": statistics.median(c for _, _, c in scans),
        "scan_rss_mb": max(r for _, r, _ in scans),
        "runs": RUNS,
        "loadavg_1m": os.getloadavg()[0],
        "cpus": float(os.cpu_count() or 0),
    }
    for key, target in TARGETS.items():
        value = result[key]
        verdict = "ok" if value < target else "OVER TARGET"
        unit = "MB" if key.endswith("mb") else "s"
        print(f"{key:12s} {value:8.3f} {unit}  (target < {target} {unit}: {verdict})")
    print(
        f"cpu time (user+sys): help {result['help_cpu_s']:.3f} s, scan {result['scan_cpu_s']:.3f} s"
        f"; load average {result['loadavg_1m']:.2f} on {result['cpus']} CPUs (wall time grows"
        " with load)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
