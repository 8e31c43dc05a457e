"""The pure core imports nothing that does I/O (issue 2, "what it must show" 5), and every
module of ``atomic_fp`` sits in one layer and imports only from its own or lower layers
(issue 14): 1 models & friends, 2 venue protocol & operations, 3 aggregators, 4 decisions,
5 orchestration & backtest. The pure layers (1 and 4) import only pure modules; no module
imports ``adapters`` or ``scripts`` (venues come in by injection).

Each core module's source is parsed (never imported for this check), its imports are
collected -- including ``from . import x``, imports inside functions and under
``TYPE_CHECKING`` -- and imports within ``atomic_fp`` are followed transitively, each
package's ``__init__`` included since importing a submodule runs it. Dynamic imports
(``importlib``/``__import__``) are refused outright: the check could not see through them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2]

CORE = (
    "atomic_fp.models",
    "atomic_fp.decisions",
    "atomic_fp.sizing",
    "atomic_fp.rounding",
    "atomic_fp.costs",
    "atomic_fp.symbols",
    "atomic_fp.errors",
    "atomic_fp.serialization",
    "atomic_fp.per_venue",
    "atomic_fp.exposure",
    "atomic_fp.clock",
    "atomic_fp.intervals",
)

FORBIDDEN = frozenset(
    {
        "httpx",
        "websockets",
        "anyio",
        "sqlite3",
        "time",
        "random",
        "os",
        "socket",
        "asyncio",
        "trio",
        "subprocess",
        "pathlib",
        "io",
        "importlib",
        "urllib",
        "http",
        "requests",
        "aiohttp",
        "shutil",
        "tempfile",
        "threading",
        "multiprocessing",
        "secrets",
        "adapters",
        "scripts",
    }
)


def module_file(module: str, root: Path) -> Path | None:
    """Source file of a module under ``root`` (package -> its ``__init__.py``)."""
    base = root.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def is_package(module: str, root: Path) -> bool:
    return (root.joinpath(*module.split(".")) / "__init__.py").is_file()


def _nodes(tree: ast.Module, package: bool) -> Iterable[ast.AST]:
    """Every node of ``tree``, except the body of a package's module-level ``__getattr__``
    (PEP 562 lazy exports: it runs on first access of a missing attribute, never on import;
    ``test_importing_the_core_loads_no_io_library`` checks that claim at runtime)."""
    lazy = [
        node
        for node in tree.body
        if package and isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
    ]
    skipped = {id(n) for lazy_def in lazy for n in ast.walk(lazy_def)}
    return (node for node in ast.walk(tree) if id(node) not in skipped)


def imports_of(source: str, module: str, package: bool) -> set[str]:
    """Absolute names of everything ``source`` imports (relative imports resolved)."""
    found: set[str] = set()
    here = module if package else module.rpartition(".")[0]
    for node in _nodes(ast.parse(source), package):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = here.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            found.add(origin)
            # ``from pkg import sub`` may import the submodule ``pkg.sub``
            found.update(f"{origin}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "__import__"
        ):
            found.add("importlib")  # dynamic import: refused as if importlib
    return found


def violations(roots: Iterable[str], root: Path, own: str = "atomic_fp") -> list[str]:
    """``"module imports name"`` for every forbidden import reachable from ``roots``."""
    return scan(roots, root, own)[0]


def scan(roots: Iterable[str], root: Path, own: str) -> tuple[list[str], set[str]]:
    """(forbidden imports found, modules read)."""
    roots = list(roots)
    pending = list(roots)
    for start in roots:  # a package root means all of its modules
        if is_package(start, root):
            directory = root.joinpath(*start.split("."))
            pending += [
                f"{start}.{path.stem}"
                for path in sorted(directory.glob("*.py"))
                if path.stem != "__init__"
            ]
    seen: set[str] = set()
    read: set[str] = set()
    problems: list[str] = []
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = module_file(module, root)
        if path is None:
            continue  # ``from pkg import name`` where name is not a module
        read.add(module)
        # importing a.b.c runs a/__init__ and a/b/__init__ first
        parents = module.split(".")
        pending += [".".join(parents[:i]) for i in range(1, len(parents))]
        for name in imports_of(path.read_text(), module, path.name == "__init__.py"):
            top = name.split(".")[0]
            if top in FORBIDDEN:
                problems.append(f"{module} imports {name}")
            elif top == own:
                pending.append(name)
    return sorted(set(problems)), read


def test_pure_core_imports_no_io() -> None:
    assert violations(CORE, PACKAGE_ROOT) == []


def test_importing_the_core_loads_no_io_library() -> None:
    """At runtime too: a fresh interpreter importing the pure core (and the ``atomic_fp``
    package, whose lazy exports must stay lazy) has loaded none of the I/O modules."""
    probe = (
        "import sys\n"
        f"import {', '.join(CORE)}\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    third_party_io = {"httpx", "websockets", "anyio", "sqlite3", "trio", "aiohttp", "requests"}
    assert set(loaded.split(",")) & (third_party_io | {"adapters", "scripts"}) == set()
    assert "atomic_fp" in loaded.split(",")  # the probe really imported something


def test_a_lazy_getattr_is_not_an_import_but_a_top_level_one_is(tmp_path: Path) -> None:
    package = tmp_path / "fakecore"
    package.mkdir()
    (package / "__init__.py").write_text(
        "def __getattr__(name):\n    import anyio\n    return anyio\n"
    )
    assert violations(["fakecore"], tmp_path, own="fakecore") == []
    (package / "__init__.py").write_text(
        "def helper():\n    import anyio\n\ndef __getattr__(name):\n    return name\n"
    )
    assert violations(["fakecore"], tmp_path, own="fakecore") == ["fakecore imports anyio"]


def test_the_walk_reaches_every_core_module() -> None:
    # A checker that silently visits nothing would pass: make sure it really reads them.
    _, read = scan(CORE, PACKAGE_ROOT, "atomic_fp")
    for expected in (
        "atomic_fp",
        "atomic_fp.decisions",
        "atomic_fp.decisions._common",
        "atomic_fp.decisions.funding_arbitrage",
        "atomic_fp.decisions.ranking",
        "atomic_fp.decisions.rebalance",
        "atomic_fp.decisions.safety",
        "atomic_fp.decisions.types",
        "atomic_fp.models",
        "atomic_fp.models.funding",
        "atomic_fp.models._validators",
        "atomic_fp.costs",
        "atomic_fp.errors",
        "atomic_fp.serialization",
        "atomic_fp.sizing",
        "atomic_fp.symbols",
    ):
        assert expected in read


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import time\n", "fakecore.leaf imports time"),
        ("from os import path\n", "fakecore.leaf imports os"),
        ("import httpx.client\n", "fakecore.leaf imports httpx.client"),
        ("def f():\n    import sqlite3\n", "fakecore.leaf imports sqlite3"),
        ("from pathlib import Path\n", "fakecore.leaf imports pathlib"),
        ("x = __import__('socket')\n", "fakecore.leaf imports importlib"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import anyio\n",
            "fakecore.leaf imports anyio",
        ),
    ],
)
def test_checker_catches_forbidden_imports_in_a_fake_package(
    tmp_path: Path, source: str, expected: str
) -> None:
    package = tmp_path / "fakecore"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "leaf.py").write_text(source)
    found = violations(["fakecore.leaf"], tmp_path, own="fakecore")
    assert expected in found  # (``from os import path`` also reports ``os.path``)
    (package / "leaf.py").write_text("import decimal\nfrom datetime import datetime\n")
    assert violations(["fakecore.leaf"], tmp_path, own="fakecore") == []


def test_checker_follows_imports_transitively_and_relatively(tmp_path: Path) -> None:
    package = tmp_path / "fakecore"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "top.py").write_text("from fakecore.sub import middle\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "middle.py").write_text("from . import bottom\n")
    (package / "sub" / "bottom.py").write_text("import random\n")
    assert violations(["fakecore.top"], tmp_path, own="fakecore") == [
        "fakecore.sub.bottom imports random"
    ]
    (package / "sub" / "bottom.py").write_text("import decimal\n")
    assert violations(["fakecore.top"], tmp_path, own="fakecore") == []
    (package / "sub" / "__init__.py").write_text("import asyncio\n")  # run on import
    assert violations(["fakecore.top"], tmp_path, own="fakecore") == [
        "fakecore.sub imports asyncio"
    ]


LAYERS: dict[str, int] = {
    "atomic_fp.models": 1,
    "atomic_fp.errors": 1,
    "atomic_fp.serialization": 1,
    "atomic_fp.symbols": 1,
    "atomic_fp.sizing": 1,
    "atomic_fp.rounding": 1,
    "atomic_fp.costs": 1,
    "atomic_fp.per_venue": 1,
    "atomic_fp.clock": 1,
    "atomic_fp.exposure": 1,
    "atomic_fp.intervals": 1,
    "atomic_fp.venue": 2,
    "atomic_fp.operations": 2,
    "atomic_fp.concurrency": 2,  # the task groups, scopes and locks of layers 3 and 5
    "atomic_fp.aggregators": 3,
    "atomic_fp.decisions": 4,
    "atomic_fp.orchestration": 5,
    "atomic_fp.backtest": 5,
}
PURE_LAYERS = frozenset({1, 4})


def all_modules(root: Path, package: str = "atomic_fp") -> list[str]:
    return sorted(
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in (root / package).rglob("*.py")
    )


def layer_of(module: str) -> int | None:
    matches = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    return LAYERS[max(matches, key=len)] if matches else None


def layering_problems(root: Path) -> list[str]:
    problems: list[str] = []
    for module in all_modules(root):
        path = module_file(module, root)
        assert path is not None
        names = imports_of(path.read_text(), module, path.name == "__init__.py")
        for name in sorted(names):
            top = name.split(".")[0]
            if top in ("adapters", "scripts"):
                problems.append(f"{module} imports {name}")
        if module == "atomic_fp":
            # the facade: what it imports eagerly must be pure (the rest is lazy)
            for name in sorted(names):
                target = layer_of(name)
                if target is not None and target not in PURE_LAYERS:
                    problems.append(f"atomic_fp imports {name} (layer {target}) eagerly")
            continue
        own = layer_of(module)
        if own is None:
            problems.append(f"{module} is in no layer")
            continue
        for name in sorted(names):
            target = layer_of(name)
            if target is None or name == "atomic_fp":
                continue
            if target > own:
                problems.append(f"{module} (layer {own}) imports {name} (layer {target})")
            elif own in PURE_LAYERS and target not in PURE_LAYERS:
                problems.append(f"{module} (pure layer {own}) imports {name} (layer {target})")
    return problems


def test_every_module_is_in_a_layer_and_imports_only_downwards() -> None:
    modules = all_modules(PACKAGE_ROOT)
    assert len(modules) > 40  # the walk really lists the package
    assert "atomic_fp.backtest.engine" in modules and "atomic_fp.per_venue" in modules
    assert layering_problems(PACKAGE_ROOT) == []


def test_the_layering_check_catches_an_upward_or_adapter_import(tmp_path: Path) -> None:
    package = tmp_path / "atomic_fp"
    (package / "decisions").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "decisions" / "__init__.py").write_text("")
    (package / "aggregators.py").write_text("")
    (package / "backtest.py").write_text("from adapters.paper import PaperVenue\n")
    (package / "decisions" / "bad.py").write_text("from atomic_fp.aggregators import x\n")
    (package / "stray.py").write_text("")
    (package / "venue.py").write_text("def f():\n    from atomic_fp.backtest import run\n")
    assert layering_problems(tmp_path) == [
        "atomic_fp.backtest imports adapters.paper",
        "atomic_fp.backtest imports adapters.paper.PaperVenue",
        "atomic_fp.decisions.bad (pure layer 4) imports atomic_fp.aggregators (layer 3)",
        "atomic_fp.decisions.bad (pure layer 4) imports atomic_fp.aggregators.x (layer 3)",
        "atomic_fp.stray is in no layer",
        "atomic_fp.venue (layer 2) imports atomic_fp.backtest (layer 5)",
        "atomic_fp.venue (layer 2) imports atomic_fp.backtest.run (layer 5)",
    ]


def test_the_pure_layers_are_exactly_the_core_checked_for_io() -> None:
    assert {module for module, layer in LAYERS.items() if layer in PURE_LAYERS} == set(CORE)
