"""``scripts.attrs_code_cache``: attrs' generated methods taken from disk instead of
compiled again (issue 20), exactly what ``compile`` returns, in real ``atomic-fp``
processes with different hash seeds (attrs writes a per-process number into each
generated ``__hash__``); a file that is corrupt, or writable by others, is not used;
only the ``atomic-fp`` process installs it. Counts and equality, never timings."""

from __future__ import annotations

import fnmatch
import marshal
import sys
from pathlib import Path
from typing import Any

import attr._make
import pytest
from click.testing import CliRunner

from scripts import attrs_code_cache
from scripts.attrs_code_cache import (
    HASH_LENGTHS,
    CodeCache,
    _future_flags,
    build_id,
    cache_file,
)
from scripts.cli import cli
from tests.cli.fresh_process import environment, run_atomic_fp

CHECKED_SCAN = """
from scripts import attrs_code_cache as cache_module
original = cache_module.CodeCache.compile
counts = {"checked": 0, "different": 0}
def checked(self, script, filename):
    code = original(self, script, filename)
    fresh = compile(script, filename, "exec", flags=self.flags, dont_inherit=True)
    counts["checked"] += 1
    counts["different"] += code != fresh
    return code
cache_module.CodeCache.compile = checked
"""

COUNTS = """
cache = cache_module._installed[0]
counts.update(code=code, hits=cache.hits, misses=cache.misses, rebased=cache.rebased)
report = counts
"""


def _scan(cache_dir: Path, seed: str) -> tuple[dict[str, int], str]:
    return run_atomic_fp(
        "scan",
        "--offline",
        "--format",
        "json",
        probe=CHECKED_SCAN,
        report_code=COUNTS,
        env=environment(ATOMIC_FP_CACHE_DIR=str(cache_dir), PYTHONHASHSEED=seed),
    )


def test_a_second_process_reuses_the_code_and_it_is_what_compile_returns(tmp_path: Path) -> None:
    first, first_output = _scan(tmp_path, "1")
    assert first["code"] == 0 and first["hits"] == 0
    assert first["misses"] > 100  # every class of the scan compiled once, and stored
    assert first["different"] == 0
    files = list(tmp_path.glob("attrs-code-*-scan.marshal"))
    assert len(files) == 1
    # another hash seed: every generated __hash__ holds another number
    second, second_output = _scan(tmp_path, "2")
    assert second["code"] == 0
    # every usual length of the number was stored by the first: (nearly) all found
    assert second["misses"] <= 3 and second["hits"] >= second["checked"] - 3, second
    assert second["rebased"] > 0  # stored code given this process's number ...
    assert second["checked"] == first["checked"] and second["different"] == 0  # ... exactly
    same, same_output = _scan(tmp_path, "1")  # the first seed again: all found as stored
    assert same["misses"] == 0 and same["different"] == 0
    assert first_output == second_output == same_output  # byte-identical scan


def _cache(tmp_path: Path) -> CodeCache:
    return CodeCache(tmp_path / "attrs-code-test.marshal", _future_flags(attr._make))


SCRIPT = "def __init__(self, a):\n    self.a = a\n"
NAME = "<attrs generated methods tests.Example>"


def _compiled() -> object:
    """What attrs' own ``compile`` call returns (it inherits attrs' ``__future__`` flags)."""
    return compile(SCRIPT, NAME, "exec", flags=_future_flags(attr._make), dont_inherit=True)


def test_stored_on_save_found_by_the_next_cache_and_not_rewritten(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.compile(SCRIPT, NAME)
    assert (cache.hits, cache.misses) == (0, 1)
    cache.save()
    stamp = (tmp_path / "attrs-code-test.marshal").stat().st_mtime_ns
    again = _cache(tmp_path)
    assert again.compile(SCRIPT, NAME) == _compiled()
    assert (again.hits, again.misses) == (1, 0)
    again.save()  # nothing compiled: nothing written
    assert (tmp_path / "attrs-code-test.marshal").stat().st_mtime_ns == stamp
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".attrs-code-")]


def test_writing_removes_the_files_it_supersedes_only(tmp_path: Path) -> None:
    """The same command's file for another attrs install or interpreter goes when a new
    one is written; another command's file and unrelated files stay."""
    older = tmp_path / "attrs-code-cpython-311-a70d-1-1-scan.marshal"
    other_command = tmp_path / "attrs-code-cpython-311-a70d-1-1-venues.marshal"
    unrelated = tmp_path / "grvt-grvt-instruments.json"
    for path in (older, other_command, unrelated):
        path.write_bytes(b"x")
    current = tmp_path / "attrs-code-cpython-311-a70d-2-2-scan.marshal"
    cache = CodeCache(current, _future_flags(attr._make), superseded="attrs-code-*-scan.marshal")
    cache.compile(SCRIPT, NAME)
    cache.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [current.name, other_command.name, unrelated.name]
    )


def test_a_corrupt_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "attrs-code-test.marshal").write_bytes(b"\x00not marshal")
    cache = _cache(tmp_path)
    assert cache.compile(SCRIPT, NAME) == _compiled()
    assert cache.misses == 1
    cache.save()
    path = tmp_path / "attrs-code-test.marshal"
    stored = marshal.loads(path.read_bytes())
    path.write_bytes(marshal.dumps({k: (f, h, b"\xffnot code") for k, (f, h, _) in stored.items()}))
    damaged = _cache(tmp_path)  # an entry that is not code: compiled again, never run
    assert damaged.compile(SCRIPT, NAME) == _compiled()
    assert (damaged.hits, damaged.misses) == (0, 1)


def test_a_file_others_may_write_is_not_used(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.compile(SCRIPT, NAME)
    cache.save()
    path = tmp_path / "attrs-code-test.marshal"
    path.chmod(0o664)
    assert _cache(tmp_path).codes == {}
    path.chmod(0o600)
    assert _cache(tmp_path).codes != {}


HASHED = (
    "def __hash__(self):\n"
    "        return hash((\n"
    "                {number},\n"
    "                self.a,\n"
    "            ))\n"
)
HASHED_NAME = "<attrs generated methods tests.Hashed>"


@pytest.mark.parametrize("later", [10**16 + 12345, -(10**15) - 6789, -(10**18) - 1, 10**17 + 5])
def test_a_number_of_any_usual_length_is_found_after_one_process_stored_the_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: int
) -> None:
    """attrs writes ``hash()`` of a string into each ``__hash__``: another process (another
    hash seed) has another number, of 17 characters in 0.54 % of classes (46 % of scans
    met one: a compile and the whole file rewritten at exit). The first process stores
    every usual length; the later one finds its number's, exactly what ``compile``
    returns for its own source, and writes nothing."""
    first = 1234567890123456789
    monkeypatch.setattr(attrs_code_cache, "_type_hash", lambda filename: first)
    cache = _cache(tmp_path)
    cache.compile(HASHED.format(number=first), HASHED_NAME)
    cache.save()
    assert len(str(later)) in HASH_LENGTHS
    monkeypatch.setattr(attrs_code_cache, "_type_hash", lambda filename: later)
    again = _cache(tmp_path)
    script = HASHED.format(number=later)
    code = again.compile(script, HASHED_NAME)
    assert (again.hits, again.misses, again.rebased) == (1, 0, 1)
    assert code == compile(
        script, HASHED_NAME, "exec", flags=_future_flags(attr._make), dont_inherit=True
    )
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert later in namespace["__hash__"].__code__.co_consts  # type: ignore[attr-defined]


def test_a_rebased_number_changes_only_the_hash_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The variant stored for 18-character numbers holds the stand-in 10**17 until a
    process puts its own number in; a constant elsewhere in the script that equals the
    stand-in (here a method returning 10**17) stays what ``compile`` makes of it."""
    other = "def limit(self):\n    return 100000000000000000\n"
    monkeypatch.setattr(attrs_code_cache, "_type_hash", lambda filename: 1234567890123456789)
    cache = _cache(tmp_path)
    cache.compile(other + HASHED.format(number=1234567890123456789), HASHED_NAME)
    cache.save()
    later = 123456789012345678
    monkeypatch.setattr(attrs_code_cache, "_type_hash", lambda filename: later)
    again = _cache(tmp_path)
    script = other + HASHED.format(number=later)
    code = again.compile(script, HASHED_NAME)
    assert again.rebased == 1
    assert code == compile(
        script, HASHED_NAME, "exec", flags=_future_flags(attr._make), dont_inherit=True
    )


def test_each_environment_has_its_own_file_and_supersedes_only_its_own(tmp_path: Path) -> None:
    """Two environments (virtual environments, each with its own attrs) on one machine:
    each writing removed the other's file, so each run compiled every class again and
    rewrote the file. An upgrade in one environment still replaces its own old file."""
    one, one_glob = cache_file(tmp_path, "/work/a/.venv", "cpython-311-a70d-1-1", "scan")
    two, two_glob = cache_file(tmp_path, "/work/b/.venv", "cpython-311-a70d-2-2", "scan")
    upgraded, _ = cache_file(tmp_path, "/work/a/.venv", "cpython-312-cb0d-3-3", "scan")
    venues, _ = cache_file(tmp_path, "/work/a/.venv", "cpython-311-a70d-1-1", "venues")
    assert len({one, two, upgraded, venues}) == 4
    assert one.parent == tmp_path and one.name.startswith("attrs-code-")
    assert one.name.endswith("-scan.marshal")  # as the end-to-end test above finds it
    assert fnmatch.fnmatch(upgraded.name, one_glob)  # an upgrade replaces the old file
    assert not fnmatch.fnmatch(two.name, one_glob)  # never another environment's
    assert not fnmatch.fnmatch(one.name, two_glob)
    assert not fnmatch.fnmatch(venues.name, one_glob)  # nor another command's


def test_another_build_of_the_same_python_gets_another_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An interpreter upgraded in place (3.11.2 -> 3.11.7) keeps its cache tag, bytecode
    magic and ``_sre.MAGIC``, but its ``re`` compiler builds other programs for some
    patterns: the file it reads must not be the old build's."""
    here = build_id(attr._make.__file__)
    assert here is not None
    monkeypatch.setattr(sys, "version", sys.version + " (rebuilt)")
    other = build_id(attr._make.__file__)
    assert other is not None and other != here
    assert build_id("/nonexistent/_make.py") is None


def test_only_the_atomic_fp_process_installs_it() -> None:
    before = attr._make._compile_and_eval
    result = CliRunner().invoke(cli, ["venues"])
    assert result.exit_code == 0
    assert attr._make._compile_and_eval is before


def test_the_file_is_read_in_one_call_whatever_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: ``marshal.load`` on a file object reads it piecewise, about two reads per
    object (~7 ms for the scan's 1.4 MB file); the cache reads it once, then decodes it."""
    cache = _cache(tmp_path)
    for i in range(200):
        cache.compile(SCRIPT.replace("self.a", f"self.a{i}"), f"<attrs generated init t.C{i}>")
    cache.save()
    reads: list[str] = []

    class Counted:
        def __init__(self, file: Any) -> None:
            self._file = file

        def __enter__(self) -> Counted:
            return self

        def __exit__(self, *exc: object) -> None:
            self._file.close()

        def fileno(self) -> int:
            return int(self._file.fileno())

        def read(self, *args: Any) -> bytes:
            reads.append("read")
            return bytes(self._file.read(*args))

        def readinto(self, buffer: Any) -> int:
            reads.append("readinto")
            return int(self._file.readinto(buffer))

    monkeypatch.setattr(attrs_code_cache, "open", lambda *a: Counted(open(*a)), raising=False)  # noqa: SIM115
    again = _cache(tmp_path)
    assert len(again.codes) == 200
    assert reads == ["read"]
