"""``bench/bench_startup.py``'s instruction count (``--instructions``): what it reads from
callgrind's output. No count is asserted about our program (a benchmark, not a test)."""

from __future__ import annotations

import pytest

from bench.bench_startup import collected, report

# valgrind 3.x prints this at the end of a callgrind run (callgrind/main.c, "Collected :")
CALLGRIND_STDERR = """==11510== Callgrind, a call-graph generating cache profiler
==11510== Command: /usr/bin/python3 -c pass
==11510==
==11510== Events    : Ir
==11510== Collected : 827143794
==11510==
==11510== I   refs:      827,143,794
"""


def test_the_count_is_callgrinds_collected_line() -> None:
    assert collected(CALLGRIND_STDERR, "scan") == 827_143_794


def test_a_run_callgrind_did_not_count_is_named_not_read_as_zero() -> None:
    with pytest.raises(SystemExit, match="callgrind counted nothing for atomic-fp scan"):
        collected("valgrind: /nonexistent: No such file or directory\n", "atomic-fp scan")


def test_program_output_mentioning_collected_is_not_the_count() -> None:
    """Only valgrind's own ``==pid==`` lines are read: the program's stderr is not."""
    noisy = "Collected : 5\n" + CALLGRIND_STDERR
    assert collected(noisy, "scan") == 827_143_794


def test_the_report_shows_instructions_and_their_ratio_when_counted() -> None:
    figures = {
        "help_s": 0.05,
        "help_cpu_s": 0.05,
        "help_rss_mb": 20.0,
        "scan_s": 0.2,
        "scan_min_s": 0.2,
        "scan_cpu_s": 0.2,
        "scan_rss_mb": 40.0,
    }
    counted = {"help_instructions": 187_400_000.0, "scan_instructions": 824_000_000.0}
    base = {**figures, "help_instructions": 217_500_000.0, "scan_instructions": 1_763_500_000.0}
    result = {
        "runs": 1,
        "base": "af4fca0",
        "load_before": [0.0, 0.0, 0.0],
        "load_after": [0.0, 0.0, 0.0],
        "cpus": 2,
        "current": {**figures, **counted},
        "base_figures": base,
    }
    text = report(result)
    scan = "`atomic-fp scan --offline`, instructions (callgrind)"
    assert f"| {scan} | 824.0 M | 1763.5 M | 2.14x |" in text
    assert "| `atomic-fp --help`, instructions (callgrind) | 187.4 M | 217.5 M | 1.16x |" in text
    without = report({**result, "current": figures, "base_figures": figures})
    assert "instructions" not in without
