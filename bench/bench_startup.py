"""Benchmark: start-up of the ``atomic-fp`` console script, against its earlier code in the
same run (issue 20 target 4).

Run: ``python -m bench.bench_startup [--base af4fca0 | --no-base] [--runs 9] [--instructions]
[--write]``
(from the repository, with the package installed). Measures real subprocesses of the
installed console script:

- ``atomic-fp --help``: median wall time, target **<= 60 ms** (issue 20);
- ``atomic-fp scan --offline`` (the bundled snapshot through the real adapters' parsers):
  median wall time, target **<= 0.2 s** (issue 20), and peak RSS, target < 80 MB
  (issue 6), the latter from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a fresh
  measuring process per run;

each once on this checkout and once on the tree of ``--base`` (``git archive`` of its
``atomic_fp``, ``adapters`` and ``scripts`` into a temporary directory, put first on
``PYTHONPATH`` so the same console script imports that tree instead), runs interleaved
(current, base, current, ...) so that load changes hit both alike, and reports each
figure with the ratio base / current. The load average before and after is printed with
the figures: wall time grows with load; CPU time (user+sys) less so.

Runs use the bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped for them, and a
warm-up run of each command writes it) as an installed program does after its first
run, and no user config. ``--write`` replaces this benchmark's section of
``bench/RESULTS.md``. It is a benchmark, not a test: timings depend on the machine.

``--instructions`` adds, after the timed runs, the number of machine instructions each
command executes on each tree, counted by valgrind's callgrind (``Collected``): exact and
independent of the machine's load (this machine is shared: wall times drift by 30 % in an
hour), so it shows what a change did when wall times cannot. It counts the whole process
(interpreter start-up included), single runs (the count varies by ~0.1 % between runs:
hash randomisation). Needs ``valgrind`` on ``PATH``; each ``scan`` run takes ~15 s under it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9
TARGETS = {"help_s": 0.060, "scan_s": 0.2, "scan_rss_mb": 80.0}
"""Issue 20: ``--help`` <= 60 ms, ``scan --offline`` <= 0.2 s; issue 6: < 80 MB."""
BEGIN = "<!-- issue-20 startup: begin (bench/bench_startup.py --write) -->"
END = "<!-- issue-20 startup: end -->"

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

Sample = tuple[float, float, float]
"""(wall seconds, peak RSS in MB, CPU seconds) of one run."""


def console_script() -> str:
    candidate = Path(sys.executable).parent / "atomic-fp"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("atomic-fp")
    if found is None:
        raise SystemExit("atomic-fp is not installed in this environment")
    return found


BASE_SCRIPT = """import re
import sys
from scripts.cli import {entry}
if __name__ == '__main__':
    sys.argv[0] = 'atomic-fp'
    sys.exit({entry}())
"""
"""pip's console-script template, for an earlier tree whose entry point differs from the
installed script's (``scripts.cli:main`` before ``scripts.cli:run``)."""


def _command(tree: Path | None) -> list[str]:
    if tree is None:
        return [console_script()]
    cli = (tree / "scripts" / "cli.py").read_text("utf-8")
    entry = "run" if "\ndef run(" in cli else "main"
    return [sys.executable, "-c", BASE_SCRIPT.format(entry=entry)]


def measure(args: list[str], cwd: str, tree: Path | None = None) -> Sample:
    """One run of the console script in ``cwd``; ``tree``: a source tree imported first
    (an earlier revision, through its own entry point), else the installed package."""
    env = dict(ENV)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *_command(tree), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=True,
    ).stdout.split()
    wall, rss_kb, code, cpu = float(out[0]), int(out[1]), int(out[2]), float(out[3])
    if code != 0:
        raise SystemExit(f"atomic-fp {' '.join(args)} exited {code} ({tree or 'current'})")
    return wall, rss_kb / 1024, cpu  # ru_maxrss is in KiB on Linux


def instructions(args: list[str], cwd: str, tree: Path | None = None) -> int:
    """Machine instructions of one run of the console script (see the module's doc), in
    the environment of :func:`measure`."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind (e.g. apt-get install valgrind)")
    env = dict(ENV)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *_command(tree), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    return collected(done.stderr, f"atomic-fp {' '.join(args)} ({tree or 'current'})")


def collected(stderr: str, what: str) -> int:
    """The instruction count of callgrind's ``==pid== Collected : N`` line."""
    for line in stderr.splitlines():
        head, _, count = line.partition("Collected :")
        if _ and head.startswith("=="):
            return int(count.strip())
    raise SystemExit(f"callgrind counted nothing for {what}: {stderr.strip()[-300:]}")


def extract(rev: str, into: Path) -> None:
    """The package trees of ``rev`` (``git archive``), as the backtest bench does."""
    archive = subprocess.run(
        ["git", "archive", rev, "atomic_fp", "adapters", "scripts"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def figures(helps: list[Sample], scans: list[Sample]) -> dict[str, float]:
    return {
        "help_s": statistics.median(w for w, _, _ in helps),
        "help_cpu_s": statistics.median(c for _, _, c in helps),
        "help_rss_mb": max(r for _, r, _ in helps),
        "scan_s": statistics.median(w for w, _, _ in scans),
        "scan_min_s": min(w for w, _, _ in scans),
        "scan_cpu_s": statistics.median(c for _, _, c in scans),
        "scan_rss_mb": max(r for _, r, _ in scans),
    }


def run(runs: int, base: str | None, *, count: bool = False) -> dict[str, object]:
    load_before = os.getloadavg()
    trees: dict[str, Path | None] = {"current": None}
    samples: dict[str, tuple[list[Sample], list[Sample]]] = {"current": ([], [])}
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryDirectory() as base_dir:
        if base is not None:
            extract(base, Path(base_dir))
            trees["base"] = Path(base_dir)
            samples["base"] = ([], [])
        for tree in trees.values():  # warm-up: bytecode and file caches
            measure(["--help"], cwd, tree)
            measure(["scan", "--offline"], cwd, tree)
        for _ in range(runs):
            for name, tree in trees.items():
                samples[name][0].append(measure(["--help"], cwd, tree))
                samples[name][1].append(measure(["scan", "--offline"], cwd, tree))
        counted: dict[str, dict[str, float]] = {
            name: {
                "help_instructions": instructions(["--help"], cwd, tree),
                "scan_instructions": instructions(["scan", "--offline"], cwd, tree),
            }
            for name, tree in (trees.items() if count else ())
        }
    return {
        "runs": runs,
        "base": base,
        "load_before": list(load_before),
        "load_after": list(os.getloadavg()),
        "cpus": os.cpu_count() or 0,
        "current": figures(*samples["current"]) | counted.get("current", {}),
        **(
            {"base_figures": figures(*samples["base"]) | counted.get("base", {})}
            if "base" in samples
            else {}
        ),
    }


def report(result: dict[str, object]) -> str:
    current: dict[str, float] = result["current"]  # type: ignore[assignment]
    base: dict[str, float] | None = result.get("base_figures")  # type: ignore[assignment]
    load_before = ", ".join(f"{x:.2f}" for x in result["load_before"])  # type: ignore[attr-defined]
    load_after = ", ".join(f"{x:.2f}" for x in result["load_after"])  # type: ignore[attr-defined]
    rev = result["base"]
    lines = [
        BEGIN,
        "## Cold start (issue 20 target 4)",
        "",
        f"`python -m bench.bench_startup{f' --base {rev}' if rev else ' --no-base'}"
        f" --runs {result['runs']}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC,"
        f" {result['cpus']} CPUs. Load average (1, 5, 15 min) before {load_before};"
        f" after {load_after}. Medians of {result['runs']} fresh processes per command and"
        " tree, interleaved, after a warm-up run writing the bytecode cache"
        + (f"; base = the tree of `{rev}` (`git archive`)." if rev else ".")
        + (
            " Instructions: one run per command and tree under valgrind's callgrind (exact,"
            " independent of the load)."
            if "scan_instructions" in current
            else ""
        ),
        "",
        "| Figure | Current | "
        + ("Base | Base / current | " if base else "")
        + "Target | Verdict |",
        "|---|---|" + ("---|---|" if base else "") + "---|---|",
    ]
    rows: tuple[tuple[str, str, str, str], ...] = (
        ("`atomic-fp --help`, wall", "help_s", "s", "<= 60 ms"),
        ("`atomic-fp scan --offline`, wall", "scan_s", "s", "<= 0.2 s"),
        ("`atomic-fp scan --offline`, peak RSS", "scan_rss_mb", "MB", "< 80 MB"),
        ("`atomic-fp --help`, CPU (user+sys)", "help_cpu_s", "s", ""),
        ("`atomic-fp scan --offline`, CPU (user+sys)", "scan_cpu_s", "s", ""),
    )
    if "scan_instructions" in current:
        rows += (
            ("`atomic-fp --help`, instructions (callgrind)", "help_instructions", "M", ""),
            ("`atomic-fp scan --offline`, instructions (callgrind)", "scan_instructions", "M", ""),
        )
    for label, key, unit, target in rows:
        value = current[key]
        cells = [label, _shown(value, unit)]
        if base:
            other = base[key]
            cells += [_shown(other, unit), f"{other / value:.2f}x"]
        verdict = ""
        if key in TARGETS:
            verdict = "**PASS**" if value <= TARGETS[key] else "**FAIL**"
        cells += [target, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(END)
    return "\n".join(lines)


def _shown(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "M":
        return f"{value / 1e6:.1f} M"
    return f"{value:.1f} MB"


def write_section(text: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    old = path.read_text()
    if BEGIN in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", default="af4fca0", help="revision to compare with")
    parser.add_argument("--no-base", action="store_true", help="measure this checkout only")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each command's machine instructions (valgrind callgrind)",
    )
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    result = run(args.runs, None if args.no_base else args.base, count=args.instructions)
    text = report(result)
    print(text)
    print(json.dumps(result))
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
