"""Running ``watch``: build the venues, run the session, show changes, stop on a signal.

SIGINT and SIGTERM end the session cleanly (streams closed, clients closed, exit 0);
``--duration`` ends it after that many seconds (for scripts and demos).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import anyio
import click

from atomic_fp.decisions.types import Opportunity
from scripts.context import AppContext, app_context, fail, warn
from scripts.environment_settings import refuse_a_broken_environment
from scripts.fees import quote_all, resolve_all
from scripts.runtime import build_live, close_all, select, utc_now
from scripts.watch_alerts import WatchAlerts
from scripts.watch_render import change_json, live_view
from scripts.watch_session import (
    GapReported,
    SpreadsChanged,
    WatchChange,
    WatchSession,
)


class _JsonLines:
    def __init__(self, limit: int | None) -> None:
        self._limit = limit

    def on_change(self, change: WatchChange) -> None:
        from scripts.context import REDACTOR
        from scripts.json_contract import versioned
        from scripts.json_lines import json_line

        payload = versioned("watch", change_json(change, self._limit))
        line = json_line(payload)
        sys.stdout.write(REDACTOR.scrub(line) + "\n")
        sys.stdout.flush()


class _LiveTable:
    """Keeps what the view needs; the refresh task redraws on change (and every second,
    so ages move)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.opportunities: tuple[Opportunity, ...] = ()
        self.gaps: list[str] = []
        self.updated: datetime | None = None
        self.changed = anyio.Event()

    def on_change(self, change: WatchChange) -> None:
        if isinstance(change, SpreadsChanged):
            self.opportunities = change.opportunities
            self.updated = change.at
        elif isinstance(change, GapReported):
            self.gaps.append(change.gap.describe())
        self.changed.set()

    async def refresh(self, session: WatchSession) -> None:
        from rich.console import Console
        from rich.live import Live

        def view() -> object:
            shown = self.opportunities[: self.limit] if self.limit else self.opportunities
            return live_view(
                shown, list(session.statuses.values()), self.gaps, utc_now(), self.updated
            )

        terminal = sys.stdout.isatty()
        # a terminal: a full-screen view redrawn in place (like top), the last state printed
        # on exit; piped or captured: wide enough for every column, redrawn below
        console = Console() if terminal else Console(width=160)
        try:
            with Live(
                view(),  # type: ignore[arg-type]
                console=console,
                auto_refresh=False,
                screen=terminal,
                transient=terminal,
            ) as live:
                while True:
                    with anyio.move_on_after(1):
                        await self.changed.wait()
                    self.changed = anyio.Event()
                    live.update(view(), refresh=True)  # type: ignore[arg-type]
        finally:
            if terminal:
                console.print(view())


def _watch_alerts(app: AppContext, alert_above: Decimal | None) -> WatchAlerts | None:
    """``watch``'s alerts with ``[alerts]`` (``--alert-above`` without it: a usage error,
    as there is nowhere to send them)."""
    if app.config().alerts is None:
        if alert_above is not None:
            fail("--alert-above needs an [alerts] section (where to send them)")
        return None
    from scripts.alerting import build_alerter

    alerter = build_alerter(app)
    if alerter is None:
        return None
    threshold = alert_above if alert_above is not None else alerter.settings.spread_above
    return WatchAlerts(alerter, threshold, utc_now)


async def _stop_on_signal(scope: anyio.CancelScope, stopped: list[str]) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            stopped.append(signal.Signals(signum).name)
            scope.cancel()
            return


def run_watch(
    ctx: click.Context,
    *,
    venue_names: Sequence[str] | None,
    symbol_names: Sequence[str] | None,
    all_pairs: bool,
    min_apr: Decimal | None,
    fmt: str,
    limit: int | None,
    duration: float | None,
    rest_interval: float,
    alert_above: Decimal | None = None,
) -> None:
    from atomic_fp.models import Symbol

    app = app_context(ctx)
    config = app.config()
    try:
        symbols = frozenset(Symbol.parse(n) for n in symbol_names) if symbol_names else None
    except ValueError as error:
        fail(f"--symbols: {error}")
    chosen = select(config, venue_names)
    alerts = _watch_alerts(app, alert_above)  # a broken [alerts] exits 2 before connecting
    venues = build_live(chosen, app.environ, with_credentials=False)
    refuse_a_broken_environment(venues)  # exit 2, not a watch of venues that cannot connect
    output = _JsonLines(limit) if fmt == "jsonl" else _LiveTable(limit)

    def emit(change: WatchChange) -> None:
        output.on_change(change)
        if alerts is not None:
            alerts.on_change(change)

    session = WatchSession(
        venues=venues,
        strategy=config.strategy.arbitrage_config(config.fees()),
        emit=emit,
        clock=utc_now,
        symbols=symbols,
        all_pairs=all_pairs,
        min_apr=min_apr,
        rest_interval=rest_interval,
        ws_urls={str(v.id): v.ws_url for v in chosen},
    )
    stopped: list[str] = []

    async def main() -> None:
        try:
            # the fees scan uses: config, else the venue's quote, else its published tier
            fees = resolve_all(config, venues, await quote_all(venues))
            session.strategy = config.strategy.arbitrage_config(
                {name: quote.fees for name, quote in fees.items()}
            )
            async with anyio.create_task_group() as group:
                group.start_soon(_stop_on_signal, group.cancel_scope, stopped)
                group.start_soon(session.run)
                if alerts is not None:
                    group.start_soon(alerts.run)
                if isinstance(output, _LiveTable):
                    group.start_soon(output.refresh, session)
                if duration is not None:
                    await anyio.sleep(duration)
                    stopped.append(f"--duration {duration:g}s")
                    group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await close_all(venues)

    anyio.run(main)
    for status in session.statuses.values():
        if status.state == "failed":
            warn(f"venue {status.venue} left out: {status.detail}", venue=str(status.venue))
    warn(f"watch stopped ({stopped[0] if stopped else 'done'})", event="watch_stopped")
