"""The work behind ``collateral`` (imported only when it runs)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import anyio
import click
from returns.result import Success

from atomic_fp.decisions.alerts import collateral_alerts
from atomic_fp.decisions.collateral import CollateralPlan, TransferRoute, plan_collateral
from atomic_fp.models import Symbol
from atomic_fp.models.margin import AccountMargin
from scripts import exitcodes
from scripts.alerting import build_alerter
from scripts.context import REDACTOR, AppContext, error, fail, warn
from scripts.json_contract import versioned
from scripts.margin_alerts import deliver_now
from scripts.margin_views import Margins, fetch_margins, margin_view
from scripts.output import dec, render_json, render_table
from scripts.runtime import close_all, utc_now
from scripts.trading import build_trading_venues


def _route(route: TransferRoute | None) -> dict[str, Any] | None:
    if route is None:
        return None
    return {
        "asset": route.asset,
        "min_deposit": dec(route.min_deposit),
        "min_withdrawal": dec(route.min_withdrawal),
        "note": route.note,
    }


def plan_view(plan: CollateralPlan) -> dict[str, Any]:
    return {
        "symbol": plan.symbol.base,
        "from": str(plan.source),
        "to": str(plan.destination),
        "amount": dec(plan.amount.quantize(Decimal("0.01"))),
        "urgent": plan.urgent,
        "capped": plan.capped,
        "liquidation_distance_before": {v: dec(d) for v, d in plan.distances_before.items()},
        "liquidation_distance_after": {v: dec(d) for v, d in plan.distances_after.items()},
        "withdraw": _route(plan.source_route),
        "deposit": _route(plan.destination_route),
        "warnings": list(plan.warnings),
        "summary": plan.describe(),
    }


def hedged_symbols(margins: Margins) -> list[Symbol]:
    seen: dict[Symbol, int] = {}
    for result in margins.values():
        if isinstance(result, Success):
            for leg in result.unwrap().legs:
                seen[leg.symbol] = seen.get(leg.symbol, 0) + 1
    return sorted((s for s, n in seen.items() if n >= 2), key=lambda s: s.base)


def run_collateral(
    app: AppContext,
    venue_names: Sequence[str] | None,
    symbol_names: Sequence[str] | None,
    fmt: str | None,
) -> int:
    config = app.config()
    buffer = config.strategy.arbitrage_config(config.fees()).liquidation_buffer
    try:
        wanted = [Symbol.parse(n) for n in symbol_names] if symbol_names else None
    except ValueError as problem:
        fail(f"--symbols: {problem}")
    alerter = build_alerter(app)  # None without [alerts]; a broken section exits 2 here
    venues = build_trading_venues(app, venue_names)
    kinds = {v.id: v.kind for v in venues}

    async def work() -> Margins:
        try:
            return await fetch_margins(venues)
        finally:
            await close_all(venues)

    margins = anyio.run(work)
    known: dict[Any, AccountMargin] = {
        v: r.unwrap() for v, r in margins.items() if isinstance(r, Success)
    }
    plans: list[CollateralPlan] = []
    not_planned: dict[str, str] = {}
    for symbol in wanted if wanted is not None else hedged_symbols(margins):
        planned = plan_collateral(known, symbol, min_liquidation_distance=buffer, kinds=kinds)
        if isinstance(planned, Success):
            plans.append(planned.unwrap())
        else:
            not_planned[symbol.base] = planned.failure()
    payload = {
        "as_of": utc_now(),
        "min_liquidation_distance": dec(buffer),
        "suggestions": [plan_view(p) for p in plans],
        "not_planned": not_planned,
        "venues": {str(v): margin_view(r) for v, r in margins.items()},
        "note": "suggestions only: atomic-fp never moves funds (keep withdrawals off trading keys)",
    }
    if fmt == "json":
        click.echo(REDACTOR.scrub(render_json(versioned("collateral", payload))), nl=False)
    else:
        _print(plans, not_planned)
    if alerter is not None:  # urgent suggestions only (the legs' own alerts: positions)
        deliver_now(alerter, collateral_alerts(plans))
    for venue, result in margins.items():
        if not isinstance(result, Success):
            warn(f"{venue}: margin unknown: {result.failure().describe()}", venue=str(venue))
    if not known:
        error("no venue reported its margin", event="nothing_usable")
        return exitcodes.NOTHING_USABLE
    return exitcodes.ALERT if any(p.urgent for p in plans) else exitcodes.OK


def _print(plans: list[CollateralPlan], not_planned: dict[str, str]) -> None:
    rows = [
        [
            p.symbol.base,
            str(p.source),
            str(p.destination),
            f"{p.amount:.2f}",
            p.destination_route.asset if p.destination_route else "-",
            " -> ".join(
                "/".join(f"{d:.2%}" for d in distances.values())
                for distances in (p.distances_before, p.distances_after)
            ),
            "URGENT" if p.urgent else "",
        ]
        for p in plans
    ]
    headers = ("SYMBOL", "FROM", "TO", "AMOUNT", "ASSET", "LIQ DIST (FROM/TO)", "")
    click.echo(render_table(headers, rows) if rows else "no hedge needs collateral moved")
    for plan in plans:
        for warning in plan.warnings:
            click.echo(f"note: {warning}")
    for symbol, why in not_planned.items():
        click.echo(f"{symbol}: no suggestion ({why})")
    click.echo("suggestions only: atomic-fp never moves funds")
