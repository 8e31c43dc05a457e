"""``scan`` across all six native venues on local servers (:mod:`bench.replay_server`):
Binance, Hyperliquid, GRVT and Lighter replay the bundled snapshot's recorded answers,
Bybit and OKX answer in their documented shapes (:mod:`bench.documented_bodies`, not
recordings). Every venue answers, and each venue's requests take the same number of
sequential round trips inside the six-venue scan as when that venue is scanned alone:
one for Binance, Hyperliquid, Lighter, Bybit and OKX; GRVT its own count (two with no
instrument cache: the instrument list, then the tickers of the listed perpetuals).
Round trips are counted by the servers as waves of requests, never timed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.replay_server import Servers, round_trips, serving
from scripts.cli import cli

SIX = ("binance", "hyperliquid", "grvt", "lighter", "bybit", "okx")
DELAY = 0.2
"""Each answer comes this late, so that sequential requests form separate waves; a wave
may start ``DELAY / 2`` early (scheduling jitter) and still count as one."""


@pytest.fixture
def servers() -> Iterator[Servers]:
    with serving(DELAY, documented=True) as running:
        yield running


def _section(name: str, url: str) -> str:
    text = f'[venues.{name}]\nkind = "{name}"\nbase_url = "{url}"\n'
    if name == "grvt":  # no instrument list carried over between scans
        text += 'options = { instrument_cache = "" }\n'
    return text


def _scan(runner: CliRunner, path: Path, venues: tuple[str, ...], urls: dict[str, str]) -> Any:
    path.write_text("".join(_section(v, urls[v]) for v in venues))
    result = runner.invoke(cli, ["--config", str(path), "scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_all_six_venues_answer_a_scan_each_in_its_own_round_trips(
    runner: CliRunner, isolated: Path, servers: Servers
) -> None:
    urls = servers.urls()
    assert set(SIX) <= set(urls)
    path = isolated / "atomic-fp.toml"
    alone: dict[str, int] = {}
    alone_paths: dict[str, list[str]] = {}
    for venue in SIX:
        data = _scan(runner, path, (venue,), urls)
        assert data["venues"][venue]["ok"], data["venues"]
        log = servers.take_logs()[venue]
        alone[venue] = round_trips(log, DELAY / 2)
        alone_paths[venue] = sorted(s.path for s in log)
    assert {v: n for v, n in alone.items() if v != "grvt"} == dict.fromkeys(
        ("binance", "hyperliquid", "lighter", "bybit", "okx"), 1
    ), alone
    assert alone["grvt"] == 2, alone  # its instrument list, then its tickers

    data = _scan(runner, path, SIX, urls)
    logs = servers.take_logs()
    venues = data["venues"]
    assert all(venues[v]["ok"] for v in SIX), venues
    assert all(venues[v]["rates"] > 0 for v in SIX), venues
    assert all(s.matched for log in logs.values() for s in log), logs
    together = {v: round_trips(logs[v], DELAY / 2) for v in SIX}
    assert together == alone, (together, alone)
    for venue in SIX:
        assert sorted(s.path for s in logs[venue]) == alone_paths[venue]
    used = {o["long_venue"] for o in data["opportunities"]} | {
        o["short_venue"] for o in data["opportunities"]
    }
    assert {"bybit", "okx"} <= used, used  # the two new venues are compared, not only listed
