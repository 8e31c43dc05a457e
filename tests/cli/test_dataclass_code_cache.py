"""``scripts.attrs_code_cache`` also keeps the code the standard library's ``dataclasses``
compiles for each class (it writes each method as source and ``exec``-s it: anyio's locks
and streams, h11's events, websockets' frames; issue 20, ~1 ms of CPU per class in every
``atomic-fp`` process). The classes built through the cache are the ones ``exec`` builds:
the same code objects and the same behaviour, compiled with the caller's ``__future__``
flags and run in the namespaces ``exec`` would use; in real processes the second
``scan --offline`` on anyio compiles none of them again and prints the same bytes. Counts
and equality, never timings. (``scan --offline`` itself runs without an event loop and
defines none of anyio's backend classes: :data:`ON_ANYIO` sets it back on anyio, the
loop a live scan runs on.)"""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path
from typing import Any

import attr._make
import pytest

from scripts.attrs_code_cache import CodeCache, _future_flags, cached_exec
from tests.cli.fresh_process import environment, run_atomic_fp

CLASSES = """
import dataclasses
from dataclasses import InitVar, field
from typing import ClassVar


@dataclasses.dataclass
class Plain:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list)
    hidden: int = field(default=0, repr=False, compare=False)
    counted: ClassVar[int] = 0


@dataclasses.dataclass(frozen=True, order=True)
class Frozen:
    x: int
    y: float = 1.5


@dataclasses.dataclass(eq=True, unsafe_hash=True, slots=True, kw_only=True)
class Slotted:
    name: str
    size: int = 3


@dataclasses.dataclass
class Derived:
    base: int
    extra: InitVar[int] = 0
    total: int = field(init=False, default=0)

    def __post_init__(self, extra: int) -> None:
        self.total = self.base + extra
"""
"""Dataclasses with every kind of generated method (defaults, factories, frozen, order,
hash, slots, keyword-only, InitVar and ``__post_init__``), defined anew at each call."""


def _define() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "dataclass_examples"}
    exec(compile(CLASSES, "<examples>", "exec", dont_inherit=True), namespace)
    return namespace


def _methods(namespace: dict[str, Any]) -> dict[str, types.CodeType]:
    found = {}
    for class_name in ("Plain", "Frozen", "Slotted", "Derived"):
        for name, value in vars(namespace[class_name]).items():
            if isinstance(value, types.FunctionType) and name != "__post_init__":
                found[f"{class_name}.{name}"] = value.__code__
    return found


def _behaviour(ns: dict[str, Any]) -> list[object]:
    plain, frozen, slotted, derived = ns["Plain"], ns["Frozen"], ns["Slotted"], ns["Derived"]
    one, two = plain(1), plain(1, hidden=5)
    one.c.append(1)
    out: list[object] = [repr(one), one == two, one.c, two.c, plain(2).c is plain(2).c]
    out += [repr(frozen(1)), frozen(1) < frozen(2), hash(frozen(1)) == hash(frozen(1))]
    try:
        frozen(1).x = 2
    except dataclasses.FrozenInstanceError as refused:
        out.append(f"{type(refused).__name__}: {refused}")
    out += [repr(slotted(name="n")), hash(slotted(name="n")) == hash(slotted(name="n"))]
    try:
        slotted("n")
    except TypeError as refused:
        out.append(f"TypeError: {refused}")
    out += [derived(2, 3).total, repr(derived(2))]
    return out


def _cache(tmp_path: Path) -> CodeCache:
    return CodeCache(tmp_path / "attrs-code-test.marshal", _future_flags(attr._make))


def test_dataclasses_built_through_the_cache_are_the_ones_exec_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _define()
    cache = _cache(tmp_path)
    monkeypatch.setattr(dataclasses, "exec", cached_exec(cache), raising=False)
    built = _define()
    assert cache.source_misses > 10 and cache.source_hits == 0  # every method went through it
    assert _methods(built) == _methods(reference)  # the same code objects
    assert len(_methods(built)) > 15
    assert _behaviour(built) == _behaviour(reference)
    cache.save()
    # the next process's cache finds every one of them, as stored
    again = _cache(tmp_path)
    monkeypatch.setattr(dataclasses, "exec", cached_exec(again), raising=False)
    rebuilt = _define()
    assert (again.source_hits, again.source_misses) == (cache.source_misses, 0)
    assert _methods(rebuilt) == _methods(reference)
    assert _behaviour(rebuilt) == _behaviour(reference)


def test_a_source_runs_in_the_namespaces_exec_would_use(tmp_path: Path) -> None:
    run = cached_exec(_cache(tmp_path))
    given: dict[str, Any] = {"x": 1}
    run("y = x + 1", given)  # globals alone: also the locals
    assert given["y"] == 2
    mine: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    run("where = __name__", None, mine)  # no globals: the caller's, not the cache module's
    exec("where = __name__", None, theirs)
    assert mine == theirs == {"where": __name__}
    code = compile("z = 7", "<code>", "exec")
    run(code, given)  # a code object: run as it is
    assert given["z"] == 7


SOURCE = "def f(a: NotDefinedAnywhere) -> None:\n    pass\n"
"""Its annotation is evaluated (a ``NameError``) unless the caller has
``from __future__ import annotations``."""


def test_a_source_is_compiled_with_the_callers_future_flags(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    run = cached_exec(cache)
    namespace: dict[str, Any] = {}
    run(SOURCE, namespace)  # this module has ``from __future__ import annotations``
    assert namespace["f"].__annotations__ == {"a": "NotDefinedAnywhere", "return": "None"}
    plain_caller = compile("run(SOURCE, {})", "<caller>", "exec", dont_inherit=True)
    with pytest.raises(NameError, match="NotDefinedAnywhere"):
        exec(plain_caller, {"run": run, "SOURCE": SOURCE})
    with pytest.raises(NameError, match="NotDefinedAnywhere"):  # what exec itself does
        exec(plain_caller, {"run": exec, "SOURCE": SOURCE})
    assert cache.source_misses == 2  # one code per flags, never the other's


COUNTS = """
from scripts import attrs_code_cache as cache_module
cache = cache_module._installed[0]
import dataclasses
report = {
    "code": code,
    "hits": cache.source_hits,
    "misses": cache.source_misses,
    "installed": "exec" in vars(dataclasses),
}
"""


ON_ANYIO = "import scripts.scan_run\nscripts.scan_run.LOOP_FREE_OFFLINE = False\n"
"""A probe: the offline scan on anyio's asyncio backend, as a live scan runs."""


def test_a_second_scan_compiles_no_dataclass_again_and_prints_the_same(tmp_path: Path) -> None:
    def scan() -> tuple[dict[str, Any], str]:
        return run_atomic_fp(
            "scan",
            "--offline",
            "--format",
            "json",
            probe=ON_ANYIO,
            report_code=COUNTS,
            env=environment(ATOMIC_FP_CACHE_DIR=str(tmp_path)),
        )

    first, first_output = scan()
    assert first["code"] == 0 and first["installed"]
    # anyio's dataclasses, compiled (a source met again in the process is found)
    assert first["misses"] > 20 and first["hits"] < first["misses"]
    second, second_output = scan()
    assert second["code"] == 0
    assert (second["hits"], second["misses"]) == (first["hits"] + first["misses"], 0)
    assert second_output == first_output  # byte-identical scan
