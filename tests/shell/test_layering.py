"""The core's shell layers depend only on the VenueClient protocol and the journal
protocol: no adapter, no sqlite3, no httpx."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

CORE = [
    REPO_ROOT / "atomic_fp" / "operations.py",
    REPO_ROOT / "atomic_fp" / "aggregators.py",
    *sorted((REPO_ROOT / "atomic_fp" / "orchestration").glob("*.py")),
]
FORBIDDEN = ("adapters", "sqlite3", "httpx", "websockets", "fcntl")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_shell_core_imports_no_adapter(path: Path) -> None:
    bad = {n for n in imported(path) if n.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.name} imports {sorted(bad)}"
