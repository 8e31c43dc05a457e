"""Benchmark: the backtest against its own earlier code, in the same run (issue 20).

Run: ``python -m bench.bench_backtest_vs_base [--base af4fca0] [--rounds 2] [--write]``.

Each round runs ``python -m bench.bench_backtest --runs 1`` (1 year hourly, 3 venues x 20
symbols: the data, loaders and engine of issue 7's benchmark) twice, alternating: once on
this checkout and once on the tree of ``--base`` (extracted with ``git archive`` into a
temporary directory and run from there, so its ``atomic_fp``/``adapters`` are imported).
Both book the same trades (the bench prints fills, funding settlements and net PnL; they
must be equal, else this exits 1; the decisions asked and screened are reported for each:
since main f846562 the margin opening check reads each venue's collateral, which is part
of what makes a symbol "changed", so the current tree asks a few more). Reported: the
literal target (total <= 4 s), the machine and its load average before and after, wall
and CPU medians of both, and the ratios base / current. ``--write`` replaces the section
of ``bench/RESULTS.md`` between its markers with the report. Not a test: timings depend
on the machine.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from bench.machine import describe

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 4.0
BEGIN = "<!-- issue-20 backtest: begin (bench/bench_backtest_vs_base.py --write) -->"
END = "<!-- issue-20 backtest: end -->"
_TOTAL = re.compile(r"engine ([\d.]+) s, total ([\d.]+) s")
_CPU = re.compile(r"load\+build\+engine: ([\d.]+) s")
_OUTCOME = re.compile(r"decisions asked .*")
_BOOKED = re.compile(r"fills .*")


def _extract(rev: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", rev, "atomic_fp", "adapters", "bench"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _one(cwd: Path) -> tuple[float, float, float, str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_backtest", "--runs", "1"],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    total, cpu, outcome = (
        _TOTAL.search(done.stdout),
        _CPU.search(done.stdout),
        _OUTCOME.search(done.stdout),
    )
    if done.returncode != 0 or total is None or cpu is None or outcome is None:
        raise SystemExit(f"bench failed in {cwd}: {done.stdout[-500:]} {done.stderr[-800:]}")
    return float(total.group(1)), float(total.group(2)), float(cpu.group(1)), outcome.group(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="af4fca0")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs: dict[str, list[tuple[float, float, float, str]]] = {"current": [], "base": []}
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(tmp)
        _extract(args.base, base_dir)
        for _ in range(args.rounds):
            runs["current"].append(_one(ROOT))
            runs["base"].append(_one(base_dir))
    load_after = os.getloadavg()
    booked = {_booked(run[3]) for both in runs.values() for run in both}
    if len(booked) != 1:
        raise SystemExit(f"the two trees booked different outcomes: {booked}")
    outcome = next(iter(booked))
    asked = {name: runs[name][0][3].split(", fills")[0] for name in runs}

    def medians(name: str) -> tuple[float, float, float]:
        rs = runs[name]
        return (
            statistics.median(r[0] for r in rs),
            statistics.median(r[1] for r in rs),
            statistics.median(r[2] for r in rs),
        )

    engine, total, cpu = medians("current")
    b_engine, b_total, b_cpu = medians("base")
    machine = describe()
    verdict = "PASS" if total <= TARGET_S else "FAIL"
    lines = [
        BEGIN,
        "## Backtest against its earlier code (issue 20)",
        "",
        f"`python -m bench.bench_backtest_vs_base --base {args.base} --rounds {args.rounds}`"
        f" on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {machine['git_commit']},"
        f" {machine['cpu_model']}, {machine['usable_cpus']} usable cores,"
        f" Python {machine['python']}."
        f" Load average (1, 5, 15 min) before {', '.join(f'{x:.2f}' for x in load_before)};"
        f" after {', '.join(f'{x:.2f}' for x in load_after)}. Rounds alternate current and"
        f" base (the tree of `{args.base}`, extracted with `git archive`); medians of"
        f" {args.rounds}. Both booked the same: `{outcome}` (current: {asked['current']};"
        f" base: {asked['base']}).",
        "",
        "| Figure | Current | Base | Base / current | Target | Verdict |",
        "|---|---|---|---|---|---|",
        f"| Backtest 1 y hourly, 3 venues x 20 symbols, total wall (load+build+engine) |"
        f" {total:.2f} s | {b_total:.2f} s | {b_total / total:.2f}x | <= {TARGET_S:.0f} s |"
        f" **{verdict}** |",
        f"| same, engine wall | {engine:.2f} s | {b_engine:.2f} s | {b_engine / engine:.2f}x | | |",
        f"| same, process CPU (load+build+engine) | {cpu:.2f} s | {b_cpu:.2f} s |"
        f" {b_cpu / cpu:.2f}x | | |",
        "",
        "Per round (current / base, total wall s): "
        + "; ".join(
            f"{c[1]:.2f} / {b[1]:.2f}" for c, b in zip(runs["current"], runs["base"], strict=True)
        )
        + ".",
        END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(BEGIN, END, report)


def _booked(outcome: str) -> str:
    """The bookings part of the bench's outcome line (fills, funding, net PnL)."""
    found = _BOOKED.search(outcome)
    return found.group(0) if found else outcome


def write_section(begin: str, end: str, report: str) -> None:
    """Replace the part of ``bench/RESULTS.md`` between ``begin`` and ``end`` (both in
    ``report``), or append it."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text()
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + report + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + report + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
