"""The work behind ``execute`` (imported only when it runs)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack

import anyio
import click

from atomic_fp.orchestration import CycleReport, JournalUnavailable
from scripts import exitcodes
from scripts.alarms import AlarmLog, cycle_alarms
from scripts.context import REDACTOR, AppContext, error, warn
from scripts.output import render_json
from scripts.runtime import close_all, select, utc_now
from scripts.trading import (
    Decision,
    arbitrage_config,
    build_trading_venues,
    check_live_ready,
    cycle_exit_code,
    cycle_json,
    decide,
    describe_decision,
    execution_policy,
    journal_failed,
    open_journal,
    orchestrators,
    rate_estimator,
    trading_symbols,
    with_venue_fees,
)


def run_execute(
    app: AppContext,
    *,
    dry_run: bool,
    symbol_names: Sequence[str] | None,
    venue_names: Sequence[str] | None,
    fmt: str | None,
    basis: str | None = None,
    store_path: str | None = None,
) -> int:
    config = app.config()
    strategy = arbitrage_config(config)
    symbols = trading_symbols(config, symbol_names)
    estimator = rate_estimator(config, basis, store_path, record=False)
    journal_path = None
    if not dry_run:
        journal_path = check_live_ready(config, select(config, venue_names), app)
    venues = build_trading_venues(app, venue_names)

    failures: list[JournalUnavailable] = []
    busy = config.journal_busy_timeout.total_seconds()

    async def work() -> list[CycleReport | Decision]:
        results: list[CycleReport | Decision] = []
        async with AsyncExitStack() as stack:
            try:
                journal = await open_journal(journal_path, stack, busy)
                costed = await with_venue_fees(strategy, config, venues)
                for orchestrator in orchestrators(
                    venues,
                    symbols,
                    costed,
                    journal,
                    execution_policy(config),
                    rate_estimator=estimator,
                ):
                    if dry_run:
                        inputs = await orchestrator.gather_inputs()
                        results.append(decide(orchestrator, inputs))
                    else:
                        results.append(await orchestrator.run_strategy_cycle())
            except* JournalUnavailable as group:  # what was done so far is still reported
                failures.extend(e for e in group.exceptions if isinstance(e, JournalUnavailable))
            finally:
                await close_all(venues)
        return results

    cycles = anyio.run(work)
    if fmt == "json":
        payload = {
            "as_of": utc_now(),
            "dry_run": dry_run,
            "cycles": [cycle_json(c) for c in cycles],
        }
        click.echo(REDACTOR.scrub(render_json(payload)), nl=False)
    else:
        for cycle in cycles:
            text = describe_decision(cycle) if isinstance(cycle, Decision) else cycle.describe()
            click.echo(REDACTOR.scrub(text))
    for cycle in cycles:
        for venue, why in sorted(cycle.excluded.items()):
            warn(f"{venue} excluded: {why}", venue=venue, event="venue_excluded")
    alarms = AlarmLog()
    for cycle in cycles:
        if isinstance(cycle, CycleReport):
            alarms.emit(cycle_alarms(cycle))
    for failure in failures:
        journal_failed(failure)
    venue_count = len(venues)
    for cycle in cycles:
        rate_failures = [v for v, why in cycle.excluded.items() if "rates:" in why]
        if venue_count and len(rate_failures) == venue_count:
            error("no venue gave funding rates", event="nothing_usable")
            return exitcodes.NOTHING_USABLE
    if failures or alarms.raised:
        return exitcodes.NOTHING_USABLE
    return cycle_exit_code(cycles)
