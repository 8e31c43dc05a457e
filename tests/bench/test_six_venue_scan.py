"""The six-venue section of ``bench/RESULTS.md``: it names the literal target and says Bybit
and OKX are documented shapes, not recordings; rewriting it replaces the section between
its markers and leaves the rest of the file alone. The measurement itself runs in
``python -m bench.bench_scan_latency --venues six``; its servers and round-trip counts are
tested through the CLI in ``tests/cli/test_scan_six_venues.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.snapshot import bundled_snapshot
from bench.documented_bodies import BYBIT_SYMBOLS, OKX_SYMBOLS, documented_exchanges
from bench.six_venue_scan import BEGIN, END, SIX, TARGET, render, write_section


def _summary(network: float, venues: tuple[str, ...]) -> dict[str, Any]:
    return {
        "runs": 3,
        "runs_all_venues_answered": 3,
        "wall_s": 1.5,
        "network_s": network,
        "network_max_s": network,
        "requests": dict.fromkeys(venues, 2),
        "waves": dict.fromkeys(venues, 1),
        "unmatched": [],
        "detail": "",
    }


def _result(network_six: float) -> dict[str, Any]:
    return {
        "delay_s": 0.1,
        "target": TARGET,
        "load_before": (1.0, 1.0, 1.0),
        "load_after": (2.0, 2.0, 2.0),
        "four": _summary(0.11, SIX[:4]),
        "six": _summary(network_six, SIX),
        "critical_path_round_trips": 1,
        "sum_of_round_trips": 6,
        "pass_not_the_sum": True,
        "target_literal_s": 0.12,
        "pass_literal": network_six <= 0.12,
        "ratio_network_six_over_four": network_six / 0.11,
        "ratio_wall_six_over_four": 1.0,
    }


def test_the_section_names_the_target_the_verdict_and_the_documented_shapes() -> None:
    text = "\n".join(render(_result(0.118)))
    assert TARGET in text and "**PASS**" in text
    assert "documented shapes" in text and "not recordings" in text
    assert "**FAIL**" in "\n".join(render(_result(0.2)))


def test_rewriting_replaces_only_the_section(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\nkept\n")
    write_section(path, render(_result(0.118)))
    write_section(path, render(_result(0.2)))
    text = path.read_text()
    assert text.startswith("# Benchmark results\n\nkept\n")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "200 ms" in text and "118 ms" not in text


def test_bybit_and_okx_bodies_carry_realistic_symbol_counts() -> None:
    exchanges = documented_exchanges(bundled_snapshot())
    bybit = {e.path: e.body for e in exchanges["bybit"]}
    okx = {e.path: e.body for e in exchanges["okx"]}
    assert len(bybit["/v5/market/tickers"]["result"]["list"]) == BYBIT_SYMBOLS == 500
    assert len(okx["/api/v5/public/funding-rate"]["data"]) == OKX_SYMBOLS == 250
    symbols = {row["symbol"] for row in bybit["/v5/market/tickers"]["result"]["list"]}
    assert {"BTCUSDT", "ETHUSDT", "SOLUSDT"} <= symbols  # pairs with the recorded venues
