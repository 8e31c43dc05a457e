"""Benchmark: is orjson worth it for our JSON output, and where (issue 20)?

Run: ``python -m bench.bench_json_output``. Measures, on real documents (the bundled
snapshot's ``scan --offline --format json``, best per symbol and ``--all-pairs
--both-directions``, parsed back with their Decimals):

- the standard library's encoders as the commands used them: ``render_json`` (indented,
  one-shot commands) and ``run``'s old line (``json.dumps(json.loads(render_json(x)))``);
- orjson through :func:`scripts.json_lines.json_line` (what ``run --json-lines`` and
  ``watch --format json`` write now);
- the CPU cost of importing orjson in a fresh interpreter (medians of several runs),
  which a one-shot command would pay once and a long-running one amortises.

The verdict printed is the decision taken: orjson only in the long-running streams, since
for one ``scan`` its import costs more than it saves. It is a benchmark, not a test.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import timeit
from decimal import Decimal
from typing import Any

RUNS = 15


def _payload(*args: str) -> Any:
    from click.testing import CliRunner

    from scripts.cli import cli

    done = CliRunner().invoke(cli, ["scan", "--offline", "--format", "json", *args])
    if done.exit_code != 0:
        raise SystemExit(f"scan {' '.join(args)} exited {done.exit_code}")
    return json.loads(done.stdout, parse_float=Decimal)


def _per_call(function: Any, payload: Any) -> float:
    number = 20
    return min(timeit.repeat(lambda: function(payload), number=number, repeat=5)) / number


def import_cpu(module: str) -> float:
    """Median CPU seconds that importing ``module`` adds to a fresh interpreter."""

    def cpu(code: str) -> float:
        values = []
        for _ in range(RUNS):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", code], check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            values.append((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
        return statistics.median(values)

    base = "import json, decimal, re"
    return cpu(f"{base}, {module}") - cpu(base)


def main() -> int:
    from scripts.json_lines import json_line
    from scripts.output import render_json

    def old_run_line(payload: Any) -> str:
        return json.dumps(json.loads(render_json(payload)))

    load = os.getloadavg()[0]
    importing = import_cpu("orjson")
    result: dict[str, Any] = {"orjson_import_cpu_ms": importing * 1000, "loadavg_1m": load}
    print(f"orjson import: {importing * 1000:.1f} ms CPU (load average {load:.2f})")
    for name, args in (("scan", ()), ("scan_all_pairs", ("--all-pairs", "--both-directions"))):
        payload = _payload(*args)
        size = len(render_json(payload))
        indented = _per_call(render_json, payload)
        old_line = _per_call(old_run_line, payload)
        new_line = _per_call(json_line, payload)
        result[name] = {
            "bytes": size,
            "render_json_ms": indented * 1000,
            "old_run_line_ms": old_line * 1000,
            "orjson_line_ms": new_line * 1000,
        }
        print(
            f"{name:15s} {size:7d} B  render_json {indented * 1000:6.2f} ms  "
            f"run line before {old_line * 1000:6.2f} ms  orjson line {new_line * 1000:6.3f} ms "
            f"({old_line / new_line:.0f}x)"
        )
        saved = indented - new_line
        verdict = "pays" if saved > importing else "does not pay"
        print(
            f"{'':15s} one-shot: saves {saved * 1000:.2f} ms per document against an "
            f"import of {importing * 1000:.1f} ms: {verdict}; a long-running process pays "
            f"the import back after {importing / (old_line - new_line):.0f} documents"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
