"""The work behind ``reconcile`` (imported only when it runs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import click
from returns.result import Failure, Success

from atomic_fp.orchestration import JournalUnavailable
from atomic_fp.orchestration.position_check import (
    PositionComparison,
    PositionRow,
    adopt_venue_positions,
    compare_positions,
)
from scripts import exitcodes
from scripts.alarms import RECONCILE_HINT
from scripts.context import REDACTOR, AppContext, error, fail
from scripts.output import dec, render_json
from scripts.runtime import close_all, select, utc_now
from scripts.trading import build_trading_venues, check_live_ready, trading_symbols


def _row_json(row: PositionRow) -> dict[str, Any]:
    return {
        "venue": str(row.exchange),
        "symbol": row.symbol.base,
        "journal_base": dec(row.journal_base),
        "venue_base": dec(row.venue_base),
        "difference": dec(row.difference),
        "status": row.status,
        "error": row.error,
    }


def _comparison_json(
    comparison: PositionComparison, adopted: Sequence[PositionRow]
) -> dict[str, Any]:
    return {
        "symbol": comparison.symbol.base,
        "at": comparison.at.isoformat(),
        "clean": comparison.clean,
        "positions": [_row_json(row) for row in comparison.rows],
        "unresolved_orders": [
            {
                "client_order_id": o.intent.client_order_id,
                "venue": str(o.intent.request.exchange),
                "side": o.intent.request.side.value,
                "size": dec(o.intent.request.size),
                "signal_id": o.intent.signal_id,
                "outcome": o.outcome.value if o.outcome is not None else None,
            }
            for o in comparison.unresolved_orders
        ],
        "unfinished_signals": [s.signal_id for s in comparison.open_signals],
        "adopted": [_row_json(row) for row in adopted],
    }


def _describe(comparison: PositionComparison, adopted: Sequence[PositionRow]) -> str:
    base = comparison.symbol.base
    lines = [f"{base}: journal against {len(comparison.rows)} venue(s)"]
    for row in comparison.rows:
        venue = dec(row.venue_base) or "unreadable"
        status = {"ok": "ok", "mismatch": f"MISMATCH (venue - journal = {dec(row.difference)})"}
        lines.append(
            f"  {row.exchange!s:<16} journal {dec(row.journal_base)!s:>12}  venue {venue:>12}  "
            + status.get(row.status, f"UNVERIFIED ({row.error})")
        )
    for order in comparison.unresolved_orders:
        request = order.intent.request
        lines.append(
            f"  unresolved order {request.client_order_id} on {request.exchange}: "
            f"{request.side.value} {request.size} (signal {order.intent.signal_id})"
        )
    for signal in comparison.open_signals:
        lines.append(f"  unfinished signal {signal.signal_id}: {signal.reason}")
    for row in adopted:
        lines.append(
            f"  adopted {row.exchange}: journal {dec(row.journal_base)} -> "
            f"{dec(row.venue_base)} (adjustment {dec(row.difference)})"
        )
    return "\n".join(lines)


def _alarms(comparison: PositionComparison) -> None:
    base = comparison.symbol.base
    for row in comparison.rows:
        if row.status == "mismatch":
            error(
                f"{base}: position mismatch on {row.exchange}: venue holds {row.venue_base}, "
                f"journal says {row.journal_base}; to do: {RECONCILE_HINT}",
                event="position_mismatch",
                venue=str(row.exchange),
                symbol=base,
                todo=RECONCILE_HINT,
                details=_row_json(row),
            )
        elif row.status == "unverified":
            error(
                f"{base}: position on {row.exchange} not verified: {row.error}",
                event="position_unverified",
                venue=str(row.exchange),
                symbol=base,
                todo="make the venue readable (credentials, network), then run again",
            )
    for order in comparison.unresolved_orders:
        request = order.intent.request
        error(
            f"{base}: order {request.client_order_id} on {request.exchange} has no final "
            "outcome in the journal; to do: run `atomic-fp execute --yes` (its start-up "
            "reconciliation looks it up by client id)",
            event="unresolved_order",
            venue=str(request.exchange),
            symbol=base,
            todo="run `atomic-fp execute --yes` to resolve it",
            details={"client_order_id": request.client_order_id, "size": dec(request.size)},
        )
    for signal in comparison.open_signals:
        error(
            f"{base}: signal {signal.signal_id} is unfinished in the journal; to do: run "
            "`atomic-fp execute --yes` (its start-up reconciliation resumes it)",
            event="unfinished_signal",
            symbol=base,
            todo="run `atomic-fp execute --yes` to resume it",
            details={"signal_id": signal.signal_id},
        )


def run_reconcile(
    app: AppContext,
    *,
    symbol_names: Sequence[str] | None,
    venue_names: Sequence[str] | None,
    accept: bool,
    reason: str,
    fmt: str | None,
) -> int:
    config = app.config()
    symbols = trading_symbols(config, symbol_names)
    journal_path = check_live_ready(config, select(config, venue_names), app)
    if not accept and not journal_path.exists():
        fail(f"journal {journal_path} does not exist yet: nothing to compare")
    venues = build_trading_venues(app, venue_names)
    clients = [v.client.unwrap() for v in venues if isinstance(v.client, Success)]
    timeout = max((v.timeout for v in venues), default=10.0)
    results: list[tuple[PositionComparison, tuple[PositionRow, ...]]] = []
    refusals: list[str] = []
    failures: list[JournalUnavailable] = []

    async def work() -> None:
        from adapters.journal import SqliteJournal

        # Showing reads beside a running trader; adopting writes, so it takes the lock.
        opened = SqliteJournal.open(
            Path(journal_path),
            lock=accept,
            busy_timeout=config.journal_busy_timeout.total_seconds(),
        )
        if isinstance(opened, Failure):
            await close_all(venues)
            fail(f"journal {journal_path}: {opened.failure()}", exitcodes.NOTHING_USABLE)
        journal = opened.unwrap()
        try:
            for symbol in symbols:
                comparison = await compare_positions(
                    symbol=symbol,
                    clients=clients,
                    journal=journal,
                    clock=utc_now,
                    query_timeout=timeout,
                )
                adopted: tuple[PositionRow, ...] = ()
                if accept and not comparison.clean:
                    outcome = await adopt_venue_positions(comparison, journal, reason, utc_now())
                    if isinstance(outcome, Failure):
                        refusals.append(f"{symbol.base}: not adopted: {outcome.failure()}")
                    else:
                        adopted = outcome.unwrap()
                        comparison = await compare_positions(
                            symbol=symbol,
                            clients=clients,
                            journal=journal,
                            clock=utc_now,
                            query_timeout=timeout,
                        )
                results.append((comparison, adopted))
        except JournalUnavailable as failure:
            failures.append(failure)
        finally:
            await journal.close()
            await close_all(venues)

    anyio.run(work)
    if fmt == "json":
        payload = {
            "as_of": utc_now(),
            "journal": str(journal_path),
            "symbols": [_comparison_json(c, a) for c, a in results],
        }
        click.echo(REDACTOR.scrub(render_json(payload)), nl=False)
    else:
        for comparison, adopted in results:
            click.echo(REDACTOR.scrub(_describe(comparison, adopted)))
    for comparison, _ in results:
        _alarms(comparison)
    for refusal in refusals:
        error(refusal, event="adopt_refused")
    for failure in failures:
        error(failure.describe(), event="journal_failed")
    if refusals or failures or not all(c.clean for c, _ in results):
        return exitcodes.NOTHING_USABLE
    return exitcodes.OK
