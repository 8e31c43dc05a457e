"""Small helpers shared by the decisions: reading per-venue inputs, formatting, close legs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import Any, Final, TypeVar

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Position, Side, Symbol, TradeLeg
from atomic_fp.models.identifiers import ExchangeIdentifier

T = TypeVar("T")

SUCCESS_NONE: Final[Result[None, Any]] = Success(None)
"""The one ``Success(None)`` the decisions answer "nothing wrong" with (the opening gates,
a flat position in the backtest), instead of a new one per answer: a ``Success`` is
immutable and equal to any other ``Success(None)``, and nothing tells two apart but
``is`` (issue 20: ~12,000 constructions a backtest year;
``tests/core/test_shared_success_none.py``)."""


def pct(fraction: Decimal) -> str:
    """``Decimal("4.2705")`` -> ``"427.05%"`` (display only; decisions compare Decimals)."""
    return f"{fraction * 100:.2f}%"


@lru_cache(maxsize=64)
def duration(value: timedelta) -> str:
    """``timedelta(days=7)`` -> ``"7d"``, ``timedelta(hours=36)`` -> ``"36h"``.

    Remembered per value: every OPEN signal's reason names the config's holding horizon,
    and the two modulo tests cost more than the rest of the reason (equal timedeltas are
    the same value, so the text cannot differ: ``tests/core/test_decision_shortcuts.py``)."""
    if value % timedelta(days=1) == timedelta(0):
        return f"{value // timedelta(days=1)}d"
    if value % timedelta(hours=1) == timedelta(0):
        return f"{value // timedelta(hours=1)}h"
    return str(value)


venue_order = attrgetter("name")
"""Sort key of :class:`ExchangeIdentifier`: its order is that of its only field, ``name``
(``attrs`` ``order=True``), so ``sorted(venues, key=venue_order)`` is ``sorted(venues)``
without building two tuples per comparison (``tests/core/test_venue_order.py``)."""


def read(result: Result[T, VenueError]) -> tuple[T | None, VenueError | None]:
    """``(value, None)`` for a Success, ``(None, error)`` for a Failure.

    The two classes are told apart by type first: ``is_successful`` tells them apart by
    raising and catching an exception on every Failure (a decision reads a dozen)."""
    kind = type(result)
    if kind is Success:
        return result.unwrap(), None
    if kind is Failure:
        return None, result.failure()
    if is_successful(result):
        return result.unwrap(), None
    return None, result.failure()


def latest_observation(rates: Iterable[FundingRate]) -> datetime | None:
    return max((rate.observed_at for rate in rates), default=None)


def successful_rates(
    rates: Mapping[ExchangeIdentifier, Result[FundingRate, VenueError]],
) -> list[FundingRate]:
    return [rate for rate, _ in map(read, rates.values()) if rate is not None]


def held_and_unknown_positions(
    positions: Mapping[ExchangeIdentifier, Result[Position | None, VenueError]],
) -> tuple[dict[ExchangeIdentifier, Position], list[str]]:
    """Known, non-flat positions by venue, and ``"venue: position unknown (error)"`` for
    each failed query, both in venue order (failed queries are simply absent from the
    first: callers report them by the second and never read their absence as flat).

    One sorted pass over the venues, reading each once (issue 20: safety asked two
    functions that sorted and read them twice, ~4,900 times a backtest year;
    ``tests/core/test_held_and_unknown_positions.py`` holds it to them)."""
    held: dict[ExchangeIdentifier, Position] = {}
    unknown: list[str] = []
    for venue in sorted(positions, key=venue_order):
        position, error = read(positions[venue])
        if error is not None:
            unknown.append(f"{venue}: position unknown ({error})")
        elif position is not None and not position.is_flat:
            held[venue] = position
    return held, unknown


def closing_leg(position: Position) -> TradeLeg:
    """A reduce-only leg that flattens ``position`` entirely (no rounding needed: it is
    the venue's own size)."""
    return TradeLeg(
        exchange=position.exchange,
        symbol=position.symbol,
        side=Side.SELL if position.size > 0 else Side.BUY,
        size=abs(position.size),
        contract_multiplier=position.contract_multiplier,
        reduce_only=True,
        reference_price=position.mark_price or None,
    )


def describe_positions(positions: Iterable[Position]) -> str:
    return ", ".join(
        f"{position.exchange} {position.base_size:+} {position.symbol.base}"
        for position in positions
    )


def single_symbol(symbols: Iterable[Symbol]) -> Symbol | str:
    """The one symbol all inputs share, or a message naming the clash.

    When every symbol equals the first, that first one is the answer without a set and a
    sort (issue 20: ~11,000 calls a backtest year, nearly all of them so): a set keeps
    the first of equal elements and sorting one element returns it, and a ``Symbol``'s
    hash agrees with its ``==`` (``tests/core/test_single_symbol_shortcut.py``)."""
    listed = tuple(symbols)
    if listed:
        first = listed[0]
        for symbol in listed:
            if symbol is not first and symbol != first:
                break
        else:
            return first
    distinct = sorted(set(listed))
    if len(distinct) == 1:
        return distinct[0]
    if not distinct:
        return "no input names a symbol"
    return "inputs mix several symbols: " + ", ".join(map(str, distinct))


def untimely(observed_at: datetime, now: datetime, max_age: timedelta) -> str | None:
    """Why data observed at ``observed_at`` must not be trusted at ``now``, else ``None``.

    Older than ``max_age`` is stale. Stamped *ahead* of ``now`` by more than ``max_age``
    means a clock (the venue's or ours) is off by more than the whole staleness budget, so
    the data's age cannot be judged at all: it is refused too, never taken as fresh.
    """
    age = now - observed_at
    if age > max_age:
        return f"stale (observed {age} before {now.isoformat()}, max age {max_age})"
    if -age > max_age:
        return f"clock skew (stamped {-age} ahead of {now.isoformat()}, beyond max age {max_age})"
    return None
