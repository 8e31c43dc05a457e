"""The local funding store: settled funding rates in an embedded SQLite file.

Why: trailing averages (``--basis avg24h`` / ``avg7d``) and persistence need the last days of
settlements of every venue and symbol; reading them from a local file costs no request at
scan time. ``atomic-fp collect`` (one funding request per venue, cron-friendly) and ``run``
keep it current; ``funding-history --store`` backfills it from the venues' history endpoints.

One table, one row per settlement of one symbol on one venue:

- ``slot``: the settlement instant rounded to the minute (venues stamp the same settlement
  a few milliseconds apart: Binance ``16:00:00.000`` in ``premiumIndex``, ``16:00:00.005`` in
  its history); the key is ``(venue, symbol, slot)``;
- ``source``: ``history`` (a venue's own record of a settled rate: authoritative) or
  ``observed`` (the last rate ``collect`` saw *before* that settlement, for the period that
  settled then: Binance ``premiumIndex.lastFundingRate`` and Hyperliquid's ctx ``funding``
  are the rate of the period in progress). A ``history`` row is never replaced by an
  observation (a later history row of the same settlement replaces it: venues correct);
  an observation replaces an older observation of the same settlement;
- decimals as text (exact), times as integer microseconds since the epoch (UTC).

Only rows whose settlement instant is at or before the time asked about are returned: an
observation of a period still in progress is stored, but is not a settlement yet.

Effects (disk) only; every call returns a value or raises :class:`StoreError` (the CLI turns
it into a clear message and exit code).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from adapters.store.names import HISTORY, OBSERVED, StoreError
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settlements (
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    slot INTEGER NOT NULL,
    funding_time INTEGER NOT NULL,
    venue_symbol TEXT,
    rate TEXT NOT NULL,
    interval_us INTEGER NOT NULL,
    mark_price TEXT,
    source TEXT NOT NULL,
    observed_at INTEGER NOT NULL,
    PRIMARY KEY (venue, symbol, slot)
);
CREATE INDEX IF NOT EXISTS settlements_time ON settlements (slot);
"""

_UPSERT = """
INSERT INTO settlements
    (venue, symbol, slot, funding_time, venue_symbol, rate, interval_us, mark_price,
     source, observed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (venue, symbol, slot) DO UPDATE SET
    funding_time = excluded.funding_time, venue_symbol = excluded.venue_symbol,
    rate = excluded.rate, interval_us = excluded.interval_us,
    mark_price = excluded.mark_price, source = excluded.source,
    observed_at = excluded.observed_at
WHERE excluded.source = 'history'
   OR (settlements.source = 'observed' AND excluded.observed_at >= settlements.observed_at)
"""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MINUTE_US = 60_000_000


def _us(when: datetime) -> int:
    return (when - _EPOCH) // timedelta(microseconds=1)


def _time(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _slot(us: int) -> int:
    return (us + _MINUTE_US // 2) // _MINUTE_US * _MINUTE_US


class FundingStore:
    """Settled funding rates on disk (or in memory: ``path=":memory:"``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
                self._db.commit()
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer atomic-fp (schema {row[0]} > "
                    f"{SCHEMA_VERSION})"
                )
        except (sqlite3.Error, OSError, ValueError) as error:
            raise StoreError(f"{self.path}: not a usable funding store: {error}") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> FundingStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _write(self, rows: Iterable[FundingRate], source: str, when: str) -> int:
        records = []
        for rate in rows:
            at = getattr(rate, when)
            if at is None:
                continue
            us = _us(at)
            records.append(
                (
                    rate.exchange.name,
                    str(rate.symbol),
                    _slot(us),
                    us,
                    rate.venue_symbol,
                    str(rate.rate),
                    rate.interval // timedelta(microseconds=1),
                    None if rate.mark_price is None else str(rate.mark_price),
                    source,
                    _us(rate.observed_at),
                )
            )
        try:
            with self._db:
                before = self._db.total_changes
                self._db.executemany(_UPSERT, records)
                return self._db.total_changes - before
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot write: {error}") from None

    def record_settled(self, rates: Iterable[FundingRate]) -> int:
        """Settled rates (a venue's history, ``funding_time`` set); returns rows written."""
        return self._write(rates, HISTORY, "funding_time")

    def record_observed(self, rates: Iterable[FundingRate]) -> int:
        """Current rates as observed now, each for the settlement at its
        ``next_funding_time`` (rates without one are skipped); returns rows written."""
        return self._write(rates, OBSERVED, "next_funding_time")

    def settled(
        self,
        *,
        since: datetime,
        until: datetime,
        venues: Sequence[str] | None = None,
        symbols: Iterable[Symbol] | None = None,
    ) -> dict[tuple[str, Symbol], tuple[FundingRate, ...]]:
        """Settlements with ``since < funding_time <= until``, oldest first, keyed by
        (venue name, symbol)."""
        query = (
            "SELECT venue, symbol, funding_time, venue_symbol, rate, interval_us, mark_price "
            "FROM settlements WHERE funding_time > ? AND funding_time <= ?"
        )
        params: list[object] = [_us(since), _us(until)]
        if venues is not None:
            query += f" AND venue IN ({','.join('?' * len(venues))})"
            params += list(venues)
        wanted = None if symbols is None else {str(s) for s in symbols}
        out: dict[tuple[str, Symbol], list[FundingRate]] = {}
        parsed: dict[str, Symbol] = {}
        try:
            cursor = self._db.execute(query + " ORDER BY funding_time", params)
            for venue, symbol_text, time_us, venue_symbol, rate, interval_us, mark in cursor:
                if wanted is not None and symbol_text not in wanted:
                    continue
                symbol = parsed.get(symbol_text)
                if symbol is None:
                    symbol = parsed[symbol_text] = Symbol.parse(symbol_text)
                at = _time(time_us)
                out.setdefault((venue, symbol), []).append(
                    FundingRate(
                        exchange=ExchangeIdentifier(venue),
                        symbol=symbol,
                        rate=Decimal(rate),
                        interval=timedelta(microseconds=interval_us),
                        kind=FundingKind.SETTLED,
                        observed_at=at,
                        funding_time=at,
                        mark_price=None if mark is None else Decimal(mark),
                        venue_symbol=venue_symbol,
                    )
                )
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot read: {error}") from None
        return {key: tuple(rows) for key, rows in out.items()}

    def counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Per (venue, source): (rows, newest settlement in microseconds)."""
        rows = self._db.execute(
            "SELECT venue, source, COUNT(*), MAX(funding_time) FROM settlements "
            "GROUP BY venue, source"
        ).fetchall()
        return {(venue, source): (count, newest) for venue, source, count, newest in rows}


__all__ = ["HISTORY", "OBSERVED", "FundingStore", "StoreError"]
