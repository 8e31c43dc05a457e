"""What a backtest run records, step by step. Plain immutable values; metrics, the CSV
files and the charts are all computed from these and nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, overload

import attrs

from atomic_fp.models import Side


@attrs.frozen
class Fill:
    """One executed leg. ``size`` is in venue units, ``base_size`` in base units (unsigned);
    prices are per BASE unit. ``slippage`` is the cost against the mark at the fill
    (``|price - mark| * base_size`` when adverse, negative if the fill was better)."""

    time: datetime
    signal_id: str
    kind: str
    symbol: str
    venue: str
    side: Side
    size: Decimal
    base_size: Decimal
    price: Decimal
    mark: Decimal
    fee: Decimal
    slippage: Decimal
    client_order_id: str
    reason: str

    @property
    def signed_base(self) -> Decimal:
        return self.base_size * self.side.sign


@attrs.frozen
class FundingEvent:
    """One funding settlement on a venue where a position was held.

    ``amount`` (received; negative = paid) ``= -rate * position_base * price``."""

    time: datetime
    venue: str
    symbol: str
    rate: Decimal
    interval_hours: Decimal
    position_base: Decimal
    price: Decimal
    amount: Decimal


@attrs.frozen
class EquityPoint:
    """Cumulative totals after one step. ``net_pnl = funding - fees - slippage + price_pnl``;
    ``price_pnl`` is the mark-to-market PnL of the positions excluding slippage."""

    time: datetime
    funding: Decimal
    fees: Decimal
    slippage: Decimal
    price_pnl: Decimal
    gross_notional: Decimal

    @property
    def net_pnl(self) -> Decimal:
        return self.funding - self.fees - self.slippage + self.price_pnl


@attrs.frozen
class SymbolPoint:
    """A symbol's state after a step where it changed: the widest funding spread among the
    venues whose rate is known (APR fraction; ``None`` with fewer than two), and the hedge
    position (base units held long; the short legs mirror it)."""

    time: datetime
    symbol: str
    spread_apr: Decimal | None
    long_venue: str | None
    short_venue: str | None
    position_base: Decimal
    price: Decimal | None
    funding: Decimal
    net_pnl: Decimal

    @property
    def notional(self) -> Decimal:
        return self.position_base * (self.price or Decimal(0))


SymbolPointFields = tuple[
    datetime, str, "Decimal | None", "str | None", "str | None", Decimal, "Decimal | None",
    Decimal, Decimal,
]  # fmt: skip
"""A :class:`SymbolPoint`'s values, positional in its field order (how a run records it)."""


class SymbolPoints(Sequence[SymbolPoint]):
    """A run's symbol points, an immutable sequence of :class:`SymbolPoint` that builds
    them on first read.

    A benchmark year records ~147,000 points, and building each frozen attrs instance
    costs about 1 us (nine ``object.__setattr__`` calls): 4 % of the engine's time. Most
    runs never read them (the summary, the sweep, ``--format json`` and the CSV files do
    not; the charts do), so the run keeps each point's values as a plain tuple, in
    :class:`SymbolPoint`'s field order (``tests/backtest/test_symbol_point_fields.py``
    pins it), and the points are built, all at once, when something reads one. Compares,
    hashes and prints as the tuple of those points (``repr`` is byte-identical: the
    result's digests read it), and equals a tuple of equal points. A
    :class:`SymbolPoint` given instead of a tuple is kept as it is."""

    __slots__ = ("_points", "_values")

    def __init__(self, values: Iterable[SymbolPoint | SymbolPointFields] = ()) -> None:
        self._values: tuple[Any, ...] | None = tuple(values)
        self._points: tuple[SymbolPoint, ...] | None = None

    def points(self) -> tuple[SymbolPoint, ...]:
        """The points as a tuple (built on the first call)."""
        points = self._points
        if points is not None:
            return points
        values = self._values
        if values is None:  # another thread built them meanwhile (it sets _points first)
            points = self._points
            assert points is not None
            return points
        point = SymbolPoint
        points = tuple(value if type(value) is point else point(*value) for value in values)
        self._points = points
        self._values = None
        return points

    @overload
    def __getitem__(self, index: int) -> SymbolPoint: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[SymbolPoint, ...]: ...

    def __getitem__(self, index: int | slice) -> SymbolPoint | tuple[SymbolPoint, ...]:
        return self.points()[index]

    def __len__(self) -> int:
        values = self._values
        if values is not None:
            return len(values)
        return len(self.points())

    def __iter__(self) -> Iterator[SymbolPoint]:
        return iter(self.points())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SymbolPoints):
            return self.points() == other.points()
        if isinstance(other, tuple):
            return self.points() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.points())

    def __repr__(self) -> str:
        return repr(self.points())

    def __reduce__(self) -> tuple[type[SymbolPoints], tuple[tuple[SymbolPoint, ...]]]:
        return (SymbolPoints, (self.points(),))


@attrs.frozen
class Decision:
    """One decision run: what came out (signal kind, or why no trade)."""

    time: datetime
    symbol: str
    outcome: str
    signal_id: str | None
    detail: str


__all__ = [
    "Decision",
    "EquityPoint",
    "Fill",
    "FundingEvent",
    "SymbolPoint",
    "SymbolPointFields",
    "SymbolPoints",
]
