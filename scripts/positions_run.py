"""The work behind ``positions`` (imported only when it runs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import anyio
import click
from returns.result import Failure, Result, Success

from atomic_fp.aggregators import PositionAggregator, total_exposure
from atomic_fp.errors import NotSupported, VenueError
from atomic_fp.models import Position, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts import exitcodes
from scripts.context import REDACTOR, AppContext, error, warn
from scripts.output import dec, pct, render_csv, render_json, render_table
from scripts.runtime import aggregator, close_all, in_venue_order, utc_now
from scripts.trading import build_trading_venues

PerVenue = dict[ExchangeIdentifier, Result[Any, VenueError]]


async def _journal_positions(app: AppContext) -> dict[tuple[str, str], Decimal] | str | None:
    path = app.config().journal_path
    if path is None or not path.exists():
        return None
    from adapters.journal import SqliteJournal

    opened = SqliteJournal.open(path, lock=False)  # read-only beside a running trader
    if isinstance(opened, Failure):
        return str(opened.failure())
    journal = opened.unwrap()
    try:
        held = await journal.positions()
    finally:
        await journal.close()
    return {(str(v), s.base): amount for (v, s), amount in held.items()}


def run_positions(
    app: AppContext, venue_names: Sequence[str] | None, funding_days: int, fmt: str | None
) -> int:
    venues = build_trading_venues(app, venue_names)
    now = utc_now()
    since = now - timedelta(days=funding_days)

    async def work() -> tuple[PerVenue, PerVenue, Any]:
        accounts = aggregator(venues, PositionAggregator)
        try:
            held = in_venue_order(venues, await accounts.get_positions())
            paid: PerVenue = (
                in_venue_order(venues, await accounts.get_funding_payments(since, now))
                if funding_days
                else {}
            )
            journal = await _journal_positions(app)
        finally:
            await close_all(venues)
        return held, paid, journal

    held, paid, journal = anyio.run(work)
    exposure = total_exposure(held)
    earned: dict[tuple[str, str], Decimal] = {}
    for venue, result in paid.items():
        if isinstance(result, Success):
            for payment in result.unwrap():
                key = (str(venue), payment.symbol.base)
                earned[key] = earned.get(key, Decimal(0)) + payment.amount
    rows: list[dict[str, Any]] = []
    for venue, result in held.items():
        if not isinstance(result, Success):
            continue
        for position in result.unwrap():
            rows.append(_row(venue, position, earned, journal))
    payload = {
        "as_of": now,
        "positions": rows,
        "net_exposure": {
            s.base: dec(amount) for s, amount in sorted(exposure.net.items(), key=_by_symbol)
        },
        "unhedged": {
            s.base: dec(amount)
            for s, amount in sorted(exposure.net.items(), key=_by_symbol)
            if amount != 0
        },
        "complete": exposure.complete,
        "not_counted": {str(v): e.describe() for v, e in exposure.uncounted.items()},
        "funding_payments": {
            str(v): (
                {"ok": True, "total": dec(sum((p.amount for p in r.unwrap()), Decimal(0)))}
                if isinstance(r, Success)
                else {
                    "ok": False,
                    "supported": not isinstance(r.failure(), NotSupported),
                    "error": r.failure().describe(),
                }
            )
            for v, r in paid.items()
        },
        "funding_days": funding_days,
        "journal": journal if isinstance(journal, str) else None,
    }
    _print(payload, rows, fmt)
    for venue, problem in exposure.uncounted.items():
        warn(f"{venue} NOT COUNTED: {problem.describe()}", venue=str(venue))
    if not any(isinstance(r, Success) for r in held.values()):
        error("no venue reported its positions", event="nothing_usable")
        return exitcodes.NOTHING_USABLE
    return exitcodes.OK


def _by_symbol(item: tuple[Symbol, Decimal]) -> str:
    return item[0].base


def _row(
    venue: ExchangeIdentifier,
    position: Position,
    earned: dict[tuple[str, str], Decimal],
    journal: Any,
) -> dict[str, Any]:
    key = (str(venue), position.symbol.base)
    expected = journal.get(key) if isinstance(journal, dict) else None
    return {
        "venue": str(venue),
        "symbol": position.symbol.base,
        "size": dec(position.size),
        "base_size": dec(position.base_size),
        "entry_price": dec(position.entry_price),
        "mark_price": dec(position.mark_price),
        "liquidation_price": dec(position.liquidation_price),
        "liquidation_distance": dec(position.liquidation_distance),
        "unrealized_pnl": dec(position.unrealized_pnl),
        "cumulative_funding": dec(position.cumulative_funding),
        "funding_payments": dec(earned.get(key)),
        "journal_base_size": dec(expected),
    }


def _print(payload: dict[str, Any], rows: list[dict[str, Any]], fmt: str | None) -> None:
    if fmt == "json":
        click.echo(REDACTOR.scrub(render_json(payload)), nl=False)
        return
    headers = (
        "VENUE",
        "SYMBOL",
        "BASE SIZE",
        "ENTRY",
        "MARK",
        "LIQ DIST",
        "FUNDING",
        "JOURNAL",
    )
    table = [
        [
            r["venue"],
            r["symbol"],
            r["base_size"] or "-",
            r["entry_price"] or "-",
            r["mark_price"] or "-",
            pct(Decimal(r["liquidation_distance"])) if r["liquidation_distance"] else "-",
            r["funding_payments"] or r["cumulative_funding"] or "-",
            r["journal_base_size"] or "-",
        ]
        for r in rows
    ]
    if fmt == "csv":
        click.echo(render_csv([h.lower().replace(" ", "_") for h in headers], table), nl=False)
        return
    click.echo(render_table(headers, table) if table else "no open positions")
    net = ", ".join(f"{s} {a}" for s, a in payload["net_exposure"].items()) or "none"
    click.echo(f"net exposure: {net}")
    unhedged = ", ".join(f"{s} {a}" for s, a in payload["unhedged"].items())
    click.echo(f"unhedged: {unhedged or 'none'}")
    if payload["not_counted"]:
        click.echo("NOT COUNTED (exposure unknown): " + "; ".join(payload["not_counted"]))
