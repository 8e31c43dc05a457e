"""The work behind ``positions`` (imported only when it runs)."""

from __future__ import annotations

import textwrap
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
from atomic_fp.models.margin import AccountMargin
from scripts import exitcodes
from scripts.alerting import build_alerter
from scripts.context import REDACTOR, AppContext, error, warn
from scripts.funding_journal import JournalFunding, earned_view, positions_funding
from scripts.json_contract import versioned
from scripts.margin_alerts import account_alerts, deliver_now
from scripts.margin_views import Margins, fetch_margins, margin_view
from scripts.output import dec, pct, render_csv, render_json, render_table
from scripts.runtime import aggregator, close_all, in_venue_order, utc_now
from scripts.table_fit import terminal_width
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
    alerter = build_alerter(app)  # None without [alerts]; a broken section exits 2 here
    venues = build_trading_venues(app, venue_names)
    now = utc_now()
    since = now - timedelta(days=funding_days)

    async def work() -> tuple[PerVenue, PerVenue, Any, Margins, JournalFunding]:
        accounts = aggregator(venues, PositionAggregator)
        try:
            held = in_venue_order(venues, await accounts.get_positions())
            margins = await fetch_margins(venues)
            paid: PerVenue = (
                in_venue_order(venues, await accounts.get_funding_payments(since, now))
                if funding_days
                else {}
            )
            journal = await _journal_positions(app)
            journaled = (
                await positions_funding(
                    app.config().journal_path, paid, _held_symbols(held), since, now
                )
                if funding_days
                else JournalFunding(None, "--funding-days 0")
            )
        finally:
            await close_all(venues)
        return held, paid, journal, margins, journaled

    held, paid, journal, margins, journaled = anyio.run(work)
    exposure = total_exposure(held)
    earned: dict[tuple[str, str], Decimal] = {}
    for venue, result in paid.items():
        if isinstance(result, Success):
            for payment in result.unwrap():
                key = (str(venue), payment.symbol.base)
                earned[key] = earned.get(key, Decimal(0)) + payment.amount
    for venue, result in held.items():  # payments answered and none for a position: 0
        if isinstance(result, Success) and isinstance(paid.get(venue), Success):
            for position in result.unwrap():
                earned.setdefault((str(venue), position.symbol.base), Decimal(0))
    rows: list[dict[str, Any]] = []
    for venue, result in held.items():
        if not isinstance(result, Success):
            continue
        for position in result.unwrap():
            rows.append(_row(venue, position, earned, journal, margins.get(venue), journaled))
    answered = sum(1 for r in held.values() if isinstance(r, Success))
    payload = {
        "as_of": now,
        "venues_answered": answered,
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
        "journal_funding": journaled.note,
        "margins": {str(v): margin_view(r) for v, r in margins.items()},
        "hedges": hedge_views(rows),
    }
    _print(versioned("positions", payload), rows, fmt)
    if alerter is not None:  # legs near liquidation ([alerts] liquidation_buffer)
        known = {v: r.unwrap() for v, r in margins.items() if isinstance(r, Success)}
        deliver_now(alerter, account_alerts(known, alerter.settings))
    for venue, problem in exposure.uncounted.items():
        warn(
            f"{venue} NOT COUNTED: {problem.describe()}",
            venue=str(venue),
            event="not_counted",
            error_type=problem.kind,
            code=problem.code,
        )
    if not answered:
        error(
            "no venue reported its positions",
            event="nothing_usable",
            exit_code=exitcodes.NOTHING_USABLE,
        )
        return exitcodes.NOTHING_USABLE
    return exitcodes.OK


def _held_symbols(held: PerVenue) -> set[Symbol]:
    return {
        position.symbol
        for result in held.values()
        if isinstance(result, Success)
        for position in result.unwrap()
    }


def _by_symbol(item: tuple[Symbol, Decimal]) -> str:
    return item[0].base


def _row(
    venue: ExchangeIdentifier,
    position: Position,
    earned: dict[tuple[str, str], Decimal],
    journal: Any,
    margin: Result[AccountMargin, VenueError] | None,
    journaled: JournalFunding,
) -> dict[str, Any]:
    key = (str(venue), position.symbol.base)
    expected = journal.get(key) if isinstance(journal, dict) else None
    account = margin.unwrap() if isinstance(margin, Success) else None
    leg = account.leg(position.symbol) if account is not None else None
    liquidation = leg.liquidation_price if leg is not None else position.liquidation_price
    distance = leg.liquidation_distance if leg is not None else position.liquidation_distance
    source = leg.source.value if leg is not None and leg.source is not None else None
    if leg is None and position.liquidation_price is not None:
        source = "venue"
    view = earned_view(key, earned.get(key), journaled)
    funding, funding_source = view["funding"], view["source"]
    if funding is None and position.cumulative_funding is not None:
        funding, funding_source = position.cumulative_funding, "position"
    return {
        "venue": str(venue),
        "symbol": position.symbol.base,
        "size": dec(position.size),
        "base_size": dec(position.base_size),
        "entry_price": dec(position.entry_price),
        "mark_price": dec(position.mark_price),
        "liquidation_price": dec(liquidation),
        "liquidation_distance": dec(distance),
        "liquidation_source": source,
        "margin_ratio": dec(account.margin_ratio) if account is not None else None,
        "funding_earned": dec(funding),
        "unrealized_pnl": dec(position.unrealized_pnl),
        "cumulative_funding": dec(position.cumulative_funding),
        "funding_payments": dec(earned.get(key)),
        "funding_source": funding_source,
        "funding_journal": dec(view["journal"]),
        "funding_differs": view["differs"],
        "journal_base_size": dec(expected),
    }


def _print(payload: dict[str, Any], rows: list[dict[str, Any]], fmt: str | None) -> None:
    if fmt == "json":
        click.echo(REDACTOR.scrub(render_json(payload)), nl=False)
        return
    headers = (
        "HEDGE",
        "VENUE",
        "BASE SIZE",
        "ENTRY",
        "MARK",
        "LIQ PRICE",
        "LIQ DIST",
        "MARGIN RATIO",
        "FUNDING",
        "UPNL",
        "JOURNAL",
    )
    table = [
        [
            r["symbol"],
            r["venue"],
            r["base_size"] or "-",
            r["entry_price"] or "-",
            r["mark_price"] or "-",
            _liquidation(r),
            pct(Decimal(r["liquidation_distance"])) if r["liquidation_distance"] else "-",
            pct(Decimal(r["margin_ratio"])) if r["margin_ratio"] else "-",
            r["funding_earned"] or "-",
            r["unrealized_pnl"] or "-",
            r["journal_base_size"] or "-",
        ]
        for r in sorted(rows, key=lambda r: (r["symbol"], r["venue"]))
    ]
    if fmt == "csv":
        click.echo(render_csv([h.lower().replace(" ", "_") for h in headers], table), nl=False)
        return
    if not payload["venues_answered"]:
        # nothing was read: "no open positions" or "net exposure: none" would be a lie
        click.echo("positions unknown: no venue reported its positions")
        if payload["not_counted"]:
            click.echo("NOT COUNTED (exposure unknown): " + "; ".join(payload["not_counted"]))
        return
    # narrow terminals lose the journal's view, entry, mark, liquidation price, uPnL and
    # funding first; hedge, venue, size, liquidation distance and margin ratio stay
    fitted = render_table(headers, table, priority=[0, 0, 0, 5, 4, 3, 0, 0, 2, 3, 6])
    click.echo(fitted if table else "no open positions")
    for hedge in payload["hedges"]:
        closest = hedge["closest_liquidation"]
        near = (
            f"{pct(Decimal(closest['distance']))} on {closest['venue']}" if closest else "unknown"
        )
        click.echo(
            textwrap.fill(
                f"{hedge['symbol']} hedge: net {hedge['net_base_size']}, "
                f"funding {hedge['funding_earned'] or 'unknown'}, "
                f"net PnL {hedge['net_pnl'] or 'unknown'}, closest liquidation {near}",
                terminal_width(),
                subsequent_indent="  ",
            )
        )
    for r in rows:
        if r["funding_differs"]:
            click.echo(
                f"note: {r['symbol']} funding on {r['venue']} is the journal's "
                f"{r['funding_journal']}; the venue's payments sum to {r['funding_payments']}"
            )
    partial = "" if payload["complete"] else " (of the venues counted only)"
    net = ", ".join(f"{s} {a}" for s, a in payload["net_exposure"].items()) or "none"
    click.echo(f"net exposure{partial}: {net}")
    unhedged = ", ".join(f"{s} {a}" for s, a in payload["unhedged"].items())
    click.echo(f"unhedged{partial}: {unhedged or 'none'}")
    if payload["not_counted"]:
        click.echo("NOT COUNTED (exposure unknown): " + "; ".join(payload["not_counted"]))


def _liquidation(row: dict[str, Any]) -> str:
    if not row["liquidation_price"]:
        return "-"
    price = f"{Decimal(row['liquidation_price']):.2f}"
    return price + ("*" if row["liquidation_source"] == "estimated" else "")


def hedge_views(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per symbol held on two or more venues: its legs, net size, funding
    earned, unrealised PnL and net PnL (unrealised + funding; ``None`` when a leg's
    figure is unknown), and the leg closest to liquidation."""
    by_symbol: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_symbol.setdefault(row["symbol"], []).append(row)
    hedges = []
    for symbol, legs in sorted(by_symbol.items()):
        if len(legs) < 2:
            continue
        funding = _total(legs, "funding_earned")
        upnl = _total(legs, "unrealized_pnl")
        known = [r for r in legs if r["liquidation_distance"] is not None]
        closest = min(known, key=lambda r: Decimal(r["liquidation_distance"]), default=None)
        hedges.append(
            {
                "symbol": symbol,
                "legs": [r["venue"] for r in sorted(legs, key=lambda r: r["venue"])],
                "net_base_size": dec(sum((Decimal(r["base_size"]) for r in legs), Decimal(0))),
                "funding_earned": dec(funding),
                "unrealized_pnl": dec(upnl),
                "net_pnl": None if funding is None or upnl is None else dec(funding + upnl),
                "closest_liquidation": (
                    {"venue": closest["venue"], "distance": closest["liquidation_distance"]}
                    if closest is not None
                    else None
                ),
            }
        )
    return hedges


def _total(rows: list[dict[str, Any]], key: str) -> Decimal | None:
    values = [r[key] for r in rows]
    if any(v is None for v in values):
        return None
    return sum((Decimal(v) for v in values), Decimal(0))
