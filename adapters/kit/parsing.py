"""Parsing pieces every REST venue repeats: lists of JSON objects and order-book sides.

Pure functions in the style of :mod:`adapters._parse`: they raise
:class:`~adapters._parse.ParseError` naming the JSON path of what was wrong, and a
venue's parser runs them under :func:`~adapters._parse.parse_guard`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from adapters._parse import ParseError, arr, dec, obj
from atomic_fp.models import BookLevel


def objects(value: object, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each item of the JSON list ``value`` as ``(its path, the object)``; an item that is
    not an object is a ``ParseError`` at its path."""
    for i, raw in enumerate(arr(value, path)):
        item = f"{path}[{i}]"
        yield item, obj(raw, item)


def book_side(
    value: object, path: str, depth: int, scale: Decimal = Decimal(1)
) -> tuple[BookLevel, ...]:
    """``[[price, size, ...], ...]`` best first -> at most ``depth`` levels; empty levels
    (size 0) are skipped, a negative size is refused; sizes are multiplied by ``scale``
    (contracts -> base units where a venue quotes contracts)."""
    levels: list[BookLevel] = []
    for i, entry in enumerate(arr(value, path)):
        level = arr(entry, f"{path}[{i}]")
        if len(level) < 2:
            raise ParseError(f"{path}[{i}]: expected [price, size, ...]")
        size = dec(level[1], f"{path}[{i}][1]")
        if size < 0:
            raise ParseError(f"{path}[{i}][1]: negative size {size}")
        if size == 0:
            continue
        levels.append(BookLevel(price=dec(level[0], f"{path}[{i}][0]"), size=size * scale))
        if len(levels) >= depth:
            break
    return tuple(levels)


__all__ = ["book_side", "objects"]
