"""The work behind ``run`` (imported only when it runs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AsyncExitStack

import anyio
import click

from atomic_fp.orchestration import CycleReport, RunSummary, SimpleStrategyRunner
from scripts import exitcodes
from scripts.config import ConfigError, parse_duration
from scripts.context import REDACTOR, AppContext, fail, warn
from scripts.output import render_json
from scripts.runtime import close_all, select
from scripts.trading import (
    arbitrage_config,
    build_trading_venues,
    check_live_ready,
    cycle_json,
    execution_policy,
    open_journal,
    orchestrators,
    rate_estimator,
    trading_symbols,
)


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
    journal_path = check_live_ready(config, select(config, venue_names), app)
    venues = build_trading_venues(app, venue_names)
    unclean: list[CycleReport] = []

    def on_cycle(report: CycleReport) -> None:
        if report.execution is not None and not report.execution.hedged:
            unclean.append(report)
        if json_lines:
            line = json.dumps(json.loads(render_json(cycle_json(report))))
            click.echo(REDACTOR.scrub(line))
        else:
            click.echo(REDACTOR.scrub(report.describe()))

    async def work() -> RunSummary:
        async with AsyncExitStack() as stack:
            try:
                journal = await open_journal(journal_path, stack)
                runner = SimpleStrategyRunner(
                    orchestrators(
                        venues,
                        symbols,
                        strategy,
                        journal,
                        execution_policy(config),
                        rate_estimator=estimator,
                    ),
                    every,
                    max_cycles=max_cycles,
                    on_cycle=on_cycle,
                )
                return await runner.run()
            finally:
                await close_all(venues)

    summary = anyio.run(work)
    warn(f"stopped after {summary.cycles} cycles: {summary.stop_reason}", event="stopped")
    if any(r.execution is not None and not r.execution.status.is_clean for r in unclean):
        return exitcodes.NOTHING_USABLE
    return exitcodes.OK
