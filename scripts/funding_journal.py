"""The venues' funding payments into the journal, and "funding earned" out of it (issue 21).

``run`` records, every cycle interval, the payments of the last ``LOOKBACK`` for the symbols
it trades (one venue query per venue; a failed query is a warning and is retried next
time: payments stay listed by the venues for days, and the journal de-duplicates).
``positions`` records what it fetched when it can take the journal's lock (no trader
running; else the trader records them) and reports, per leg, the journal's figure beside
the venue's, saying which it shows and why when they differ.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import attrs
from returns.result import Failure, Result, Success

from adapters.journal import SqliteJournal
from adapters.journal.funding import FundingTotal
from atomic_fp.aggregators import PositionAggregator
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingPayment, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.journal import JournalUnavailable
from scripts.context import warn
from scripts.runtime import Venue, aggregator

log = logging.getLogger("scripts.funding_journal")

LOOKBACK = timedelta(days=2)
"""How far back ``run`` asks for payments each time: covers a restart or outage of a day."""

Payments = Mapping[ExchangeIdentifier, Result[tuple[FundingPayment, ...], VenueError]]


def legs_payments(paid: Payments, symbols: Iterable[Symbol] | None = None) -> list[FundingPayment]:
    """The answered venues' payments (``symbols``: only those bases)."""
    wanted = None if symbols is None else {s.base for s in symbols}
    return [
        payment
        for result in paid.values()
        if isinstance(result, Success)
        for payment in result.unwrap()
        if wanted is None or payment.symbol.base in wanted
    ]


async def record_once(
    journal: SqliteJournal,
    venues: Sequence[Venue],
    symbols: Iterable[Symbol],
    now: datetime,
) -> int:
    """Fetch the last ``LOOKBACK`` of payments and journal the new ones; how many."""
    paid = await aggregator(venues, PositionAggregator).get_funding_payments(now - LOOKBACK, now)
    for venue, result in paid.items():
        if isinstance(result, Failure):
            log.info("funding payments of %s not read: %s", venue, result.failure().describe())
    return await journal.record_funding_payments(legs_payments(paid, symbols), now)


async def record_logged(
    journal: SqliteJournal, venues: Sequence[Venue], symbols: Sequence[Symbol], now: datetime
) -> None:
    """:func:`record_once`, a journal failure being a warning: it never stops the cycles
    (the payments stay listed by the venues; the next round records them)."""
    try:
        new = await record_once(journal, venues, symbols, now)
        if new:
            log.info("journaled %d funding payment(s)", new)
    except JournalUnavailable as failure:
        warn(f"funding payments not journaled: {failure}", event="funding_not_journaled")


async def funding_recorder(
    journal: SqliteJournal,
    venues: Sequence[Venue],
    symbols: Sequence[Symbol],
    every: timedelta,
    clock: Callable[[], datetime],
) -> None:
    """``run``'s background task (after a first :func:`record_logged` before the first
    cycle): wait ``every``, record, again."""
    while True:
        await anyio.sleep(every.total_seconds())
        await record_logged(journal, venues, symbols, clock())


@attrs.frozen
class JournalFunding:
    """What ``positions`` read (and wrote) in the journal's funding table."""

    totals: Mapping[tuple[str, str], FundingTotal] | None
    note: str | None = None
    """Why the totals are missing, or why nothing was written."""


async def positions_funding(
    path: Path | None, paid: Payments, symbols: Iterable[Symbol], since: datetime, now: datetime
) -> JournalFunding:
    """Record ``paid`` (the held symbols' payments) when the lock is free (creating the
    configured journal if it is not there yet), then read the journal's totals since
    ``since``. A running trader holds the lock: read only."""
    if path is None:
        return JournalFunding(None, "no journal")
    note = None
    writer = SqliteJournal.open(path)
    if isinstance(writer, Success):
        journal = writer.unwrap()
        try:
            await journal.record_funding_payments(legs_payments(paid, symbols), now)
            return JournalFunding(await journal.funding_totals(since))
        except JournalUnavailable as failure:
            note = f"payments not journaled: {failure}"
        finally:
            await journal.close()
    else:
        note = f"payments not journaled here ({writer.failure()}); a running trader records them"
    reader = SqliteJournal.open(path, lock=False)
    if isinstance(reader, Failure):
        return JournalFunding(None, str(reader.failure()))
    journal = reader.unwrap()
    try:
        return JournalFunding(await journal.funding_totals(since), note)
    except JournalUnavailable as failure:
        return JournalFunding(None, str(failure))
    finally:
        await journal.close()


def earned_view(
    key: tuple[str, str], venue_sum: Decimal | None, journal: JournalFunding
) -> dict[str, Any]:
    """One leg's funding earned: the journal's total (it holds every payment the venue
    ever listed, de-duplicated) when there is one, else the venue's window; ``source``
    says which, ``differs`` when both exist and disagree (a venue that no longer lists old
    payments, or one that failed this time)."""
    total = journal.totals.get(key) if journal.totals is not None else None
    journaled = total.amount if total is not None else None
    if journaled is None:
        source = "venue" if venue_sum is not None else None
        return {"funding": venue_sum, "source": source, "journal": None, "differs": False}
    if venue_sum is None:
        return {"funding": journaled, "source": "journal", "journal": journaled, "differs": False}
    differs = journaled != venue_sum
    source = "journal" if differs else "journal+venue"
    return {"funding": journaled, "source": source, "journal": journaled, "differs": differs}


__all__ = [
    "LOOKBACK",
    "JournalFunding",
    "earned_view",
    "funding_recorder",
    "legs_payments",
    "positions_funding",
    "record_logged",
    "record_once",
]
