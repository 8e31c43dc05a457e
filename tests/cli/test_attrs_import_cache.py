"""``scripts.attrs_import_cache``: attrs' own classes (``Attribute``, ``Factory``, its
validators ...) are defined from the scan's code cache while attrs is imported (issue 20:
28 methods compiled again by every process before). In real processes: the second scan
compiles none of attrs' methods, each code object it uses is what ``compile`` returns,
attrs is left as the standard import leaves it, and the output is the same. The seeded
``compile`` is the builtin for every other call. Counts and equality, never timings."""

from __future__ import annotations
import __future__

import builtins
import importlib.machinery
import sys
from pathlib import Path
from typing import Any

import attr._make
import pytest

from scripts.attrs_code_cache import CodeCache, _future_flags
from scripts.attrs_import_cache import seeded_compile
from tests.cli.fresh_process import environment, run_atomic_fp

PROBE = """
import builtins, sys
_real_compile = builtins.compile
compiled = []
def _counting_compile(source, filename, *args, **kwargs):
    if str(filename).startswith("<attrs generated"):
        compiled.append(str(filename))
    return _real_compile(source, filename, *args, **kwargs)
builtins.compile = _counting_compile
from scripts import attrs_code_cache as cache_module
_original = cache_module.CodeCache.compile
different = []
def _checked(self, script, filename):
    code = _original(self, script, filename)
    if code != _real_compile(script, filename, "exec", flags=self.flags, dont_inherit=True):
        different.append(filename)
    return code
cache_module.CodeCache.compile = _checked
"""

REPORT = """
import importlib.machinery
make = sys.modules["attr._make"]
cache = cache_module._installed[0]
report = {
    "code": code,
    "compiled": compiled,
    "different": different,
    "hits": [name for name in sorted(cache.used) if name.endswith(("Attribute>", "Validator>"))],
    "seed_left": "compile" in vars(make),
    "loader": type(make.__loader__) is importlib.machinery.SourceFileLoader
    or type(make.__loader__).__mro__[1] is importlib.machinery.SourceFileLoader,
    "replaced": make._compile_and_eval.__module__ == "scripts.attrs_code_cache",
}
"""


def _scan(cache_dir: Path, seed: str) -> tuple[dict[str, Any], str]:
    return run_atomic_fp(
        "scan",
        "--offline",
        "--format",
        "json",
        probe=PROBE,
        report_code=REPORT,
        env=environment(ATOMIC_FP_CACHE_DIR=str(cache_dir), PYTHONHASHSEED=seed),
    )


def test_a_second_scan_compiles_none_of_attrs_own_classes(tmp_path: Path) -> None:
    first, first_output = _scan(tmp_path, "1")
    assert first["code"] == 0
    own = [name for name in first["compiled"] if " attr." in name]
    assert len(own) >= 20  # attrs' own classes, compiled once (and stored)
    assert first["different"] == []
    second, second_output = _scan(tmp_path, "1")
    assert second["code"] == 0
    assert second["compiled"] == []  # before: attrs' own 28 methods in every process
    assert second["different"] == []  # each is what compile returns
    assert "<attrs generated __repr__ attr._make.Attribute>" in second["hits"]
    assert "<attrs generated methods attr.validators._InstanceOfValidator>" in second["hits"]
    # attrs as the standard import leaves it, then _compile_and_eval replaced as before
    assert second["seed_left"] is False and second["loader"] is True and second["replaced"]
    assert second_output == first_output
    # another seed: other numbers in the generated __hash__ methods (a class without
    # fields hashes a folded constant tuple, whose number is replaced too)
    third, third_output = _scan(tmp_path, "2")
    assert third["code"] == 0 and third["different"] == [] and len(third["compiled"]) <= 3
    assert third_output == first_output


def _cache(tmp_path: Path) -> CodeCache:
    return CodeCache(tmp_path / "attrs-code-test.marshal", _future_flags(attr._make))


SOURCE = "def f(a: Undefined) -> int:\n    return a\n"
ANNOTATIONS = __future__.annotations.compiler_flag


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((SOURCE, "<attrs generated x>", "exec"), {}),  # attrs' call: from the cache
        ((SOURCE, "<x>", "exec", 0, True), {}),  # without inheriting
        ((SOURCE, "<x>", "exec", ANNOTATIONS, True), {}),
        (("1 + 2", "<x>", "eval"), {}),
        ((SOURCE, "<x>", "exec"), {"optimize": 2}),
        ((SOURCE, "<x>", "exec", 0x400), {}),  # PyCF_ONLY_AST: a tree, not code
        ((b"x = 1\n", "<x>", "exec"), {}),
    ],
)
def test_the_seeded_compile_returns_what_the_builtin_returns(
    tmp_path: Path, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Called from this module, whose ``from __future__ import annotations`` the builtin
    would inherit (and the cache's flags are attrs', the same feature)."""
    cache = _cache(tmp_path)
    seeded = seeded_compile(cache)
    got = seeded(*args, **kwargs)
    expected = builtins.compile(*args, **kwargs)
    if isinstance(expected, type(compile("", "", "exec"))):
        assert got == expected
    else:
        assert builtins.compile(got, "<x>", "exec") == builtins.compile(expected, "<x>", "exec")
    assert (cache.misses, cache.hits) == ((1, 0) if args[1].startswith("<attrs") else (0, 0))


def test_a_caller_with_other_future_flags_gets_the_builtin(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    seeded = seeded_compile(cache)
    namespace: dict[str, Any] = {"seeded": seeded}
    exec(
        builtins.compile(
            "code = seeded(SOURCE, '<attrs generated y>', 'exec')", "<t>", "exec", 0, True
        ),
        {**namespace, "SOURCE": SOURCE},
        namespace,
    )
    assert namespace["code"] == builtins.compile(SOURCE, "<attrs generated y>", "exec", 0, True)
    assert cache.misses == 0  # not the cache's flags: compiled by the builtin


def test_the_finder_is_gone_after_the_import() -> None:
    from scripts.attrs_import_cache import _SeedingFinder

    assert not [f for f in sys.meta_path if isinstance(f, _SeedingFinder)]
    assert isinstance(attr._make.__loader__, importlib.machinery.SourceFileLoader)
