"""``single_symbol`` answers at once when every input equals the first (issue 20: the
decisions ask it ~11,000 times a backtest year, nearly always with one symbol), without
building a set and sorting it, and answers exactly what it answered before.

The oracle is the function before the shortcut, kept verbatim: over generated lists of
symbols (equal ones with another quote or not strict included, the empty list, clashes)
both return the same object (``is``: equal symbols may differ in ``quote``) or the same
message.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from types import FrameType

from hypothesis import example, given
from hypothesis import strategies as st

from atomic_fp.decisions._common import single_symbol
from atomic_fp.models import Symbol


def old_single_symbol(symbols: Iterable[Symbol]) -> Symbol | str:
    """``single_symbol`` before the shortcut, verbatim."""
    distinct = sorted(set(symbols))
    if len(distinct) == 1:
        return distinct[0]
    if not distinct:
        return "no input names a symbol"
    return "inputs mix several symbols: " + ", ".join(map(str, distinct))


_POOL = [
    Symbol("BTC"),
    Symbol("BTC", "USDT"),
    Symbol("BTC", "USDC", "PERP"),
    Symbol("BTC", strict_quote=True),
    Symbol("ETH"),
    Symbol("ETH", "USDT"),
    Symbol("PEPE"),
]


@given(st.lists(st.sampled_from(_POOL), max_size=5))
@example([])
@example([_POOL[1], _POOL[0], _POOL[2]])
@example([_POOL[0], _POOL[4], _POOL[0]])
@example([_POOL[5], _POOL[0], _POOL[4], _POOL[6]])
def test_single_symbol_answers_as_before(symbols: list[Symbol]) -> None:
    new, old = single_symbol(iter(symbols)), old_single_symbol(iter(symbols))
    assert new is old if isinstance(old, Symbol) else new == old


def test_one_symbol_is_answered_without_a_set_or_a_sort() -> None:
    symbols = [Symbol("BTC", "USDT"), Symbol("BTC"), Symbol("BTC", "USDC")]
    calls: list[str] = []

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event == "c_call":
            calls.append(getattr(arg, "__name__", "?"))

    sys.setprofile(watch)
    try:
        answer = single_symbol(symbol for symbol in symbols)
    finally:
        sys.setprofile(None)
    assert answer is symbols[0]
    assert "sorted" not in calls
