"""The CLI keeps GRVT's instrument list on disk for live scans, never for offline ones.

A live ``scan`` of a GRVT venue (a local replay server on 127.0.0.1) stores
``all_instruments`` under the cache directory; the next scan (within the TTL) asks only
for the tickers. ``--offline`` and ``--snapshot`` scans neither read nor write it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.registry import VenueSettings
from atomic_fp.models.identifiers import ExchangeIdentifier
from bench.replay_server import Servers, serving
from scripts.cli import cli
from scripts.runtime import cache_dir, with_disk_caches

ALL_INSTRUMENTS = "/full/v1/all_instruments"
TICKER = "/full/v1/ticker"


def test_cache_dir_prefers_its_own_variable_then_xdg_then_home() -> None:
    home = {"HOME": "/home/u"}
    assert cache_dir(home) == Path("/home/u/.cache/atomic-fp")
    xdg = {**home, "XDG_CACHE_HOME": "/var/cache/u"}
    assert cache_dir(xdg) == Path("/var/cache/u/atomic-fp")
    assert cache_dir({**home, "XDG_CACHE_HOME": "relative/dir"}) == cache_dir(home)
    assert cache_dir({**xdg, "ATOMIC_FP_CACHE_DIR": "/tmp/afp"}) == Path("/tmp/afp")
    assert cache_dir({**xdg, "ATOMIC_FP_CACHE_DIR": "  "}) == Path("/var/cache/u/atomic-fp")


def test_only_grvt_venues_get_the_instrument_cache_option() -> None:
    environ = {"ATOMIC_FP_CACHE_DIR": "/tmp/afp"}
    grvt = VenueSettings(id=ExchangeIdentifier("grvt-main"), kind="grvt")
    assert with_disk_caches(grvt, environ).options == {
        "instrument_cache": "/tmp/afp/grvt-grvt-main-instruments.json"
    }
    binance = VenueSettings(id=ExchangeIdentifier("binance"), kind="binance")
    assert with_disk_caches(binance, environ) == binance
    off = VenueSettings(id=ExchangeIdentifier("g"), kind="grvt", options={"instrument_cache": ""})
    assert with_disk_caches(off, environ).options == {"instrument_cache": ""}


@pytest.fixture
def servers() -> Iterator[Servers]:
    with serving(0.0) as running:
        yield running


def _grvt_config(directory: Path, url: str) -> Path:
    path = directory / "atomic-fp.toml"
    path.write_text(f'[venues.grvt]\nkind = "grvt"\nbase_url = "{url}"\n')
    return path


def _scan(runner: CliRunner, config: Path, *extra: str) -> dict[str, object]:
    result = runner.invoke(cli, ["--config", str(config), "scan", "--format", "json", *extra])
    assert result.exit_code in (0, 3), result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_a_second_live_scan_asks_grvt_only_for_tickers(
    runner: CliRunner, isolated: Path, cache_dir: Path, servers: Servers
) -> None:
    config = _grvt_config(isolated, servers.urls()["grvt"])
    first = _scan(runner, config)
    paths = [s.path for s in servers.take_logs()["grvt"]]
    assert paths.count(ALL_INSTRUMENTS) == 1 and TICKER in paths
    stored = cache_dir / "grvt-grvt-instruments.json"
    assert json.loads(stored.read_text())["venue"] == "grvt"
    second = _scan(runner, config)
    paths = [s.path for s in servers.take_logs()["grvt"]]
    assert ALL_INSTRUMENTS not in paths and TICKER in paths
    assert first["venues"] == second["venues"]


def test_offline_and_snapshot_scans_do_not_touch_the_cache(
    runner: CliRunner, isolated: Path, cache_dir: Path
) -> None:
    assert runner.invoke(cli, ["scan", "--offline"]).exit_code in (0, 3)
    assert not cache_dir.exists()
    cache_dir.mkdir()
    planted = cache_dir / "grvt-grvt-instruments.json"
    planted.write_text("not json")
    bundled = Path(__file__).resolve().parents[2] / "adapters" / "snapshot" / "data"
    snapshot = runner.invoke(cli, ["scan", "--snapshot", str(bundled), "--format", "json"])
    assert snapshot.exit_code in (0, 3), snapshot.output
    assert json.loads(snapshot.stdout)["venues"]["grvt"]["ok"] is True
    assert planted.read_text() == "not json"
    assert sorted(p.name for p in cache_dir.iterdir()) == [planted.name]
