"""``json.loads`` of stream messages, by orjson when that gives the very same value.

A scan reads one GRVT ticker message per instrument (~80 per warm round, issue 20); the
standard decoder costs a few times orjson's there. orjson differs from ``json.loads`` in
a few places, so its answer is kept only when none can be involved:

- integers beyond 64 bits become floats in orjson (``json.loads`` keeps the int), and a
  float's value is all we would have to compare: a document holding any float is decoded
  again by ``json.loads`` (venues send numbers as strings; a float is rare);
- ``NaN``/``Infinity``, ``1e400``, lone surrogate escapes, invalid UTF-8, nesting beyond
  orjson's depth: orjson refuses them, so ``json.loads`` decides (and accepts or refuses
  them as before).

Equality, key order included: tests/adapters/test_json_decode.py (hypothesis).
"""

from __future__ import annotations

import json
from typing import Any


def _float_free(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float
    for item in items:
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            continue  # the leaves of a ticker message, skipped without a call
        if kind is float or not _float_free(item):
            return False
    return True


def loads_like_json(message: bytes | str) -> Any:
    """Exactly ``json.loads(message)`` (the same value or the same refusal)."""
    import orjson  # loaded by the first message, not by ``scan``'s imports

    try:
        value = orjson.loads(message)
    except orjson.JSONDecodeError:
        return json.loads(message)
    return value if _float_free(value) else json.loads(message)


__all__ = ["loads_like_json"]
