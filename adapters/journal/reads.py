"""The journal's reads: what reconciliation, resumption and the ``positions``/``funding``
commands ask of it (a journal opened read-only serves them alongside a running trader)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Failure

from adapters.journal.connection import JournalConnection, iso
from adapters.journal.funding import FundingTotal, totals
from atomic_fp.models import OrderRequest, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.journal import JournaledOrder, OrderIntent, PositionKey
from atomic_fp.orchestration.report import ExecutionStatus, LegOutcome, OrderPurpose
from atomic_fp.serialization import from_json_dict


def _symbol(text: str) -> Symbol:
    return Symbol.parse(text)


class JournalReads(JournalConnection):
    """Signals (open, by id, their status), orders (of a signal, unresolved, never sent),
    positions from fills and adjustments, residuals, funding totals, row counts."""

    async def funding_totals(
        self, since: datetime | None = None
    ) -> Mapping[tuple[str, str], FundingTotal]:
        """(venue, base) -> journaled funding paid since ``since``."""
        return await self._run(lambda db: totals(db, since), write=False)

    async def knows_signal(self, signal_id: str) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            found = db.execute("SELECT 1 FROM signals WHERE signal_id = ?", (signal_id,))
            return found.fetchone() is not None

        return await self._run(work, write=False)

    async def open_signals(self, symbol: Symbol | None = None) -> tuple[TradingSignal, ...]:
        def work(db: sqlite3.Connection) -> list[str]:
            query = "SELECT payload FROM signals WHERE finished_at IS NULL"
            args: tuple[str, ...] = ()
            if symbol is not None:
                query += " AND symbol = ?"
                args = (symbol.key,)
            return [row[0] for row in db.execute(query + " ORDER BY rowid", args)]

        return tuple(_signal(payload) for payload in await self._run(work, write=False))

    async def orders_for_signal(self, signal_id: str) -> tuple[JournaledOrder, ...]:
        return await self._orders("WHERE signal_id = ?", (signal_id,))

    async def unresolved_orders(self, symbol: Symbol | None = None) -> tuple[JournaledOrder, ...]:
        where = "WHERE (outcome IS NULL OR outcome = 'ambiguous')"
        args: tuple[str, ...] = ()
        if symbol is not None:
            where += " AND symbol = ?"
            args = (symbol.key,)
        return await self._orders(where, args)

    async def never_sent_orders(
        self, symbol: Symbol | None = None, since: datetime | None = None
    ) -> tuple[JournaledOrder, ...]:
        where = "WHERE outcome = 'not_sent'"
        args: tuple[str, ...] = ()
        if symbol is not None:
            where += " AND symbol = ?"
            args += (str(symbol),)
        if since is not None:
            where += " AND recorded_at >= ?"
            args += (iso(since),)
        return await self._orders(where, args)

    async def signal(self, signal_id: str) -> TradingSignal | None:
        def work(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT payload FROM signals WHERE signal_id = ?", (signal_id,)
            ).fetchone()
            return None if row is None else str(row[0])

        payload = await self._run(work, write=False)
        return None if payload is None else _signal(payload)

    async def _orders(self, where: str, args: tuple[Any, ...]) -> tuple[JournaledOrder, ...]:
        query = _ORDER_COLUMNS + where + " ORDER BY rowid"  # where: fixed clauses, args bound

        def work(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return list(db.execute(query, args))

        return tuple(_journaled(row) for row in await self._run(work, write=False))

    async def positions(self) -> Mapping[PositionKey, Decimal]:
        def work(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
            rows = list(db.execute("SELECT venue, symbol, base_size FROM fills"))
            rows += list(db.execute("SELECT venue, symbol, delta_base FROM position_adjustments"))
            return rows

        totals: dict[PositionKey, Decimal] = {}
        for venue, symbol, amount in await self._run(work, write=False):
            key = (ExchangeIdentifier(venue), _symbol(symbol))
            totals[key] = totals.get(key, Decimal(0)) + Decimal(amount)
        return totals

    async def residuals(self) -> tuple[tuple[str, str, Decimal, str, str], ...]:
        """``(signal_id, status, residual_base, message, recorded_at)`` of every execution
        that left a residual or an unknown fate, oldest first."""

        def work(db: sqlite3.Connection) -> list[tuple[str, str, str, str, str]]:
            return list(
                db.execute(
                    "SELECT signal_id, status, residual_base, message, recorded_at"
                    " FROM residuals ORDER BY id"
                )
            )

        return tuple(
            (sid, status, Decimal(amount), message, at)
            for sid, status, amount, message, at in await self._run(work, write=False)
        )

    async def count(self, table: str) -> int:
        if table not in _TABLES:
            raise ValueError(f"unknown table {table}")

        def work(db: sqlite3.Connection) -> int:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608

        return await self._run(work, write=False)

    async def signal_status(self, signal_id: str) -> ExecutionStatus | None:
        def work(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT status FROM signals WHERE signal_id = ?", (signal_id,))
            found = row.fetchone()
            return None if found is None else found[0]

        status = await self._run(work, write=False)
        return None if status is None else ExecutionStatus(status)


_ORDER_COLUMNS = (
    "SELECT signal_id, leg_index, attempt, purpose, request, contract_multiplier,"
    " recorded_at, outcome, filled_size, average_price FROM order_intents "
)

_TABLES = frozenset(
    {
        "signals",
        "order_intents",
        "order_outcomes",
        "fills",
        "residuals",
        "position_adjustments",
        "reconciliations",
    }
)


def _signal(payload: str) -> TradingSignal:
    signal = from_json_dict(json.loads(payload), TradingSignal)
    if isinstance(signal, Failure):
        raise ValueError(f"journaled signal cannot be read: {signal.failure()}")
    return signal.unwrap()


def _journaled(row: tuple[Any, ...]) -> JournaledOrder:
    (signal_id, leg, attempt, purpose, request, multiplier, at, outcome, filled, average) = row
    parsed = from_json_dict(json.loads(request), OrderRequest)
    if isinstance(parsed, Failure):
        raise ValueError(f"journaled order cannot be read: {parsed.failure()}")
    return JournaledOrder(
        intent=OrderIntent(
            signal_id=signal_id,
            leg_index=leg,
            attempt=attempt,
            purpose=OrderPurpose(purpose),
            request=parsed.unwrap(),
            contract_multiplier=Decimal(multiplier),
            recorded_at=datetime.fromisoformat(at),
        ),
        outcome=None if outcome is None else LegOutcome(outcome),
        filled_size=Decimal(filled),
        average_price=None if average is None else Decimal(average),
    )
