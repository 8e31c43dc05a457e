"""Every public ``parse_*`` function of every adapter's parsers is fuzzed.

The adapters' parsers are fuzzed in ``tests/adapters/<venue>/``; this test only checks
that none was forgotten: each public ``parse_*`` name defined in
``adapters/<venue>/parsers.py`` or ``adapters/<venue>/parsing*.py`` (the venue kit's
layout) must appear in that venue's fuzz test file, so a parser added without fuzzing
fails CI.

A parser may instead be covered *through* a fuzzed parser that calls it on the same
payload (``COVERED_THROUGH``); the test checks the call is really there, so the exemption
cannot outlive the code that justifies it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

ADAPTERS = REPO_ROOT / "adapters"
ADAPTER_TESTS = REPO_ROOT / "tests" / "adapters"

COVERED_THROUGH: dict[tuple[str, str], str] = {
    # parse_funding_history(payload) = parse_funding_rate_rows(payload).bind(...)
    ("binance", "parse_funding_rate_rows"): "parse_funding_history",
    # the raising core of parse_meta / parse_meta_and_asset_ctxs (both under parse_guard)
    ("hyperliquid", "parse_universe"): "parse_meta",
}


def parser_modules(venue: str) -> list[str]:
    """The venue's parser modules: ``parsers.py`` and ``parsing*.py``."""
    folder = ADAPTERS / venue
    paths = [*folder.glob("parsers.py"), *folder.glob("parsing*.py")]
    return sorted(f"adapters.{venue}.{path.stem}" for path in paths)


def venues_with_parsers() -> list[str]:
    found = {p.parent.name for p in ADAPTERS.glob("*/parsers.py")}
    found |= {p.parent.name for p in ADAPTERS.glob("*/parsing*.py")}
    return sorted(found)


def public_parsers(venue: str) -> list[str]:
    names: set[str] = set()
    for module_name in parser_modules(venue):
        module = importlib.import_module(module_name)
        names.update(
            name
            for name, value in vars(module).items()
            if name.startswith("parse_")
            and inspect.isfunction(value)
            and value.__module__ == module.__name__
        )
    return sorted(names)


def fuzz_files(venue: str) -> list[Path]:
    return sorted((ADAPTER_TESTS / venue).glob("test*fuzz*.py"))


def names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
    return found


def calls_in(venue: str, function: str) -> set[str]:
    modules = [importlib.import_module(name) for name in parser_modules(venue)]
    defined = next(getattr(m, function) for m in modules if hasattr(m, function))
    tree = ast.parse(inspect.getsource(defined))
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    } | {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)  # passed as a callable (parse_guard(..., parse_x))
    }


def test_every_venue_with_parsers_is_known() -> None:
    venues = venues_with_parsers()
    assert {"binance", "grvt", "hyperliquid", "lighter"} <= set(venues), venues


@pytest.mark.parametrize("venue", venues_with_parsers())
def test_every_public_parser_is_fuzzed(venue: str) -> None:
    files = fuzz_files(venue)
    assert files, f"tests/adapters/{venue}/ has no fuzz test file (test*fuzz*.py)"
    used = set().union(*(names_used(f) for f in files))
    parsers = public_parsers(venue)
    assert parsers, f"adapters/{venue}/ parser modules have no public parse_* function"
    missing = []
    for name in parsers:
        if name in used:
            continue
        through = COVERED_THROUGH.get((venue, name))
        if through is not None and through in used and name in calls_in(venue, through):
            continue
        missing.append(name)
    assert not missing, (
        f"adapters/{venue}/parsers.py: {missing} not fuzzed in "
        f"{[str(f.relative_to(REPO_ROOT)) for f in files]}"
    )


def test_exemptions_are_still_needed() -> None:
    """An exemption for a parser that the fuzz file now names directly is stale."""
    for (venue, name), _ in COVERED_THROUGH.items():
        used = set().union(*(names_used(f) for f in fuzz_files(venue)))
        assert name not in used, f"{venue}.{name} is fuzzed directly now: drop its exemption"
