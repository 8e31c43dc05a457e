"""The journal records the venues' funding payments (issue 21): schema 1 -> 2 migration
of a real schema-1 file with nothing lost, de-duplication by the venue's payment identity
(venue, symbol, asset, settlement time), totals per leg.

``data/journal-schema1.sqlite`` was written by the main branch's code at schema 1 (a
hedge executed on two paper venues, then an operator adjustment), before this change.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.journal import SqliteJournal
from adapters.journal.sqlite import SCHEMA_VERSION
from atomic_fp.models import FundingPayment
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import outcome
from tests.shell.helpers import BTC, T0, hedge, orchestrator, paper

pytestmark = pytest.mark.anyio
SCHEMA1 = Path(__file__).parent / "data" / "journal-schema1.sqlite"
V1_TABLES = (
    "meta",
    "signals",
    "order_intents",
    "order_outcomes",
    "fills",
    "residuals",
    "position_adjustments",
    "reconciliations",
)


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {
            table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in V1_TABLES
        }


def _payment(venue: str, hours: int, amount: str) -> FundingPayment:
    return FundingPayment(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        amount=Decimal(amount),
        asset="USD",
        time=T0 + timedelta(hours=hours),
        rate=Decimal("0.0001"),
        position_size=Decimal(-1),
    )


async def test_a_schema_1_file_migrates_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    shutil.copy(SCHEMA1, path)
    before = _dump(path)
    assert before["meta"] == [("schema_version", "1")]
    assert before["fills"] and before["signals"] and before["position_adjustments"]

    reader = SqliteJournal.open(path, lock=False).unwrap()  # read-only: no migration
    positions_v1 = dict(await reader.positions())
    assert await reader.funding_totals() == {}  # no table yet: nothing, not a failure
    await reader.close()
    assert _dump(path) == before

    journal = SqliteJournal.open(path).unwrap()  # the trader's open migrates
    try:
        assert dict(await journal.positions()) == positions_v1
        assert positions_v1[(ExchangeIdentifier("a"), BTC)] == Decimal("1.5")  # fill + adjust
        new = await journal.record_funding_payments([_payment("b", 8, "2.5")], T0)
        assert new == 1
    finally:
        await journal.close()
    after = _dump(path)
    assert (
        after.pop("meta") == [("schema_version", str(SCHEMA_VERSION))] == [("schema_version", "2")]
    )
    before.pop("meta")
    assert after == before  # every schema-1 row, unchanged


async def test_the_same_payment_reported_twice_is_recorded_once(tmp_path: Path) -> None:
    journal = SqliteJournal.open(tmp_path / "j.sqlite").unwrap()
    try:
        window_1 = [_payment("b", 8, "2.5"), _payment("b", 16, "2.4")]
        window_2 = [_payment("b", 16, "2.4"), _payment("b", 24, "-0.3"), _payment("a", 8, "-1")]
        assert await journal.record_funding_payments(window_1, T0) == 2
        assert await journal.record_funding_payments(window_2, T0) == 2  # 16h seen before
        assert await journal.record_funding_payments(window_1 + window_2, T0) == 0
        totals = await journal.funding_totals()
        b = totals[("b", "BTC")]
        assert (b.amount, b.payments) == (Decimal("4.6"), 3)
        assert (b.first, b.last) == (T0 + timedelta(hours=8), T0 + timedelta(hours=24))
        assert totals[("a", "BTC")].amount == Decimal(-1)
        since = await journal.funding_totals(T0 + timedelta(hours=16))
        assert since[("b", "BTC")].amount == Decimal("2.1")
        # a corrected amount for a payment already journaled does not rewrite history
        assert await journal.record_funding_payments([_payment("b", 8, "9")], T0) == 0
        assert (await journal.funding_totals())[("b", "BTC")].amount == Decimal("4.6")
    finally:
        await journal.close()


async def test_a_paper_hedge_s_funding_payments_land_in_the_journal(tmp_path: Path) -> None:
    """The paper venue's own payments (one per settlement) go in as the venue reports them,
    and a second fetch over an overlapping window adds nothing."""
    a, b = paper("a", rate=Decimal("0.0001")), paper("b", rate=Decimal("0.0005"))
    journal = SqliteJournal.open(tmp_path / "j.sqlite").unwrap()
    try:
        orch = orchestrator([a, b], journal=journal)
        assert (await orch.execute_signal(hedge("a", "b"))).hedged
        for venue in (a, b):
            venue.settle_due(T0)
            venue.advance_to(T0 + timedelta(hours=17))  # 08:00 and 16:00
        since, until = T0, T0 + timedelta(days=1)
        paid: dict[str, tuple[FundingPayment, ...]] = {}
        for venue in (a, b):
            result = await outcome(venue.fetch_funding_payments(since, until))
            paid[str(venue.exchange)] = result.unwrap()
        assert [len(p) for p in paid.values()] == [2, 2]
        every = [p for payments in paid.values() for p in payments]
        assert await journal.record_funding_payments(every, until) == 4
        assert await journal.record_funding_payments(every, until) == 0
        totals = await journal.funding_totals()
        for name, payments in paid.items():
            assert totals[(name, "BTC")].amount == sum(p.amount for p in payments)
        assert totals[("b", "BTC")].amount > 0 > totals[("a", "BTC")].amount  # short receives
    finally:
        await journal.close()
