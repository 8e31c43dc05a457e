"""The embedded execution journal: stdlib ``sqlite3`` in WAL mode, off the event loop.

Implements :class:`atomic_fp.orchestration.ExecutionJournal`. Every call runs in a worker
thread (``anyio.to_thread.run_sync``) on one connection guarded by a lock, and commits
before returning, so an intent is on disk before its order is sent. ``synchronous=FULL``
(the default) makes each commit survive power loss; ``NORMAL`` survives a killed process
(the WAL is in the OS cache) and is faster, which drills and tests use.

Schema and migrations: :mod:`adapters.journal.schema`; errors as values:
:mod:`adapters.journal.errors`.

One process at a time: :class:`~adapters.journal.lock.JournalLock` (``flock`` on the database
file itself, so keyed on its identity, not its path) is taken on
open; a second process gets :class:`~adapters.journal.lock.JournalLocked` saying who holds it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

import anyio.to_thread
from returns.result import Failure, Result, Success

from adapters.journal.errors import JournalError, unavailable
from adapters.journal.funding import FundingTotal, insert_payments, totals
from adapters.journal.lock import JournalLock, JournalLocked
from adapters.journal.schema import MIGRATIONS, SCHEMA_VERSION, check_version, migrate
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingPayment, Order, OrderRequest, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.journal import (
    JournaledOrder,
    OrderIntent,
    PositionKey,
)
from atomic_fp.orchestration.report import (
    ExecutionStatus,
    LegOutcome,
    OrderPurpose,
    ReconciliationReport,
)
from atomic_fp.serialization import converter, from_json_dict

T = TypeVar("T")

def _operation(work: Callable[..., object]) -> str:
    """``record_outcome`` for the ``work`` closure defined inside ``record_outcome``."""
    qualname = getattr(work, "__qualname__", "")
    return qualname.split(".<locals>")[0].rsplit(".", 1)[-1] or "journal call"


def _symbol(text: str) -> Symbol:
    return Symbol.parse(text)


def _iso(at: datetime) -> str:
    return at.isoformat()


class SqliteJournal:
    """See the module docstring. Build with :meth:`open`; call :meth:`close` when done
    (or use ``async with``)."""

    def __init__(self, path: Path, connection: sqlite3.Connection, lock: JournalLock | None):
        self.path = path
        self._connection = connection
        self._lock = lock
        self._mutex = threading.Lock()

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        lock: bool = True,
        busy_timeout: float = 30.0,
    ) -> Result[SqliteJournal, JournalLocked | JournalError]:
        """Open (creating or migrating) the journal and take its process lock.

        ``lock=False`` opens it for reading alongside a running trader (e.g. a
        ``positions`` command); such a journal refuses writes.
        """
        database = Path(path)
        held: JournalLock | None = None
        if lock:
            try:
                acquired = JournalLock.acquire(database)
            except OSError as error:
                return Failure(JournalError(str(database), f"cannot lock: {error}"))
            if isinstance(acquired, Failure):
                return Failure(acquired.failure())
            held = acquired.unwrap()
        connection: sqlite3.Connection | None = None
        try:
            connection = sqlite3.connect(
                database, check_same_thread=False, isolation_level=None, timeout=busy_timeout
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA synchronous={synchronous}")
            connection.execute("PRAGMA foreign_keys=ON")
            if lock:
                migrate(connection)
            elif check_version(connection) == 0:
                connection.close()
                return Failure(JournalError(str(database), "no journal has been written here yet"))
        except (sqlite3.Error, ValueError) as error:
            if connection is not None:
                connection.close()  # before the lock: closing its fd drops SQLite's locks
            if held is not None:
                held.release()
            return Failure(JournalError(str(database), f"{type(error).__name__}: {error}"))
        return Success(cls(database, connection, held))

    async def close(self) -> None:
        await anyio.to_thread.run_sync(self._close)

    def _close(self) -> None:
        with self._mutex:
            self._connection.close()
            if self._lock is not None:
                self._lock.release()

    async def __aenter__(self) -> SqliteJournal:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ plumbing

    async def _run(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        """Run ``work`` in a worker thread; a SQLite or OS failure (busy past the timeout,
        disk full, read-only file...) becomes :class:`JournalUnavailable` naming the
        operation, so no ``sqlite3`` exception ever reaches the orchestrator."""
        if write and self._lock is None:
            raise PermissionError(f"journal {self.path} was opened read-only")
        try:
            return await anyio.to_thread.run_sync(partial(self._locked, work, write))
        except (sqlite3.Error, OSError) as error:
            raise unavailable(self.path, _operation(work), error) from error

    def _locked(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        with self._mutex:
            if not write:
                return work(self._connection)
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
            return result

    # ------------------------------------------------------------------ writes

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
                    _iso(signal.created_at),
                    payload,
                    _iso(at),
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
                    _iso(intent.recorded_at),
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
                    _iso(at),
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
                        _iso(at),
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
                (_iso(at), status.value, str(residual_base), message, signal_id),
            )
            if residual_base != 0 or not status.is_clean:
                symbol = db.execute(
                    "SELECT symbol FROM signals WHERE signal_id = ?", (signal_id,)
                ).fetchone()[0]
                db.execute(
                    "INSERT INTO residuals (signal_id, symbol, residual_base, status, message,"
                    " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (signal_id, symbol, str(residual_base), status.value, message, _iso(at)),
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
                (str(exchange), symbol.key, str(delta_base), reason, _iso(at)),
            )

        await self._run(work, write=True)

    async def record_reconciliation(self, report: ReconciliationReport) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO reconciliations (symbol, at, clean, problems, report)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    report.symbol.key,
                    _iso(report.at),
                    int(report.clean),
                    json.dumps(list(report.problems())),
                    report.describe(),
                ),
            )

        await self._run(work, write=True)

    # ------------------------------------------------------------------ reads

    async def record_funding_payments(
        self, payments: Iterable[FundingPayment], at: datetime
    ) -> int:
        """Record the venues' funding payments not journaled yet; how many were new."""
        rows = tuple(payments)
        return await self._run(lambda db: insert_payments(db, rows, at), write=True)

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
            args += (_iso(since),)
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


def open_journal(
    path: Path | str,
    *,
    synchronous: Literal["FULL", "NORMAL"] = "FULL",
    busy_timeout: float = 30.0,
) -> Result[SqliteJournal, JournalLocked | JournalError]:
    """Open the journal for trading (takes the process lock)."""
    return SqliteJournal.open(path, synchronous=synchronous, busy_timeout=busy_timeout)


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "JournalError", "SqliteJournal", "open_journal"]
