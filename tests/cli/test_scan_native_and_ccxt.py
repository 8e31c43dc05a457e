"""``scan`` across the four native venues (local replay servers of the bundled snapshot,
:mod:`bench.replay_server`) plus one ccxt venue (a local Bitget in its v2 wire format):
every venue answers, and adding the ccxt venue leaves each native venue's requests
unchanged, in the same number of sequential round trips as without it (counted by the
servers as waves of requests, not timed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.replay_server import Servers, round_trips, serving
from scripts.cli import cli
from tests.adapters.ccxt_venue.fake_venue import FakeBitget, config_toml, serve

NATIVE = ("binance", "hyperliquid", "grvt", "lighter")
DELAY = 0.2
"""Each native answer comes this late, so that sequential requests form separate waves;
a wave may start ``DELAY / 2`` early (scheduling jitter) and still count as one."""


@pytest.fixture
def servers() -> Iterator[Servers]:
    with serving(DELAY) as running:
        yield running


def _config(servers: Servers) -> str:
    urls = servers.urls()
    return "".join(
        f'[venues.{name}]\nkind = "{name}"\nbase_url = "{urls[name]}"\n'
        'options = { instrument_cache = "" }\n'
        if name == "grvt"
        else f'[venues.{name}]\nkind = "{name}"\nbase_url = "{urls[name]}"\n'
        for name in NATIVE
    )


def _scan(runner: CliRunner, path: Path) -> dict[str, Any]:
    result = runner.invoke(cli, ["--config", str(path), "scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_native_venues_and_a_ccxt_venue_scan_together(
    runner: CliRunner, isolated: Path, servers: Servers
) -> None:
    path = isolated / "atomic-fp.toml"
    path.write_text(_config(servers))
    _scan(runner, path)
    first = servers.take_logs()
    alone = {v: sorted(s.path for s in log) for v, log in first.items()}
    alone_trips = {v: round_trips(log, DELAY / 2) for v, log in first.items()}
    fake = FakeBitget()
    with serve(fake) as url:
        path.write_text(_config(servers) + config_toml(url))
        data = _scan(runner, path)
        logs = servers.take_logs()
    venues = data["venues"]
    assert set(NATIVE) | {"bitget"} <= set(venues)
    assert all(venues[v]["ok"] for v in (*NATIVE, "bitget")), venues
    used = {o["long_venue"] for o in data["opportunities"]} | {
        o["short_venue"] for o in data["opportunities"]
    }
    assert "bitget" in used
    trips = {v: round_trips(logs[v], DELAY / 2) for v in NATIVE}
    for venue in NATIVE:
        assert sorted(s.path for s in logs[venue]) == alone[venue]
    assert trips == {v: alone_trips[v] for v in NATIVE}
    assert max(trips.values()) <= 2, trips  # about one round trip per native venue
