"""Per-venue decision inputs fetched when a decision first reads them.

The backtest asks the decisions ~10,000 times a simulated year, and most of those cycles
never read some of their inputs: the account margins are read only by the opening gate
(:func:`atomic_fp.decisions.opening_margin.opening_margin_check`), i.e. when the cycle
found an OPEN signal, about one cycle in four; the order books only for venues that may
take part in an opening (not in a cycle that closes a hedge, nor for a venue already left
out for its rate, position or market). Fetching every venue's margin and book up front
built (or re-stamped) an ``AccountMargin`` and an ``OrderBook`` per venue per cycle for
nothing.

:class:`FetchedOnRead` is the same mapping the decisions would get, with each value
fetched by its venue's function on the first read and kept. The decisions are pure and the
venues do not change while a cycle is decided (nothing is executed until it returns), so
a value fetched later in the cycle is the value that would have been fetched before it:
``tests/backtest/test_lazy_inputs.py`` compares the mapping with the eagerly built dict
and every booking of a run with the eager engine's.

Each value is fetched by one function from its key's source (a venue's replay state),
not by a ``functools.partial`` per key: a decision cycle made six partials and copied two
dicts of them, and its margins and books now share one table of sources (issue 20;
``tests/backtest/test_lazy_inputs.py`` counts the partials).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
S = TypeVar("S")
V = TypeVar("V")

_MISSING = object()


class FetchedOnRead(Mapping[K, V], Generic[K, S, V]):
    """An immutable mapping whose keys are those of ``sources`` and whose values are each
    computed by ``fetch(sources[key])`` on the first read (``get``, ``[]``, ``items``,
    ``values``); membership, length and iteration order never fetch. ``sources`` is
    read, not copied: whoever builds the mapping must not change it afterwards."""

    __slots__ = ("_fetch", "_sources", "_values")

    def __init__(self, sources: Mapping[K, S], fetch: Callable[[S], V]) -> None:
        self._sources = sources
        self._fetch = fetch
        self._values: dict[K, object] = {}

    def __getitem__(self, key: K) -> V:
        value = self._values.get(key, _MISSING)
        if value is _MISSING:
            value = self._values[key] = self._fetch(self._sources[key])
        return value  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self) -> Iterator[K]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def fetched(self) -> frozenset[K]:
        """The keys read so far (what a test counts)."""
        return frozenset(self._values)


__all__ = ["FetchedOnRead"]
