"""``adapters/hyperliquid/parsing.py`` was split by job (issue 20 grew it past ~400 lines):
the ``l2Book`` parser moved, unchanged, to ``parsing_book.py``. Its old import path gives the
very moved object (a monkeypatch or an ``is`` check through either path sees the same one)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("name", ["parse_l2_book", "_book", "_levels"])
def test_the_old_import_path_gives_the_moved_object(name: str) -> None:
    old = importlib.import_module("adapters.hyperliquid.parsing")
    new = importlib.import_module("adapters.hyperliquid.parsing_book")
    assert getattr(old, name) is getattr(new, name)
    assert getattr(new, name).__module__ == "adapters.hyperliquid.parsing_book"


def test_the_venue_package_still_exports_it() -> None:
    from adapters.hyperliquid import parsers, parsing_book

    assert parsers.parse_l2_book is parsing_book.parse_l2_book
