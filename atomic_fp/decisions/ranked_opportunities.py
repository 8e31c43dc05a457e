"""The full ranking as a lazy, immutable, exact sequence (see
:mod:`atomic_fp.decisions.ranking`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain, compress, count, pairwise, repeat
from operator import index as as_index
from operator import le, sub
from typing import overload

from atomic_fp.decisions.ranking_pairs import _Pairs
from atomic_fp.decisions.types import Opportunity


class RankedOpportunities(Sequence[Opportunity]):
    """The full ranking, best net APR first, exact; built lazily (see the module's doc).

    Immutable as a sequence: reading any position, in any order, any number of times,
    gives the same (cached) :class:`Opportunity`. Equal to a tuple (or another ranking)
    holding equal opportunities in the same order. Slices are tuples.
    """

    __slots__ = (
        "_cache",
        "_floor",
        "_length",
        "_order",
        "_pairs",
        "_run_start",
        "_runs",
        "_tolerance",
    )

    def __init__(self, pairs: _Pairs, order: list[int], tolerance: float) -> None:
        self._pairs = pairs
        self._order = order  # flat indexes by descending shadow (ties: index order)
        self._length = len(order)
        self._tolerance = tolerance
        # position -> first position of its run once resolved (-1: not yet); a resolved
        # run of >= 2 positions has its exact order in _runs[first position]
        self._run_start = [-1] * len(order)
        self._runs: dict[int, tuple[int, ...]] = {}
        self._cache: list[Opportunity | None] = [None] * len(order)
        self._floor: Decimal | None = None  # min_net_apr, once cut

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, key: int) -> Opportunity: ...

    @overload
    def __getitem__(self, key: slice) -> tuple[Opportunity, ...]: ...

    def __getitem__(self, key: int | slice) -> Opportunity | tuple[Opportunity, ...]:
        if isinstance(key, slice):
            start, stop, step = key.indices(self._length)
            if step == 1:
                return tuple(self._fill(start, stop))
            return tuple(self._at(i) for i in range(start, stop, step))
        position = as_index(key)
        if position < 0:
            position += self._length
        if not 0 <= position < self._length:
            raise IndexError("ranking index out of range")
        return self._at(position)

    def __iter__(self) -> Iterator[Opportunity]:
        for start in range(0, self._length, _CHUNK):
            yield from self._fill(start, min(start + _CHUNK, self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RankedOpportunities | tuple):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to tuples, but holds lazy caches

    def __repr__(self) -> str:
        return f"<RankedOpportunities: {self._length} opportunities>"

    def first_per_symbol(self, count: int) -> tuple[Opportunity, ...]:
        """Each symbol's first ``count`` opportunities, in ranking order: equals filtering
        the whole sequence, but looks at each symbol's pairs directly and builds only the
        kept ones.

        Per symbol, a pair whose shadow is more than the tolerance below the
        ``count``-th best shadow has ``count`` pairs surely better than it; the others are
        candidates, ranked exactly."""
        if count < 1:
            return ()
        pairs, shadow, tolerance = self._pairs, self._pairs.shadow, self._tolerance
        nets: dict[int, Decimal] = {}

        def net(flat: int) -> Decimal:
            value = nets.get(flat)
            if value is None:
                value = nets[flat] = pairs.net(flat)
            return value

        picks: list[int] = []
        for start, end in pairwise(pairs.offsets):
            block = shadow[start:end]
            keep = min(count, end - start)
            best = max(block) if keep == 1 else sorted(block, reverse=True)[keep - 1]
            candidates = list(compress(range(start, end), map(le, repeat(best - tolerance), block)))
            if len(candidates) > keep:
                candidates.sort(key=net, reverse=True)  # stable: exact, then tie order
            picks += candidates[:keep]
        # stable: picks of equal net already follow flat index (tie) order, and keep it
        picks.sort(key=net, reverse=True)
        if self._floor is not None:
            floor = self._floor
            picks = [flat for flat in picks if net(flat) >= floor]
        return tuple(map(pairs.opportunity, picks))

    def _at(self, position: int) -> Opportunity:
        opportunity = self._cache[position]
        if opportunity is None:
            opportunity = self._cache[position] = self._pairs.opportunity(self._flat(position))
        return opportunity

    def _fill(self, start: int, stop: int) -> list[Opportunity]:
        """The opportunities at positions ``start`` to ``stop`` (cached), in bulk."""
        if start >= stop:
            return []
        cache = self._cache
        missing = [i for i in range(start, stop) if cache[i] is None]
        if missing:
            self._resolve_range(missing[0], missing[-1] + 1)
            run_start, runs, order = self._run_start, self._runs, self._order
            flats = []
            for position in missing:
                members = runs.get(run_start[position])
                flats.append(
                    order[position] if members is None else members[position - run_start[position]]
                )
            for position, opportunity in zip(
                missing, self._pairs.opportunities(flats), strict=True
            ):
                cache[position] = opportunity
        return cache[start:stop]  # type: ignore[return-value]  # all filled above

    def _resolve_range(self, start: int, stop: int) -> None:
        """Resolve every run holding a position from ``start`` to ``stop`` (exclusive):
        :meth:`_resolve` for many positions at once (same runs, same results)."""
        run_start = self._run_start
        if min(run_start[start:stop]) >= 0:
            return
        first = self._run_bounds(start)[0]
        last = self._run_bounds(stop - 1)[1]
        order, shadow = self._order, self._pairs.shadow
        values = list(map(shadow.__getitem__, order[first : last + 1]))
        # positions (absolute) that are within the tolerance of the one before
        close = compress(
            count(first + 1), map(le, map(sub, values, values[1:]), repeat(self._tolerance))
        )
        starts = list(range(first, last + 1))  # each position's run start
        run_first = run_last = -2
        for position in chain(close, (-1,)):  # -1: flush the last run
            if position == run_last + 1:
                run_last = position
                continue
            if run_first >= 0 and run_start[run_first] < 0:
                self._order_run(run_first, run_last)
            if run_first >= 0:
                starts[run_first - first : run_last - first + 1] = [run_first] * (
                    run_last - run_first + 1
                )
            run_first, run_last = position - 1, position
        run_start[first : last + 1] = starts

    def _order_run(self, first: int, last: int) -> None:
        """Store the exact order of the run at positions ``first`` to ``last``."""
        members = sorted(self._order[first : last + 1])  # tie order
        members.sort(key=self._pairs.net, reverse=True)  # stable: exact net, then tie order
        self._runs[first] = tuple(members)

    def _flat(self, position: int) -> int:
        """The flat index of the pair at ``position`` in the exact order."""
        start = self._run_start[position]
        if start < 0:
            start = self._resolve(position)
        members = self._runs.get(start)
        return self._order[position] if members is None else members[position - start]

    def _run_bounds(self, position: int) -> tuple[int, int]:
        """First and last position of the run holding ``position`` (the maximal chain of
        neighbours whose shadows are within the tolerance), on the float order."""
        order, shadow, tolerance = self._order, self._pairs.shadow, self._tolerance
        first = last = position
        while first > 0 and shadow[order[first - 1]] - shadow[order[first]] <= tolerance:
            first -= 1
        end = len(order) - 1  # runs are those of the whole order (min_net_apr cuts it)
        while last < end and shadow[order[last]] - shadow[order[last + 1]] <= tolerance:
            last += 1
        return first, last

    def _resolve(self, position: int) -> int:
        """Order the run holding ``position`` exactly; return its first position.

        Safe to repeat or interleave: the result is a function of the float order only
        (never of what was read before), and each cache entry is written whole."""
        first, last = self._run_bounds(position)
        if first != last:
            self._order_run(first, last)
        self._run_start[first : last + 1] = [first] * (last - first + 1)
        return first

    def _cut(self, floor: Decimal, floor_shadow: float) -> None:
        """Keep only the positions whose exact net APR is >= ``floor`` (a prefix)."""
        order, shadow, tolerance = self._order, self._pairs.shadow, self._tolerance
        # shadows descend: positions before `sure` are surely >= floor, from `out` on
        # surely below; in between, the exact order (runs resolved) decides
        sure = _first_at_most(order, shadow, floor_shadow + tolerance)
        out = _first_at_most(order, shadow, floor_shadow - tolerance, strict=True)
        length = sure
        while length < out and self._pairs.net(self._flat(length)) >= floor:
            length += 1
        self._length = length
        self._floor = floor


def _first_at_most(
    order: Sequence[int], shadow: Sequence[float], bound: float, *, strict: bool = False
) -> int:
    """First position whose shadow is <= ``bound`` (< when ``strict``); shadows descend."""
    low, high = 0, len(order)
    while low < high:
        middle = (low + high) // 2
        value = shadow[order[middle]]
        if value < bound or (not strict and value == bound):
            high = middle
        else:
            low = middle + 1
    return low


_CHUNK = 1024  # positions built at once when iterating
