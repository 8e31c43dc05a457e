"""The journal's SQLite schema and its migrations.

Tables (append-only history; the only updates are the current-state columns of a signal and
of an order intent, whose every change is also logged in ``order_outcomes``):

- ``signals``: each signal (JSON payload), and when/how its execution finished;
- ``order_intents``: each order, recorded before it is sent, with its latest outcome;
- ``order_outcomes``: every outcome recorded for an order (log);
- ``fills``: fill increments (signed base size), from which positions are summed;
- ``residuals``: executions that left an unhedged residual or an unknown fate;
- ``position_adjustments``: operator-accepted venue positions (venue authoritative);
- ``reconciliations``: each reconciliation's result;
- ``funding_payments`` (schema 2): the venues' funding payments, de-duplicated
  (:mod:`adapters.journal.funding`).

Migrations are additive only (new tables, new nullable columns): nothing recorded is ever
dropped or rewritten. A journal written by a newer schema than this code knows is refused.
"""

from __future__ import annotations

import sqlite3

from adapters.journal.funding import SCHEMA_V2

SCHEMA_VERSION = 2

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signals (
    signal_id TEXT PRIMARY KEY,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT,
    residual_base TEXT,
    message TEXT
);
CREATE TABLE IF NOT EXISTS order_intents (
    client_order_id TEXT PRIMARY KEY,
    signal_id TEXT NOT NULL REFERENCES signals(signal_id),
    leg_index INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    size TEXT NOT NULL,
    limit_price TEXT,
    reduce_only INTEGER NOT NULL,
    contract_multiplier TEXT NOT NULL,
    request TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    outcome TEXT,
    filled_size TEXT NOT NULL DEFAULT '0',
    average_price TEXT
);
CREATE INDEX IF NOT EXISTS order_intents_signal ON order_intents(signal_id);
CREATE INDEX IF NOT EXISTS order_intents_outcome ON order_intents(outcome);
CREATE TABLE IF NOT EXISTS order_outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL REFERENCES order_intents(client_order_id),
    outcome TEXT NOT NULL,
    status TEXT,
    filled_size TEXT,
    average_price TEXT,
    fee TEXT,
    venue_order_id TEXT,
    error_kind TEXT,
    error_message TEXT,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL REFERENCES order_intents(client_order_id),
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    size TEXT NOT NULL,
    base_size TEXT NOT NULL,
    price TEXT,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS residuals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    signal_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    residual_base TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS position_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    delta_base TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reconciliations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol TEXT NOT NULL,
    at TEXT NOT NULL,
    clean INTEGER NOT NULL,
    problems TEXT NOT NULL,
    report TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, SCHEMA_V2)
"""``MIGRATIONS[n]`` takes schema ``n`` to ``n + 1``. Additive statements only."""


def written_version(connection: sqlite3.Connection) -> int:
    """The schema version recorded in ``meta`` (0: nothing written yet)."""
    exists = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if exists is None:
        return 0
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return 0 if row is None else int(row[0])


def check_version(connection: sqlite3.Connection) -> int:
    """:func:`written_version`, refusing (``ValueError``) one newer than this code knows."""
    version = written_version(connection)
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"written by a newer atomic-fp (schema {version}, this one knows {SCHEMA_VERSION})"
        )
    return version


def migrate(connection: sqlite3.Connection) -> None:
    """Take the journal to :data:`SCHEMA_VERSION`, one committed step at a time."""
    version = check_version(connection)
    for step in range(version, SCHEMA_VERSION):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(step + 1),),
            )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


__all__ = [
    "MIGRATIONS",
    "SCHEMA_V1",
    "SCHEMA_VERSION",
    "check_version",
    "migrate",
    "written_version",
]
