"""The journal's writes: one committed transaction each (:meth:`JournalConnection._run` with
``write=True``), refused on a journal opened read-only."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from adapters.journal.connection import JournalConnection, iso
from adapters.journal.funding import insert_payments
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingPayment, Order, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.journal import OrderIntent
from atomic_fp.orchestration.report import ExecutionStatus, LegOutcome, ReconciliationReport
from atomic_fp.serialization import converter


class JournalWrites(JournalConnection):
    """Signals, order intents and outcomes (with the fills they add), finished signals
    (with their residuals), position adjustments, reconciliations, funding payments."""

    async def record_signal(self, signal: TradingSignal, at: datetime) -> None:
        payload = json.dumps(converter.unstructure(signal))

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR IGNORE INTO signals (signal_id, symbol, kind, reason, created_at,"
                " payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    signal.signal_id,
                    signal.bound_symbol.key,
                    signal.kind.value,
                    signal.reason,
                    iso(signal.created_at),
                    payload,
                    iso(at),
                ),
            )

        await self._run(work, write=True)

    async def record_intent(self, intent: OrderIntent) -> None:
        request = intent.request

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO order_intents (client_order_id, signal_id, leg_index, attempt,"
                " purpose, venue, symbol, side, size, limit_price, reduce_only,"
                " contract_multiplier, request, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.client_order_id,
                    intent.signal_id,
                    intent.leg_index,
                    intent.attempt,
                    intent.purpose.value,
                    str(request.exchange),
                    request.symbol.key,
                    request.side.value,
                    str(request.size),
                    None if request.limit_price is None else str(request.limit_price),
                    int(request.reduce_only),
                    str(intent.contract_multiplier),
                    json.dumps(converter.unstructure(request)),
                    iso(intent.recorded_at),
                ),
            )

        await self._run(work, write=True)

    async def record_outcome(
        self,
        client_order_id: str,
        outcome: LegOutcome,
        order: Order | None,
        error: VenueError | None,
        at: datetime,
    ) -> None:
        def work(db: sqlite3.Connection) -> None:
            row = db.execute(
                "SELECT venue, symbol, side, filled_size, contract_multiplier, average_price"
                " FROM order_intents WHERE client_order_id = ?",
                (client_order_id,),
            ).fetchone()
            if row is None:
                raise KeyError(f"no intent {client_order_id} in the journal")
            venue, symbol, side, recorded, multiplier, prior_average = row
            db.execute(
                "INSERT INTO order_outcomes (client_order_id, outcome, status, filled_size,"
                " average_price, fee, venue_order_id, error_kind, error_message, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    client_order_id,
                    outcome.value,
                    order.status.value if order else None,
                    str(order.filled_size) if order else None,
                    str(order.average_price) if order and order.average_price is not None else None,
                    str(order.fee) if order and order.fee is not None else None,
                    order.venue_order_id if order else None,
                    error.kind if error else None,
                    error.describe() if error else None,
                    iso(at),
                ),
            )
            filled = Decimal(recorded)
            average = prior_average
            if order is not None and order.filled_size > filled:
                increment = order.filled_size - filled
                sign = 1 if side == "buy" else -1
                db.execute(
                    "INSERT INTO fills (client_order_id, venue, symbol, side, size, base_size,"
                    " price, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        client_order_id,
                        venue,
                        symbol,
                        side,
                        str(increment),
                        str(increment * Decimal(multiplier) * sign),
                        str(order.average_price) if order.average_price is not None else None,
                        iso(at),
                    ),
                )
                filled = order.filled_size
                if order.average_price is not None:
                    average = str(order.average_price)
            db.execute(
                "UPDATE order_intents SET outcome = ?, filled_size = ?, average_price = ?"
                " WHERE client_order_id = ?",
                (outcome.value, str(filled), average, client_order_id),
            )

        await self._run(work, write=True)

    async def finish_signal(
        self,
        signal_id: str,
        status: ExecutionStatus,
        residual_base: Decimal,
        message: str,
        at: datetime,
    ) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE signals SET finished_at = ?, status = ?, residual_base = ?, message = ?"
                " WHERE signal_id = ?",
                (iso(at), status.value, str(residual_base), message, signal_id),
            )
            if residual_base != 0 or not status.is_clean:
                symbol = db.execute(
                    "SELECT symbol FROM signals WHERE signal_id = ?", (signal_id,)
                ).fetchone()[0]
                db.execute(
                    "INSERT INTO residuals (signal_id, symbol, residual_base, status, message,"
                    " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (signal_id, symbol, str(residual_base), status.value, message, iso(at)),
                )

        await self._run(work, write=True)

    async def adjust_position(
        self,
        exchange: ExchangeIdentifier,
        symbol: Symbol,
        delta_base: Decimal,
        reason: str,
        at: datetime,
    ) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO position_adjustments (venue, symbol, delta_base, reason,"
                " recorded_at) VALUES (?, ?, ?, ?, ?)",
                (str(exchange), symbol.key, str(delta_base), reason, iso(at)),
            )

        await self._run(work, write=True)

    async def record_reconciliation(self, report: ReconciliationReport) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO reconciliations (symbol, at, clean, problems, report)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    report.symbol.key,
                    iso(report.at),
                    int(report.clean),
                    json.dumps(list(report.problems())),
                    report.describe(),
                ),
            )

        await self._run(work, write=True)

    async def record_funding_payments(
        self, payments: Iterable[FundingPayment], at: datetime
    ) -> int:
        """Record the venues' funding payments not journaled yet; how many were new."""
        rows = tuple(payments)
        return await self._run(lambda db: insert_payments(db, rows, at), write=True)
