"""Smoke tests of the benchmark harness (``bench/``), so it cannot silently rot.

No timing is asserted (timings are benchmarks, see ``bench/RESULTS.md``); these check that
the local replay servers answer our real ``atomic-fp scan`` for every venue, that what
the servers count is right, and that the report renders. The ccxt half runs only where a
ccxt interpreter already exists (ccxt is never a dependency of the project).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest

from bench.bench_scan_latency import VENUES, Run, measure, measure_warm, run_ccxt, summarise
from bench.replay_server import Served, serving, waves


def _served(arrived: float, answered: float, path: str = "/x") -> Served:
    return Served("GET", path, True, arrived, answered)


def test_waves_group_concurrent_requests_and_split_dependent_ones() -> None:
    log = [
        _served(0.00, 0.10, "/a"),
        _served(0.01, 0.11, "/b"),  # concurrent with /a
        _served(0.12, 0.22, "/c"),  # sent after both answered: a second round trip
    ]
    grouped = waves(log)
    assert [[s.path for s in wave] for wave in grouped] == [["/a", "/b"], ["/c"]]
    assert waves([]) == []


def test_server_answers_recorded_requests_and_refuses_others() -> None:
    with serving(0.0) as servers:
        base = servers.urls()["binance"]
        with urllib.request.urlopen(f"{base}/fapi/v1/premiumIndex", timeout=5) as answer:
            rows = json.loads(answer.read())
        assert any(row["symbol"] == "BTCUSDT" for row in rows)
        with pytest.raises(HTTPError) as refused:
            urllib.request.urlopen(f"{base}/fapi/v1/nothing", timeout=5)
        assert refused.value.code == 404
        log = servers.take_logs()["binance"]
        assert [(s.path, s.matched) for s in log] == [
            ("/fapi/v1/premiumIndex", True),
            ("/fapi/v1/nothing", False),
        ]


@pytest.fixture(scope="module")
def our_runs() -> list[Run]:
    """One warm-up, then our scan once at delay 0 and once at 10 ms."""
    return measure(delay=0.01, runs=1, ccxt_python=None)


def test_our_scan_against_the_local_servers_hears_every_venue(our_runs: list[Run]) -> None:
    runs = our_runs
    assert [(r.client, r.delay) for r in runs] == [("atomic-fp", 0.0), ("atomic-fp", 0.01)]
    for run in runs:
        assert run.all_answered, run.detail
        assert run.unmatched == ()
        assert all(run.requests[v] >= 1 for v in VENUES)
        assert run.network is not None and run.startup is not None
    delayed = runs[-1]
    assert delayed.waves["hyperliquid"] == 1
    assert all(1 <= delayed.waves[v] <= delayed.requests[v] for v in VENUES)
    summary = summarise(runs, 0.01)
    assert summary["ours"]["critical_path_round_trips"] == max(delayed.waves.values())


@pytest.fixture(scope="module")
def warm() -> dict[str, Any]:
    """Our clients scanning twice in one process (cold, then warm) at 10 ms."""
    return measure_warm(0.01, 1, None)


def test_warm_scans_hear_every_venue_and_need_no_more_round_trips(warm: dict[str, Any]) -> None:
    ours = warm["clients"]["atomic-fp"]
    assert ours["rounds_all_answered"] == ours["rounds"] == 2
    assert all(1 <= ours["warm_waves"][v] <= ours["cold_waves"][v] for v in VENUES)


def test_ccxt_scan_against_the_local_servers_hears_every_venue(tmp_path: Path) -> None:
    from bench.ccxt_env import ensure

    env = ensure(create=False)
    if env.python is None:
        pytest.skip(f"no ccxt interpreter for the benchmark ({env.note})")
    with serving(0.0) as servers:
        for variant in ("ccxt", "ccxt-no-throttle"):
            run = run_ccxt(servers, env.python, 0.0, tmp_path, variant)
            assert run.all_answered, run.detail
            assert run.unmatched == ()


def test_report_renders_every_section(our_runs: list[Run], warm: dict[str, Any]) -> None:
    from bench.report import render

    latency = summarise(our_runs, 0.01)
    latency["warm"] = warm
    latency.update(runs_each=1, load_before=0.0, load_after=0.0)
    figures = {"wall_s": 0.1, "wall_min_s": 0.1, "wall_max_s": 0.1, "cpu_s": 0.1}
    results = {
        "command": "python -m bench",
        "total_s": 1.0,
        "machine": {
            "date_utc": "2026-01-01 00:00:00 UTC",
            "cpu_model": "cpu",
            "logical_cpus": 2,
            "usable_cpus": 2,
            "memory_gib": 1.0,
            "python": "CPython 3.11",
            "os": "Linux",
            "git_commit": "abc",
            "load_average": (0.0, 0.0, 0.0),
        },
        "ccxt_env": {"python": None, "version": None, "note": "--no-ccxt"},
        "startup": {
            "runs": 1,
            "help": {**figures, "rss_mb": 10.0, "rss_mb_max": 10.0},
            "scan": {**figures, "rss_mb": 30.0, "rss_mb_max": 30.0},
            "load_before": 0.0,
            "load_after": 0.0,
        },
        "ranking": {
            "runs": 1,
            "venues": 10,
            "symbols": 500,
            "pairs": 45000,
            "variants": [
                {
                    "label": "all",
                    "opportunities": 45000,
                    "wall_ms": 30.0,
                    "wall_min_ms": 30.0,
                    "wall_max_ms": 30.0,
                    "cpu_ms": 30.0,
                }
            ],
            "load_before": 0.0,
            "load_after": 0.0,
        },
        "backtest": {"missing": "bench/bench_backtest.py does not exist"},
        "scan_latency": latency,
    }
    text = render(results)
    for heading in (
        "## Machine",
        "## Targets",
        "## Cold start",
        "## Scan latency",
        "### Steady state",
    ):
        assert heading in text
    ranking_row = "| Ranking, 10 venues x 500 symbols, all, median | 30.0 ms (CPU 30.0 ms) |"
    assert f"{ranking_row} < 20 ms | **FAIL** |" in text
    assert "**MISSING**" in text
    assert "The ccxt comparison was **not run**" in text
