"""Funding payments in the journal (schema 2): what each venue paid or charged the
account, per symbol, as the venue reported it.

A venue reports a payment again on every query whose window covers it (Binance
``/fapi/v1/income``, Hyperliquid ``userFunding``, GRVT funding history, Lighter
``positionFunding``), so rows are de-duplicated by the venue's own identity of a payment:
the venue, the symbol, the asset and the venue's settlement time (funding settles once per
symbol per interval on all four). A second report of the same payment is ignored (the
first one is kept: history is never rewritten); the amount stays as first recorded.

Recording is additive (schema 1 -> 2 adds the table; nothing recorded before is touched);
a journal of schema 1 opened read-only simply has no payments yet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models import FundingPayment

SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS funding_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    asset TEXT NOT NULL,
    paid_at TEXT NOT NULL,
    amount TEXT NOT NULL,
    rate TEXT,
    position_size TEXT,
    recorded_at TEXT NOT NULL,
    UNIQUE (venue, symbol, asset, paid_at)
);
CREATE INDEX IF NOT EXISTS funding_payments_leg ON funding_payments(venue, symbol)
"""


@attrs.frozen
class FundingTotal:
    """One leg's (venue, symbol) journaled funding: the sum and how many payments."""

    amount: Decimal
    payments: int
    first: datetime
    last: datetime


def _iso(at: datetime) -> str:
    return at.isoformat()


def insert_payments(
    db: sqlite3.Connection, payments: Iterable[FundingPayment], recorded_at: datetime
) -> int:
    """Record the payments not recorded yet; how many were new."""
    before = db.total_changes
    db.executemany(
        "INSERT OR IGNORE INTO funding_payments"
        " (venue, symbol, asset, paid_at, amount, rate, position_size, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                str(p.exchange),
                p.symbol.base,
                p.asset,
                _iso(p.time),
                str(p.amount),
                None if p.rate is None else str(p.rate),
                None if p.position_size is None else str(p.position_size),
                _iso(recorded_at),
            )
            for p in payments
        ],
    )
    return db.total_changes - before


def _has_table(db: sqlite3.Connection) -> bool:
    row = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'funding_payments'"
    ).fetchone()
    return row is not None


def totals(
    db: sqlite3.Connection, since: datetime | None = None
) -> Mapping[tuple[str, str], FundingTotal]:
    """(venue, base) -> the journaled funding paid at or after ``since`` (all without)."""
    if not _has_table(db):
        return {}
    query = "SELECT venue, symbol, amount, paid_at FROM funding_payments"
    args: tuple[str, ...] = ()
    if since is not None:
        query += " WHERE paid_at >= ?"
        args = (_iso(since),)
    out: dict[tuple[str, str], FundingTotal] = {}
    for venue, symbol, amount, paid_at in db.execute(query, args):
        at = datetime.fromisoformat(paid_at)
        key = (venue, symbol)
        seen = out.get(key)
        if seen is None:
            out[key] = FundingTotal(Decimal(amount), 1, at, at)
        else:
            out[key] = FundingTotal(
                seen.amount + Decimal(amount),
                seen.payments + 1,
                min(seen.first, at),
                max(seen.last, at),
            )
    return out


__all__ = ["SCHEMA_V2", "FundingTotal", "insert_payments", "totals"]
