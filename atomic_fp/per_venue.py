"""Per-venue results, as the aggregators return them and the decisions take them.

One ``Result`` per venue: a venue whose query failed carries its ``Failure``, so a decision
can leave it out with its reason instead of mistaking it for zero. :class:`ByVenue` is the
mapping the aggregators hand back: keyed by :class:`ExchangeIdentifier`, and readable by the
venue's name as the seed design writes it (``positions["grvt"]``).

These types live below the aggregators (layer 3) and the decisions (layer 4), which both
use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeAlias, TypeVar, overload

from returns.result import Result

from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Market, OrderBook, Position
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin

T = TypeVar("T")
D = TypeVar("D")

VenueInputs: TypeAlias = Mapping[ExchangeIdentifier, Result[T, VenueError]]
"""Per-venue inputs *as fetched*: a venue whose query failed carries its ``Failure``,
so a decision can exclude it with a reason instead of mistaking it for zero."""

PositionInputs: TypeAlias = Mapping[ExchangeIdentifier, Result[Position | None, VenueError]]
"""``Success(None)`` = the venue answered and holds no position in the symbol (flat).
``Failure`` = unknown: no opening trade may involve that venue."""

RateInputs: TypeAlias = Mapping[ExchangeIdentifier, Result[FundingRate, VenueError]]
MarketInputs: TypeAlias = Mapping[ExchangeIdentifier, Result[Market, VenueError]]
BookInputs: TypeAlias = Mapping[ExchangeIdentifier, Result[OrderBook, VenueError]]
MarginInputs: TypeAlias = Mapping[ExchangeIdentifier, Result[AccountMargin, VenueError]]
"""Each venue account's margin; a venue missing or failed here has unknown margin, and no
opening trade may involve it (:mod:`atomic_fp.decisions.opening_margin`)."""


class ByVenue(Mapping[ExchangeIdentifier, Result[T, VenueError]], Generic[T]):
    """An immutable mapping venue -> ``Result``, in the order the venues were given.

    Keys are :class:`ExchangeIdentifier` (``str()`` of one is the venue's name); a lookup
    also takes the name itself: ``rates["grvt"]`` is ``rates[ExchangeIdentifier("grvt")]``.
    It *is* a :data:`VenueInputs`, so it goes to the decisions as it comes.
    """

    __slots__ = ("_items",)

    def __init__(
        self,
        items: Mapping[ExchangeIdentifier, Result[T, VenueError]]
        | Iterable[tuple[ExchangeIdentifier, Result[T, VenueError]]] = (),
    ) -> None:
        self._items: dict[ExchangeIdentifier, Result[T, VenueError]] = dict(items)

    @staticmethod
    def _key(key: object) -> object:
        if isinstance(key, str):
            try:
                return ExchangeIdentifier(key)
            except ValueError:
                return key
        return key

    def __getitem__(self, key: ExchangeIdentifier | str) -> Result[T, VenueError]:
        return self._items[self._key(key)]  # type: ignore[index]

    @overload
    def get(self, key: ExchangeIdentifier | str, /) -> Result[T, VenueError] | None: ...

    @overload
    def get(
        self, key: ExchangeIdentifier | str, default: Result[T, VenueError] | D, /
    ) -> Result[T, VenueError] | D: ...

    def get(self, key: ExchangeIdentifier | str, default: object = None, /) -> object:
        """``results.get("grvt")``: by name or identifier, ``default`` when absent."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return self._key(key) in self._items

    def __iter__(self) -> Iterator[ExchangeIdentifier]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        inner = ", ".join(f"{str(k)!r}: {v!r}" for k, v in self._items.items())
        return f"ByVenue({{{inner}}})"

    def names(self) -> tuple[str, ...]:
        """The venues' names, in order."""
        return tuple(str(key) for key in self._items)


__all__ = [
    "BookInputs",
    "ByVenue",
    "MarginInputs",
    "MarketInputs",
    "PositionInputs",
    "RateInputs",
    "VenueInputs",
]
