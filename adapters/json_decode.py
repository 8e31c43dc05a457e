"""``json.loads`` of stream messages and REST bodies, by orjson when that gives the very
same value.

A scan reads one GRVT ticker message per instrument (~80 per warm round, issue 20), and
REST bodies of 15-150 KB (Binance's ``premiumIndex``: ~500 rows; its decode was ~18 % of
Binance's instructions per warm scan, counted by callgrind); the standard decoder costs
two to four times orjson's there. orjson differs from ``json.loads`` in a few places, so
its answer is kept only when none can be involved:

- integers beyond 64 bits become floats in orjson (``json.loads`` keeps the int), and a
  float's value is all we would have to compare: a document holding any float is decoded
  again by ``json.loads`` (venues send numbers as strings; a float is rare);
- ``NaN``/``Infinity``, ``1e400``, lone surrogate escapes, invalid UTF-8, nesting beyond
  orjson's depth: orjson refuses them, so ``json.loads`` decides (and accepts or refuses
  them as before);
- a nesting so deep that walking orjson's answer for floats runs out of recursion: then
  ``json.loads`` decides too.

The same holds for ``json.loads`` with options that only act on float literals and on
``NaN``/``Infinity`` (``parse_float``, ``parse_constant``: the REST bodies' strict decoder,
:func:`adapters.kit.http.loads`), since orjson's answer is kept only when the document has
neither. Equality, key order included: tests/adapters/test_json_decode.py (hypothesis).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import chain, compress
from typing import Any

_LEAVES = frozenset({str, int, bool, type(None)})
"""The exact types of a decoded document's leaves other than ``float``."""
_CONTAINERS = frozenset({dict, list})
_IS_CONTAINER = _CONTAINERS.__contains__
_IS_DICT = frozenset({dict}).__contains__
_IS_LIST = frozenset({list}).__contains__
_DICT_VALUES = dict.values
_LEVELS = 32
"""How deep :func:`_float_free_by_levels` looks before it leaves the document to
:func:`_float_free`: far shallower than the recursion limit, so from any ordinary call
depth that walk would not have run out of recursion on such a document either (only a
caller already within ~32 frames of the limit could tell: the per-container walk raised
``RecursionError`` there, the level walk answers)."""


def _float_free(value: Any) -> bool:
    """Whether no ``float`` is anywhere in ``value`` (an orjson answer: dicts, lists and
    leaves of exact types). Each container's values are typed in one C-level pass
    (``set(map(type, ...))``: a Binance body's 500 rows of leaves, a GRVT ticker's 30
    fields), and only its containers are walked in Python; the earlier per-leaf loop was
    ~14 % of a warm scan's Python opcodes (issue 20). Equal to it: test_json_decode.py."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float
    kinds = set(map(type, items))
    if kinds <= _LEAVES:
        return True
    if float in kinds:
        return False
    if kinds <= _CONTAINERS:  # rows: the walk's loop in C
        return all(map(_float_free, items))
    # leaves and containers (a Hyperliquid context's ``impactPxs``): only the containers
    # are walked, picked in C
    return all(map(_float_free, compress(items, map(_IS_CONTAINER, map(type, items)))))


def _float_free_by_levels(value: Any) -> bool | None:
    """:func:`_float_free` of a document at most :data:`_LEVELS` levels deep, else ``None``
    (then :func:`_float_free` decides, running out of recursion as before).

    One level at a time: the types of all values at a depth are taken in one C-level pass
    and the next level's values gathered in C, so the Python work is per level, not per
    container as in :func:`_float_free`. It pays for a list of many rows (Binance's
    ``premiumIndex``: 500 rows, a Python call each; Hyperliquid's ``metaAndAssetCtxs``),
    not for a small message or a document whose first row holds a float (the per-container
    walk stops there): :func:`loads_like` uses it for a top-level list only. Equal to the
    per-leaf walk: tests/adapters/test_json_decode.py (hypothesis, and counted calls)."""
    level: list[Any] = [value]
    for _ in range(_LEVELS):
        kinds = list(map(type, level))
        present = set(kinds)
        if float in present:
            return False
        if present.isdisjoint(_CONTAINERS):
            return True
        level = [
            *chain.from_iterable(map(_DICT_VALUES, compress(level, map(_IS_DICT, kinds)))),
            *chain.from_iterable(compress(level, map(_IS_LIST, kinds))),
        ]
    return None


def loads_like(exact: Callable[[bytes | str], Any], message: bytes | str) -> Any:
    """Exactly ``exact(message)`` (the same value or the same refusal), where ``exact`` is
    ``json.loads``, possibly with ``parse_float``/``parse_constant`` (module docstring)."""
    import orjson  # loaded by the first message, not by ``scan``'s imports

    try:
        value = orjson.loads(message)
    except orjson.JSONDecodeError:
        return exact(message)
    # rows (a list) by levels; anything else, or deeper than _LEVELS, as before
    plain = _float_free_by_levels(value) if type(value) is list else None
    if plain is None:
        try:
            plain = _float_free(value)
        except RecursionError:
            plain = False
    return value if plain else exact(message)


def loads_like_json(message: bytes | str) -> Any:
    """Exactly ``json.loads(message)`` (the same value or the same refusal)."""
    return loads_like(json.loads, message)


__all__ = ["loads_like", "loads_like_json"]
