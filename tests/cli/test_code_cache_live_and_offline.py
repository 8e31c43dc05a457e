"""One ``scan`` code cache file for live and offline scans (review of issue 20): a live
scan and an offline one define other classes, compile other patterns and dataclasses
(h11's and httpx's against the bundled snapshot's replay), and the file kept only what
the process that wrote it used, so alternating them compiled and rewrote it every run.
Now an entry is kept while a process used it in the last ``KEPT_WRITES`` writes (at most
``MAX_ENTRIES``, the most recently used first): both kinds of run find theirs and write
nothing, and what no run uses any more still goes. Counts of writes and compilations,
never timings. The processes run with random hash seeds, as a user's do: a run that meets a
class whose generated ``__hash__`` number has an unusual length compiles that class alone
(counted by the cache: ``unusual_lengths``); before, the test then failed (3 runs in 17)."""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attr._make
import pytest

from bench.replay_server import Servers, serving
from scripts import attrs_code_cache
from scripts.attrs_code_cache import KEPT_WRITES, CodeCache, _future_flags
from tests.cli.fresh_process import environment, run_atomic_fp


def _script(name: str) -> tuple[str, str]:
    return f"def __init__(self, a):\n    self.{name} = a\n", f"<attrs generated init t.{name}>"


SHARED = [_script(f"shared{i}") for i in range(3)]
LIVE = [_script(f"live{i}") for i in range(4)]
OFFLINE = [_script(f"offline{i}") for i in range(2)]


def _process(path: Path, classes: list[tuple[str, str]], pattern: str | None = None) -> CodeCache:
    """What one ``atomic-fp`` process does with the file: read it, define its classes
    (and keep a compiled pattern), write it at exit if anything was new."""
    cache = CodeCache(path, _future_flags(attr._make))
    for script, filename in classes:
        cache.compile(script, filename)
    if pattern is not None and cache.stored("re", pattern) is None:
        cache.store("re", pattern, marshal.dumps(pattern))
    cache.save()
    return cache


def test_alternating_two_sets_of_classes_writes_the_file_twice_in_all(tmp_path: Path) -> None:
    path = tmp_path / "attrs-code-test.marshal"
    runs = [
        _process(path, SHARED + LIVE, "live") if i % 2 == 0 else _process(path, SHARED + OFFLINE)
        for i in range(12)
    ]
    assert [run.writes for run in runs] == [1, 1] + [0] * 10
    assert [run.misses for run in runs[2:]] == [0] * 10  # each finds every class it defines
    assert runs[1].misses == len(OFFLINE)  # the second compiled only what the first lacked
    assert runs[-1].stored("re", "live") is not None


def test_an_entry_no_process_uses_goes_after_kept_writes_writes(tmp_path: Path) -> None:
    """Each process defines the shared classes and one of its own, once: the file holds the
    shared ones and those of the last ``KEPT_WRITES`` writers only, however many came."""
    path = tmp_path / "attrs-code-test.marshal"
    for i in range(3 * KEPT_WRITES):
        assert _process(path, [*SHARED, _script(f"once{i}")]).writes == 1
    last = CodeCache(path, _future_flags(attr._make))
    names = {entry[0] for entry in last.codes.values()}
    assert names == {name for _, name in SHARED} | {
        _script(f"once{i}")[1] for i in range(2 * KEPT_WRITES, 3 * KEPT_WRITES)
    }
    assert last.generation == 3 * KEPT_WRITES


def test_beyond_max_entries_the_most_recently_used_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attrs_code_cache, "MAX_ENTRIES", len(LIVE))
    path = tmp_path / "attrs-code-test.marshal"
    _process(path, OFFLINE)
    _process(path, LIVE)
    kept = CodeCache(path, _future_flags(attr._make))
    assert {entry[0] for entry in kept.codes.values()} == {name for _, name in LIVE}


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with serving(0.0) as running:
        yield running


COUNTS = """
from scripts import attrs_code_cache as cache_module
cache = cache_module._installed[0]
report = {
    "code": code,
    "compiled": cache.misses + cache.source_misses + cache.stores,
    "unusual": cache.unusual_lengths,
}
"""


def test_live_and_offline_scans_in_turn_each_find_their_code_and_write_nothing(
    servers: Servers, tmp_path: Path
) -> None:
    urls = servers.urls()
    config = tmp_path / "atomic-fp.toml"
    config.write_text(
        "".join(
            f'[venues.{name}]\nkind = "{name}"\nbase_url = "{urls[name]}"\n\n'
            for name in ("binance", "hyperliquid", "lighter")
        )
    )
    env = environment(ATOMIC_FP_CONFIG=str(config), ATOMIC_FP_CACHE_DIR=str(tmp_path / "cache"))

    versions: list[tuple[int, int]] = []
    """(inode, modification time) of the file after each run: a write replaces it."""

    def scan(*args: str) -> tuple[dict[str, Any], str]:
        ran = run_atomic_fp(
            "scan", "--format", "json", *args, probe="", report_code=COUNTS, env=env
        )
        (path,) = (tmp_path / "cache").glob("attrs-code-*-scan.marshal")
        versions.append((path.stat().st_ino, path.stat().st_mtime_ns))
        return ran

    runs = [scan() if i % 2 == 0 else scan("--offline") for i in range(6)]
    assert all(report["code"] == 0 for report, _ in runs)
    live, offline = runs[0][0], runs[1][0]
    assert live["compiled"] > 100
    assert offline["compiled"] > 0  # what the live scan did not need
    assert versions[1] != versions[0]  # ... written once
    # and never again: each later run compiles nothing, but for a class whose __hash__
    # number has an unusual length in that process's hash seed (HASH_LENGTHS: about 6 %
    # of processes meet one, then compile it alone and write the file)
    for (report, _), before, after in zip(runs[2:], versions[1:-1], versions[2:], strict=True):
        assert report["code"] == 0
        assert report["compiled"] == report["unusual"] <= 2, report
        assert (after == before) == (report["compiled"] == 0)
    assert runs[1][1] == runs[3][1] == runs[5][1]  # the offline scan prints the same
    assert json.loads(runs[4][1])["opportunities"]  # the live one did scan
