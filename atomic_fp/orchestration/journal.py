"""The execution journal, as the orchestrator sees it.

The orchestrator writes, in this order: the signal; each order's *intent* (before the order
is sent); each order's outcome and fill. On start it reads back what was left unfinished.
Any object with these coroutines plugs in: the orchestrator never imports ``sqlite3``
(``adapters.journal.SqliteJournal`` is the embedded default). :class:`MemoryJournal` is the
in-process reference implementation (tests, dry runs): same semantics, nothing on disk.

Journaled positions are the sum of every recorded fill (signed, base units) plus any
explicit adjustment (:meth:`ExecutionJournal.adjust_position`, used to adopt the venue's
figures after an operator has looked at a mismatch). Nothing recorded is ever deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

import attrs

from atomic_fp.errors import VenueError
from atomic_fp.models import Order, OrderRequest, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.report import (
    ExecutionStatus,
    LegOutcome,
    OrderPurpose,
    ReconciliationReport,
)


@attrs.frozen
class OrderIntent:
    """An order we are about to send, recorded before it is sent."""

    signal_id: str
    leg_index: int
    attempt: int
    purpose: OrderPurpose
    request: OrderRequest
    contract_multiplier: Decimal
    recorded_at: datetime

    @property
    def client_order_id(self) -> str:
        return self.request.client_order_id


@attrs.frozen
class JournaledOrder:
    """An intent and what is known of its fate (``outcome`` ``None`` = never answered)."""

    intent: OrderIntent
    outcome: LegOutcome | None = None
    filled_size: Decimal = Decimal(0)
    average_price: Decimal | None = None

    @property
    def is_resolved(self) -> bool:
        return self.outcome is not None and self.outcome.is_resolved

    @property
    def signed_base_filled(self) -> Decimal:
        request = self.intent.request
        return self.filled_size * request.side.sign * self.intent.contract_multiplier


PositionKey = tuple[ExchangeIdentifier, Symbol]


class JournalUnavailable(Exception):
    """A journal read or write failed: busy past its timeout (another writer holds it),
    disk full, a read-only file, an I/O error.

    The one exception a journal implementation raises (the protocol's methods return
    ``None``): execution catches it around every journal call and turns it into a report
    naming each order in flight and its client id (nothing more is sent); the CLI turns
    what remains into exit 1 and one line on stderr, never a traceback. Whatever was not
    recorded is resolved by the next start's reconciliation: an intent is always
    journaled before its order is sent, so the order is looked up by client id.
    """

    def __init__(self, path: str, operation: str, kind: str, detail: str) -> None:
        super().__init__(f"journal {path}: {operation} failed ({kind}): {detail}")
        self.path = path
        self.operation = operation
        self.kind = kind
        """``busy``, ``disk full``, ``read-only``, ``I/O error`` or ``other``."""
        self.detail = detail

    def describe(self) -> str:
        return str(self)


@runtime_checkable
class ExecutionJournal(Protocol):
    async def record_signal(self, signal: TradingSignal, at: datetime) -> None: ...

    async def record_intent(self, intent: OrderIntent) -> None:
        """Must be durable before the order is sent."""
        ...

    async def record_outcome(
        self,
        client_order_id: str,
        outcome: LegOutcome,
        order: Order | None,
        error: VenueError | None,
        at: datetime,
    ) -> None:
        """Record an order's outcome. ``order.filled_size`` is cumulative; the journal books
        only the increase over what it already holds as a fill (so recording twice never
        double-counts)."""
        ...

    async def finish_signal(
        self,
        signal_id: str,
        status: ExecutionStatus,
        residual_base: Decimal,
        message: str,
        at: datetime,
    ) -> None:
        """Close a signal's execution; a non-zero residual is recorded as such."""
        ...

    async def knows_signal(self, signal_id: str) -> bool: ...

    async def open_signals(self, symbol: Symbol | None = None) -> tuple[TradingSignal, ...]:
        """Signals recorded but never finished (a crash mid-execution), oldest first."""
        ...

    async def orders_for_signal(self, signal_id: str) -> tuple[JournaledOrder, ...]: ...

    async def unresolved_orders(self, symbol: Symbol | None = None) -> tuple[JournaledOrder, ...]:
        """Orders with no outcome or an ambiguous one."""
        ...

    async def never_sent_orders(
        self, symbol: Symbol | None = None, since: datetime | None = None
    ) -> tuple[JournaledOrder, ...]:
        """Orders journaled as ``not_sent`` (intent recorded at or after ``since``): the
        ones reconciliation re-checks for a late appearance."""
        ...

    async def signal(self, signal_id: str) -> TradingSignal | None:
        """A journaled signal, finished or not."""
        ...

    async def positions(self) -> Mapping[PositionKey, Decimal]:
        """Journaled signed base-asset position per venue and symbol."""
        ...

    async def adjust_position(
        self,
        exchange: ExchangeIdentifier,
        symbol: Symbol,
        delta_base: Decimal,
        reason: str,
        at: datetime,
    ) -> None: ...

    async def record_reconciliation(self, report: ReconciliationReport) -> None: ...


@attrs.define
class _SignalRow:
    signal: TradingSignal
    finished: bool = False
    status: ExecutionStatus | None = None
    residual_base: Decimal = Decimal(0)
    message: str = ""


class MemoryJournal:
    """In-memory :class:`ExecutionJournal` (no durability: for tests and dry runs)."""

    def __init__(self) -> None:
        self._signals: dict[str, _SignalRow] = {}
        self._orders: dict[str, JournaledOrder] = {}
        self._adjustments: list[tuple[ExchangeIdentifier, Symbol, Decimal, str, datetime]] = []
        self.residuals: list[tuple[str, Decimal, str]] = []
        self.reconciliations: list[ReconciliationReport] = []
        self.events: list[str] = []

    async def record_signal(self, signal: TradingSignal, at: datetime) -> None:
        self._signals.setdefault(signal.signal_id, _SignalRow(signal))
        self.events.append(f"signal {signal.signal_id}")

    async def record_intent(self, intent: OrderIntent) -> None:
        if intent.client_order_id in self._orders:
            raise ValueError(f"intent {intent.client_order_id} recorded twice")
        self._orders[intent.client_order_id] = JournaledOrder(intent)
        self.events.append(f"intent {intent.client_order_id}")

    async def record_outcome(
        self,
        client_order_id: str,
        outcome: LegOutcome,
        order: Order | None,
        error: VenueError | None,
        at: datetime,
    ) -> None:
        row = self._orders[client_order_id]
        filled = max(row.filled_size, order.filled_size if order is not None else Decimal(0))
        average = order.average_price if order is not None and order.filled_size > 0 else None
        self._orders[client_order_id] = attrs.evolve(
            row, outcome=outcome, filled_size=filled, average_price=average or row.average_price
        )
        self.events.append(f"outcome {client_order_id} {outcome.value} {filled}")

    async def finish_signal(
        self,
        signal_id: str,
        status: ExecutionStatus,
        residual_base: Decimal,
        message: str,
        at: datetime,
    ) -> None:
        row = self._signals[signal_id]
        row.finished, row.status, row.residual_base, row.message = (
            True,
            status,
            residual_base,
            message,
        )
        if residual_base != 0 or not status.is_clean:
            self.residuals.append((signal_id, residual_base, message))
        self.events.append(f"finish {signal_id} {status.value} {residual_base}")

    async def knows_signal(self, signal_id: str) -> bool:
        return signal_id in self._signals

    async def open_signals(self, symbol: Symbol | None = None) -> tuple[TradingSignal, ...]:
        return tuple(
            row.signal
            for row in self._signals.values()
            if not row.finished and (symbol is None or row.signal.symbol == symbol)
        )

    async def orders_for_signal(self, signal_id: str) -> tuple[JournaledOrder, ...]:
        return tuple(o for o in self._orders.values() if o.intent.signal_id == signal_id)

    async def unresolved_orders(self, symbol: Symbol | None = None) -> tuple[JournaledOrder, ...]:
        return tuple(
            o
            for o in self._orders.values()
            if not o.is_resolved and (symbol is None or o.intent.request.symbol == symbol)
        )

    async def never_sent_orders(
        self, symbol: Symbol | None = None, since: datetime | None = None
    ) -> tuple[JournaledOrder, ...]:
        return tuple(
            o
            for o in self._orders.values()
            if o.outcome is LegOutcome.NOT_SENT
            and (symbol is None or o.intent.request.symbol == symbol)
            and (since is None or o.intent.recorded_at >= since)
        )

    async def signal(self, signal_id: str) -> TradingSignal | None:
        row = self._signals.get(signal_id)
        return row.signal if row is not None else None

    async def positions(self) -> Mapping[PositionKey, Decimal]:
        totals: dict[PositionKey, Decimal] = {}
        for order in self._orders.values():
            key = (order.intent.request.exchange, order.intent.request.symbol)
            totals[key] = totals.get(key, Decimal(0)) + order.signed_base_filled
        for exchange, symbol, delta, _, _ in self._adjustments:
            totals[(exchange, symbol)] = totals.get((exchange, symbol), Decimal(0)) + delta
        return totals

    async def adjust_position(
        self,
        exchange: ExchangeIdentifier,
        symbol: Symbol,
        delta_base: Decimal,
        reason: str,
        at: datetime,
    ) -> None:
        self._adjustments.append((exchange, symbol, delta_base, reason, at))

    async def record_reconciliation(self, report: ReconciliationReport) -> None:
        self.reconciliations.append(report)

    def signal_status(self, signal_id: str) -> ExecutionStatus | None:
        row = self._signals.get(signal_id)
        return row.status if row is not None else None


__all__ = [
    "ExecutionJournal",
    "JournalUnavailable",
    "JournaledOrder",
    "MemoryJournal",
    "OrderIntent",
    "PositionKey",
]
