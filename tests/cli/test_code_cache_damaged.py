"""A damaged code cache file never stops a ``scan`` (review of issue 20).

``marshal.loads`` of damaged data raises more than ``EOFError``/``ValueError``/
``TypeError``: a code object with a bad field raises ``SystemError`` ("bad argument to
internal function"). One flipped bit of the real file did that in review (1 in 1,500
flips for the whole file, ~1.3 % inside an entry), and every later ``scan`` ended in a
traceback, before it could rewrite the file. The damaged data here is found, not written
by hand: the first single-bit flip of a marshalled code object that makes
``marshal.loads`` raise ``SystemError`` on this interpreter."""

from __future__ import annotations

import importlib
import marshal
import os
from pathlib import Path

import attr._make
import pytest

from scripts.attrs_code_cache import CodeCache, _future_flags
from scripts.regex_code_cache import _key, install_for_re
from tests.cli.fresh_process import environment, run_console

SCRIPT = "def __init__(self, a):\n    self.a = a\n"
NAME = "<attrs generated methods tests.Damaged>"
FLAGS = _future_flags(attr._make)


def _raising_system_error() -> bytes:
    blob = marshal.dumps(compile(SCRIPT, NAME, "exec", flags=FLAGS, dont_inherit=True))
    for index in range(len(blob)):
        for bit in range(8):
            flipped = bytearray(blob)
            flipped[index] ^= 1 << bit
            try:
                marshal.loads(bytes(flipped))
            except SystemError:
                return bytes(flipped)
            except Exception:  # other refusals: keep searching
                continue
    pytest.skip("no single-bit flip raises SystemError on this interpreter")


DAMAGED = _raising_system_error()


def _compiled() -> object:
    return compile(SCRIPT, NAME, "exec", flags=FLAGS, dont_inherit=True)


def _cache(path: Path) -> CodeCache:
    return CodeCache(path, FLAGS)


def test_a_whole_file_marshal_refuses_with_system_error_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "attrs-code-test.marshal"
    path.write_bytes(DAMAGED)
    os.chmod(path, 0o600)
    cache = _cache(path)
    assert cache.codes == {}
    assert cache.compile(SCRIPT, NAME) == _compiled()
    assert (cache.hits, cache.misses) == (0, 1)


def test_an_entry_marshal_refuses_with_system_error_is_compiled_again(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "attrs-code-test.marshal")
    cache.compile(SCRIPT, NAME)
    cache.compile_source(SCRIPT, FLAGS)
    cache.codes = {key: (entry[0], entry[1], DAMAGED) for key, entry in cache.codes.items()}
    assert cache.compile(SCRIPT, NAME) == _compiled()
    assert cache.compile_source(SCRIPT, FLAGS) == compile(
        SCRIPT, "<string>", "exec", flags=FLAGS, dont_inherit=True
    )
    assert (cache.misses, cache.source_misses) == (2, 2)


def test_a_regular_expression_entry_marshal_refuses_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiler = importlib.import_module("re._compiler")
    original = compiler.compile
    monkeypatch.setattr(compiler, "compile", original)
    monkeypatch.setattr(compiler, "_sre", compiler._sre)
    cache = _cache(tmp_path / "attrs-code-test.marshal")
    cache.store("re", _key("a+b", 0, compiler._sre.MAGIC), DAMAGED)
    assert install_for_re(cache)
    assert compiler.compile("a+b", 0) == original("a+b", 0)


def test_a_scan_with_a_damaged_cache_file_prints_what_it_prints_without_one(
    tmp_path: Path,
) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    first = run_console(
        "scan", "--offline", "--format", "json", env=environment(ATOMIC_FP_CACHE_DIR=str(clean))
    )
    assert first.returncode == 0, first.stderr
    [written] = clean.glob("attrs-code-*-scan.marshal")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    path = damaged / written.name
    path.write_bytes(DAMAGED)
    os.chmod(path, 0o600)
    again = run_console(
        "scan", "--offline", "--format", "json", env=environment(ATOMIC_FP_CACHE_DIR=str(damaged))
    )
    assert (again.returncode, again.stderr, again.stdout) == (0, "", first.stdout)
    assert isinstance(marshal.loads(path.read_bytes()), dict)  # written again, readable
