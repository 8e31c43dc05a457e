"""The order of a cold live ``scan``'s start-up (issue 20): it opens its first connection
before it imports the decisions, ranking and output, and imports those in a worker thread
while the venues answer (:func:`scripts.startup.warm_imports`); the offline scan, which
connects to nothing, imports them on its own thread as before.

Checked in a fresh ``atomic-fp`` process against local venue servers replaying the bundled
snapshot over HTTP on 127.0.0.1: the process records, in order, each call of the event
loop's ``create_connection`` and the start of each import of the modules below (a
``sys.meta_path`` finder that only records), with the thread it happened on. Events in
order, never durations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.replay_server import Servers, serving
from tests.cli.fresh_process import environment, run_atomic_fp

AFTER_CONNECT = (
    "atomic_fp.decisions",
    "atomic_fp.decisions.estimators",
    "atomic_fp.decisions.ranking",
    "atomic_fp.decisions.liquidity",
    "scripts.scan_carry",
    "scripts.scan_report",
    "scripts.scan_render",
    "scripts.json_contract",
)
"""What a live scan needs only once the rates are in."""

RECORDER = """
import asyncio.base_events, sys, threading
events = []

class Recorder:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in WATCHED:
            events.append(["import", name, threading.current_thread() is threading.main_thread()])
        return None

sys.meta_path.insert(0, Recorder)
original = asyncio.base_events.BaseEventLoop.create_connection

async def create_connection(self, *args, **kwargs):
    events.append(["connect", str(args[1:3]), True])
    return await original(self, *args, **kwargs)

asyncio.base_events.BaseEventLoop.create_connection = create_connection
"""


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with serving(0.0) as running:
        yield running


def _run(*args: str, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    watched = f"WATCHED = {set(AFTER_CONNECT)!r}\n"
    return run_atomic_fp(
        *args,
        probe=watched + RECORDER,
        report_code='report = {"code": code, "events": events}',
        env=env,
    )


def _live_config(servers: Servers, tmp_path: Path) -> dict[str, str]:
    urls = servers.urls()
    config = tmp_path / "atomic-fp.toml"
    config.write_text(
        "".join(
            f'[venues.{name}]\nkind = "{name}"\nbase_url = "{urls[name]}"\n\n'
            for name in ("binance", "hyperliquid", "lighter")
        )
    )
    return environment(ATOMIC_FP_CONFIG=str(config), ATOMIC_FP_CACHE_DIR=str(tmp_path / "cache"))


def test_live_scan_connects_before_importing_decisions_and_output_off_the_main_thread(
    servers: Servers, tmp_path: Path
) -> None:
    report, stdout = _run("scan", "--format", "json", env=_live_config(servers, tmp_path))
    assert report["code"] == 0
    answer = json.loads(stdout)
    assert answer["opportunities"]  # it did scan, rank and render
    events = report["events"]
    connects = [i for i, e in enumerate(events) if e[0] == "connect"]
    assert len(connects) >= 3  # one per venue at least
    imports = {e[1]: (i, e[2]) for i, e in reversed(list(enumerate(events))) if e[0] == "import"}
    assert set(imports) == set(AFTER_CONNECT), sorted(set(AFTER_CONNECT) - set(imports))
    for name, (position, on_main_thread) in imports.items():
        assert position > connects[0], f"{name} was imported before the first connection"
        assert not on_main_thread, f"{name} was imported on the main thread"


def test_offline_scan_connects_nowhere_and_imports_on_its_own_thread() -> None:
    report, stdout = _run("scan", "--offline", "--format", "json", env=environment())
    assert report["code"] == 0
    assert json.loads(stdout)["opportunities"]
    events = report["events"]
    assert not [e for e in events if e[0] == "connect"]
    imported = [e for e in events if e[0] == "import"]
    assert {e[1] for e in imported} == set(AFTER_CONNECT)
    assert all(on_main for _, _, on_main in imported)
