"""``adapters/hyperliquid/parsing.py`` was split by job (issue 20 grew it past ~400 lines):
the ``l2Book`` parser moved, unchanged, to ``parsing_book.py``, the universe's to
``parsing_universe.py``. Their old import path gives the very moved object (a monkeypatch or
an ``is`` check through either path sees the same one)."""

from __future__ import annotations

import importlib

import pytest

MOVED = [
    ("parsing_book", "parse_l2_book"),
    ("parsing_book", "_book"),
    ("parsing_book", "_levels"),
    ("parsing_universe", "AssetInfo"),
    ("parsing_universe", "parse_universe"),
    ("parsing_universe", "_bool"),
    ("parsing_universe", "_symbol"),
]


@pytest.mark.parametrize(("home", "name"), MOVED)
def test_the_old_import_path_gives_the_moved_object(home: str, name: str) -> None:
    old = importlib.import_module("adapters.hyperliquid.parsing")
    new = importlib.import_module(f"adapters.hyperliquid.{home}")
    assert getattr(old, name) is getattr(new, name)
    assert getattr(new, name).__module__ == f"adapters.hyperliquid.{home}"


def test_the_overrides_alias_is_the_same() -> None:
    from adapters.hyperliquid import parsing, parsing_universe

    assert parsing.Overrides is parsing_universe.Overrides


def test_the_venue_package_still_exports_it() -> None:
    from adapters.hyperliquid import parsers, parsing_book

    assert parsers.parse_l2_book is parsing_book.parse_l2_book
