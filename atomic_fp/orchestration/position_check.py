"""Journal against venues, per venue and symbol, for a person to look at
(``atomic-fp reconcile``), and adopting the venues' figures once they have.

Unlike start-up reconciliation (:mod:`atomic_fp.orchestration.reconcile`) this sends
nothing: no order lookup, no cancel, no resumed signal. It reads the journal's positions,
unresolved orders and unfinished signals and each venue's position, and lays them side by
side.

Adopting (:func:`adopt_venue_positions`) records, for every mismatch, an adjustment that
makes the journal equal to the venue (the venue is authoritative; history is kept, the
adjustment carries the operator's reason). It is refused while anything could still move
the journal on its own -- an unresolved order or an unfinished signal would book its
fills *again* on top of adopted figures -- and for a venue whose position cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.aggregators import PositionAggregator
from atomic_fp.models import Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.journal import ExecutionJournal, JournaledOrder
from atomic_fp.venue import VenueClient


@attrs.frozen
class PositionRow:
    """One venue's position in one symbol: the journal's figure and the venue's."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    journal_base: Decimal
    venue_base: Decimal | None
    """``None`` when the venue could not be read (``error`` says why)."""
    error: str | None = None

    @property
    def status(self) -> str:
        if self.venue_base is None:
            return "unverified"
        return "ok" if self.venue_base == self.journal_base else "mismatch"

    @property
    def difference(self) -> Decimal | None:
        """Venue minus journal (what adopting the venue's figure adds to the journal)."""
        return None if self.venue_base is None else self.venue_base - self.journal_base


@attrs.frozen
class PositionComparison:
    symbol: Symbol
    at: datetime
    rows: tuple[PositionRow, ...]
    unresolved_orders: tuple[JournaledOrder, ...] = ()
    open_signals: tuple[TradingSignal, ...] = ()

    @property
    def clean(self) -> bool:
        return (
            all(row.status == "ok" for row in self.rows)
            and not self.unresolved_orders
            and not self.open_signals
        )

    @property
    def mismatches(self) -> tuple[PositionRow, ...]:
        return tuple(row for row in self.rows if row.status == "mismatch")


async def compare_positions(
    *,
    symbol: Symbol,
    clients: Iterable[VenueClient],
    journal: ExecutionJournal,
    clock: Callable[[], datetime],
    query_timeout: float | None,
) -> PositionComparison:
    """Every venue that is configured or appears in the journal for ``symbol``, side by
    side; nothing is sent."""
    at = clock()
    journaled = {
        venue: amount
        for (venue, held_symbol), amount in (await journal.positions()).items()
        if held_symbol == symbol
    }
    readings = await PositionAggregator(tuple(clients), query_timeout).get_all_positions(symbol)
    rows: list[PositionRow] = []
    for venue in sorted(set(journaled) | set(readings), key=str):
        journal_base = journaled.get(venue, Decimal(0))
        result = readings.get(venue)
        if result is None:
            rows.append(PositionRow(venue, symbol, journal_base, None, "venue not configured"))
        elif isinstance(result, Failure):
            rows.append(PositionRow(venue, symbol, journal_base, None, result.failure().describe()))
        else:
            position = result.unwrap()
            venue_base = position.base_size if position is not None else Decimal(0)
            rows.append(PositionRow(venue, symbol, journal_base, venue_base))
    return PositionComparison(
        symbol=symbol,
        at=at,
        rows=tuple(rows),
        unresolved_orders=await journal.unresolved_orders(symbol),
        open_signals=await journal.open_signals(symbol),
    )


async def adopt_venue_positions(
    comparison: PositionComparison,
    journal: ExecutionJournal,
    reason: str,
    at: datetime,
) -> Result[tuple[PositionRow, ...], str]:
    """Record one adjustment per mismatch so the journal equals the venue; the adopted
    rows, or why nothing was adopted (see the module docstring)."""
    problems = [
        f"order {order.intent.client_order_id} on {order.intent.request.exchange} has no "
        "final outcome"
        for order in comparison.unresolved_orders
    ]
    problems += [f"signal {signal.signal_id} is unfinished" for signal in comparison.open_signals]
    problems += [
        f"{row.exchange} position unreadable ({row.error})"
        for row in comparison.rows
        if row.status == "unverified"
    ]
    if problems:
        return Failure("; ".join(problems))
    for row in comparison.mismatches:
        assert row.difference is not None  # a mismatch has a venue figure
        await journal.adjust_position(row.exchange, row.symbol, row.difference, reason, at)
    return Success(comparison.mismatches)


__all__ = ["PositionComparison", "PositionRow", "adopt_venue_positions", "compare_positions"]
