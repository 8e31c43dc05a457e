"""``_prefer_quotes`` (one rate per canonical symbol: the lowest quote rank, first seen on
ties) written with one dict lookup per new symbol (issue 20) is the earlier loop: the same
items in the same order, on every list hypothesis writes (repeated symbols, equal and
unequal ranks, equal items)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.binance.parsing import _prefer_quotes
from atomic_fp.models import Symbol

T = TypeVar("T")


def _oracle(items: Iterable[tuple[Symbol, int, T]]) -> list[T]:
    """The earlier code, verbatim."""
    best: dict[Symbol, tuple[int, T]] = {}
    for symbol, rank, item in items:
        if symbol not in best or rank < best[symbol][0]:
            best[symbol] = (rank, item)
    return [item for _, item in best.values()]


symbols = st.sampled_from([Symbol(base) for base in ("BTC", "ETH", "SOL", "DOGE")])
items = st.lists(
    st.tuples(symbols, st.integers(0, 3), st.integers(0, 5) | st.none()), max_size=12
)


@settings(max_examples=400, deadline=None)
@given(items)
def test_the_same_items_in_the_same_order(rows: list[tuple[Symbol, int, int | None]]) -> None:
    # items compared by identity too: a fresh object per row, as the parser builds
    boxed = [(symbol, rank, [value]) for symbol, rank, value in rows]
    got = _prefer_quotes(boxed)
    expected = _oracle(boxed)
    assert [id(x) for x in got] == [id(x) for x in expected]


def test_a_lower_rank_later_replaces_in_place_and_ties_keep_the_first() -> None:
    btc, eth = Symbol("BTC"), Symbol("ETH")
    rows = [(btc, 1, "btc-usdc"), (eth, 0, "eth-usdt"), (btc, 0, "btc-usdt"), (eth, 0, "eth-2")]
    assert _prefer_quotes(rows) == ["btc-usdt", "eth-usdt"]
