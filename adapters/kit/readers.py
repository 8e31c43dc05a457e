"""Parsing pieces every REST venue repeats: lists of JSON objects and order-book sides.

Pure functions in the style of :mod:`adapters._parse`: they raise
:class:`~adapters._parse.ParseError` naming the JSON path of what was wrong, and a
venue's parser runs them under :func:`~adapters._parse.parse_guard`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from adapters._parse import ParseError, arr, dec, obj, ts_millis
from atomic_fp.models import BookLevel, FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

IntervalOf = Callable[[int | None, int, int | None], timedelta]
"""A settlement's interval from its time and its neighbours' (ms; ``None`` at an end)."""


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


def settled_rates(
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    venue_symbol: str,
    rows: Iterable[tuple[int, Decimal]],
    interval_of: IntervalOf,
) -> tuple[FundingRate, ...]:
    """Settled funding ``(time ms, rate)`` rows -> SETTLED rates, oldest first, one per
    settlement time (a row repeated across pages counts once: the last read wins); the
    rows carry no interval, so the venue's ``interval_of`` derives each from the gaps."""
    by_time = dict(rows)
    times = sorted(by_time)
    rates: list[FundingRate] = []
    for i, millis in enumerate(times):
        before = times[i - 1] if i > 0 else None
        after = times[i + 1] if i + 1 < len(times) else None
        stamp = ts_millis(millis)
        rates.append(
            FundingRate(
                exchange=exchange,
                symbol=symbol,
                rate=by_time[millis],
                interval=interval_of(before, millis, after),
                kind=FundingKind.SETTLED,
                observed_at=stamp,
                funding_time=stamp,
                venue_symbol=venue_symbol,
            )
        )
    return tuple(rates)


__all__ = ["IntervalOf", "book_side", "objects", "settled_rates"]
