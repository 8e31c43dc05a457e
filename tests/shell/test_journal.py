"""The execution journal: both implementations behave alike; SQLite keeps everything across
restarts, never rewrites history, and refuses a schema it does not know."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from returns.result import Failure

from adapters.journal import JournalError, SqliteJournal
from atomic_fp.models import Order, OrderStatus, Side, Symbol
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration import (
    ExecutionJournal,
    ExecutionStatus,
    LegOutcome,
    OrderIntent,
    OrderPurpose,
)
from tests.shell.helpers import BTC, T0, hedge, paper

pytestmark = pytest.mark.anyio


def intent(cid_attempt: int = 0, size: str = "1") -> OrderIntent:
    signal = hedge()
    trader = AtomicTrader(paper("a"), BTC)
    request = trader.request(
        Side.BUY,
        Decimal(size),
        signal.client_order_id(0, cid_attempt),
        limit_price=Decimal(50_000),
    )
    return OrderIntent(
        signal_id=signal.signal_id,
        leg_index=0,
        attempt=cid_attempt,
        purpose=OrderPurpose.ENTRY if cid_attempt == 0 else OrderPurpose.RETRY,
        request=request,
        contract_multiplier=Decimal(10),
        recorded_at=T0,
    )


def venue_order(cid: str, filled: str, status: OrderStatus) -> Order:
    return Order(
        exchange=paper("a").exchange,
        symbol=BTC,
        client_order_id=cid,
        side=Side.BUY,
        size=Decimal(1),
        status=status,
        filled_size=Decimal(filled),
        average_price=Decimal(50_000),
    )


async def test_journal_contract(journal: ExecutionJournal) -> None:
    signal = hedge()
    await journal.record_signal(signal, T0)
    assert await journal.knows_signal(signal.signal_id)
    first = intent()
    await journal.record_intent(first)
    (pending,) = await journal.unresolved_orders()
    assert pending.outcome is None and pending.intent.client_order_id == first.client_order_id
    cid = first.client_order_id
    await journal.record_outcome(cid, LegOutcome.AMBIGUOUS, None, None, T0)
    assert len(await journal.unresolved_orders(BTC)) == 1
    partial = venue_order(cid, "0.4", OrderStatus.PARTIALLY_FILLED)
    await journal.record_outcome(cid, LegOutcome.PARTIALLY_FILLED, partial, None, T0)
    # Recording the same cumulative fill again (e.g. after a lookup) never double-counts.
    await journal.record_outcome(cid, LegOutcome.PARTIALLY_FILLED, partial, None, T0)
    done = venue_order(cid, "1", OrderStatus.FILLED)
    await journal.record_outcome(cid, LegOutcome.FILLED, done, None, T0)
    assert not await journal.unresolved_orders()
    venue = first.request.exchange
    assert (await journal.positions())[(venue, BTC)] == Decimal(10)  # 1 contract x 10
    (order,) = await journal.orders_for_signal(signal.signal_id)
    assert order.filled_size == 1 and order.outcome is LegOutcome.FILLED
    assert [s.signal_id for s in await journal.open_signals(BTC)] == [signal.signal_id]
    await journal.finish_signal(signal.signal_id, ExecutionStatus.RESIDUAL, Decimal(10), "x", T0)
    assert not await journal.open_signals()
    await journal.adjust_position(venue, BTC, Decimal(-10), "operator", T0)
    assert (await journal.positions())[(venue, BTC)] == 0


async def test_sqlite_keeps_everything_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    journal = SqliteJournal.open(path).unwrap()
    signal = hedge()
    await journal.record_signal(signal, T0)
    await journal.record_intent(intent())
    await journal.close()
    again = SqliteJournal.open(path).unwrap()
    try:
        (restored,) = await again.open_signals()
        assert restored == signal  # the whole signal round-trips
        (order,) = await again.unresolved_orders()
        assert order.intent == intent()
        assert await again.count("order_intents") == 1
    finally:
        await again.close()


async def test_read_only_view_alongside_the_trader(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    trader = SqliteJournal.open(path).unwrap()
    try:
        await trader.record_signal(hedge(), T0)
        reader = SqliteJournal.open(path, lock=False).unwrap()
        assert await reader.count("signals") == 1
        with pytest.raises(PermissionError):
            await reader.record_signal(hedge(), T0)
        await reader.close()
    finally:
        await trader.close()


async def test_a_journal_from_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    (await _close(SqliteJournal.open(path).unwrap()))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    refused = SqliteJournal.open(path)
    assert isinstance(refused, Failure)
    error = refused.failure()
    assert isinstance(error, JournalError) and "newer" in error.describe()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone()[0] == "99"
    # And the failed open released the process lock.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    await _close(SqliteJournal.open(path).unwrap())


async def _close(journal: SqliteJournal) -> None:
    await journal.close()


def test_an_unusable_path_is_a_journal_error(tmp_path: Path) -> None:
    opened = SqliteJournal.open(tmp_path / "missing-dir" / "j.db")
    assert isinstance(opened, Failure)
    assert "cannot lock" in opened.failure().describe()
    reader = SqliteJournal.open(tmp_path / "nothing-yet.db", lock=False)
    assert isinstance(reader, Failure)
    assert "no journal" in reader.failure().describe()


async def test_sqlite_rows_are_keyed_by_symbol_identity_whatever_the_quote(
    tmp_path: Path,
) -> None:
    # The seed writes Symbol("BTC", "USDT", "PERP"): it equals Symbol("BTC") (a BTC perp),
    # so a journal written by one spelling must be read by the other (issue 14).
    seed_btc = Symbol("BTC", "USDT", "PERP")
    journal = SqliteJournal.open(tmp_path / "j.db").unwrap()
    try:
        venue = paper("a").exchange
        await journal.adjust_position(venue, seed_btc, Decimal(2), "operator", T0)
        await journal.adjust_position(venue, BTC, Decimal("-0.5"), "operator", T0)
        assert dict(await journal.positions()) == {(venue, BTC): Decimal("1.5")}
        signal = attrs.evolve(hedge(), symbol=seed_btc)
        await journal.record_signal(signal, T0)
        assert [s.signal_id for s in await journal.open_signals(BTC)] == [signal.signal_id]
        assert await journal.open_signals(Symbol("ETH")) == ()
    finally:
        await journal.close()
