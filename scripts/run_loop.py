"""The work behind ``run`` (imported only when it runs)."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from contextlib import AsyncExitStack

import anyio
import click

from adapters.journal import SqliteJournal
from atomic_fp.decisions.alerts import Alert
from atomic_fp.orchestration import (
    CycleReport,
    JournalUnavailable,
    ReconciliationReport,
    RunSummary,
    SimpleStrategyRunner,
)
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from scripts import exitcodes
from scripts.account_streams import account_stream_tasks
from scripts.alarms import AlarmLog, cycle_alarms
from scripts.alerting import CycleAlerts, build_alerter
from scripts.config import ConfigError, parse_duration
from scripts.context import REDACTOR, AppContext, fail, warn
from scripts.funding_journal import funding_recorder, record_logged
from scripts.json_contract import versioned
from scripts.json_lines import json_line
from scripts.margin_alerts import cycle_margin_alerts
from scripts.run_streams import market_streams
from scripts.runtime import close_all, select, utc_now
from scripts.trading import (
    arbitrage_config,
    build_trading_venues,
    check_live_ready,
    cycle_json,
    execution_policy,
    journal_failed,
    open_journal,
    orchestrators,
    rate_estimator,
    trading_symbols,
    with_venue_fees,
)

log = logging.getLogger("scripts.run")

STREAM_START_LIMIT = 10.0
"""Seconds the first cycle waits for the market streams' first pushes (REST after that)."""


def run_loop(
    app: AppContext,
    *,
    symbol_names: Sequence[str] | None,
    venue_names: Sequence[str] | None,
    interval: str | None,
    max_cycles: int | None,
    json_lines: bool,
    basis: str | None = None,
    store_path: str | None = None,
    streams: bool = True,
) -> int:
    config = app.config()
    strategy = arbitrage_config(config)
    symbols = trading_symbols(config, symbol_names)
    estimator = rate_estimator(config, basis, store_path, record=True)
    every = config.strategy.interval
    if interval:
        try:
            every = parse_duration(interval, "--interval", "value")
        except ConfigError as error:
            fail(str(error))
    chosen = select(config, venue_names)
    journal_path = check_live_ready(config, chosen, app)
    alerter = build_alerter(app)  # None without [alerts]; a broken section exits 2 here
    cycle_alerts = CycleAlerts(alerter.settings) if alerter is not None else None
    venues = build_trading_venues(app, venue_names)
    kinds = {v.id: v.kind for v in venues}
    unclean: list[CycleReport] = []
    alarms = AlarmLog()
    failures: list[JournalUnavailable] = []
    outbox, inbox = anyio.create_memory_object_stream[list[Alert]](math.inf)

    def on_cycle(report: CycleReport) -> None:
        if report.execution is not None and not report.execution.hedged:
            unclean.append(report)
        alarms.emit(cycle_alarms(report))
        if json_lines:
            line = json_line(versioned("run", cycle_json(report)))
            click.echo(REDACTOR.scrub(line))
        else:
            click.echo(REDACTOR.scrub(report.describe()))
        if cycle_alerts is not None and alerter is not None:
            alerts = cycle_alerts.on_cycle(report) + cycle_margin_alerts(
                report, alerter.settings, strategy.liquidation_buffer, kinds
            )
            if alerts:
                outbox.send_nowait(alerts)

    async def send_alerts() -> None:
        # a channel that fails is logged by the alerter and never reaches the cycles
        async with inbox:
            async for alerts in inbox:
                if alerter is not None:
                    await alerter.deliver(alerts)

    def on_reconciliation(reconciliation: ReconciliationReport) -> None:
        """The start-up reconciliation is loud too (a recovered signal's residual is only
        seen here), at once rather than after the loop."""
        start = CycleReport(
            symbol=reconciliation.symbol,
            at=reconciliation.at,
            action="none",
            reconciliation=reconciliation,
        )
        alarms.emit(cycle_alarms(start))

    async def work() -> RunSummary | None:
        async with AsyncExitStack() as stack:
            try:
                journal = await open_journal(
                    journal_path, stack, config.journal_busy_timeout.total_seconds()
                )
                costed = await with_venue_fees(strategy, config, venues)
                live = (
                    await market_streams(
                        venues,
                        {str(v.id): v.ws_url for v in chosen},
                        symbols,
                        costed.max_data_age,
                        utc_now,
                    )
                    if streams
                    else None
                )
                built = orchestrators(
                    venues,
                    symbols,
                    costed,
                    journal,
                    execution_policy(config),
                    rate_estimator=estimator,
                    rate_source=live,
                )
                book = OrderUpdateBook()
                for orchestrator in built:
                    orchestrator.order_updates = book  # fills pushed settle ambiguous legs
                runner = SimpleStrategyRunner(
                    built,
                    every,
                    max_cycles=max_cycles,
                    on_cycle=on_cycle,
                    on_reconciliation=on_reconciliation,
                )
                summary: RunSummary | None = None
                async with anyio.create_task_group() as background:
                    if live is not None:
                        await background.start(live.run)  # pushed rates; REST meanwhile
                        await live.wait_settled(STREAM_START_LIMIT)
                    for what, task in account_stream_tasks(chosen, app.environ, book):
                        log.info("account stream: %s", what)
                        background.start_soon(task)
                    if isinstance(journal, SqliteJournal):  # the legs' funding payments
                        await record_logged(journal, venues, symbols, utc_now())
                        background.start_soon(
                            funding_recorder, journal, venues, symbols, every, utc_now
                        )
                    async with anyio.create_task_group() as group:
                        group.start_soon(send_alerts)
                        try:
                            summary = await runner.run()
                        finally:
                            outbox.close()  # the sender drains what is queued, then ends
                    background.cancel_scope.cancel()
                return summary
            except* JournalUnavailable as group:
                failures.extend(e for e in group.exceptions if isinstance(e, JournalUnavailable))
            finally:
                await close_all(venues)
        return None

    summary = anyio.run(work)
    for failure in failures:
        journal_failed(failure)
    if summary is not None:
        warn(f"stopped after {summary.cycles} cycles: {summary.stop_reason}", event="stopped")
    if failures or alarms.raised:
        return exitcodes.NOTHING_USABLE
    if any(r.execution is not None and not r.execution.status.is_clean for r in unclean):
        return exitcodes.NOTHING_USABLE
    return exitcodes.OK
