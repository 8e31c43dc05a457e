"""``watch``'s alerts, through the same ``[alerts]`` settings and :class:`Alerter` as
``scan --alert-above`` and ``run``: a spread netting more than the threshold
(``--alert-above``, else ``[alerts] spread_above``), and a venue whose stream has been
down (reconnecting, down, or no market list) for longer than ``venue_down_after``.

Changes are noted as they come (no I/O in ``on_change``); :meth:`WatchAlerts.run` offers
what is due whenever something changed and every ``check_every`` seconds (a venue that
stays down must alert without any further change), and once more when watch stops. An
alert offered within the cool-down is not offered again (the alerter's own cool-down,
kept on disk, also holds it back across processes). A failing channel is the alerter's
warning, never the end of watch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import anyio
import attrs

from atomic_fp.decisions.alerts import Alert, admit, spread_alerts, venue_down_alerts
from scripts.alerting import Alerter
from scripts.watch_session import SpreadsChanged, VenueChanged, WatchChange

DOWN_STATES = frozenset({"reconnecting", "down", "failed"})
"""Venue states that count as down (``rest-only`` is a venue without a stream, not down)."""


@attrs.define
class WatchAlerts:
    alerter: Alerter
    spread_above: Decimal | None
    clock: Callable[[], datetime]
    check_every: float = 5.0
    down_since: dict[str, datetime] = attrs.field(factory=dict)
    reasons: dict[str, str] = attrs.field(factory=dict)
    pending: list[Alert] = attrs.field(factory=list)
    offered: dict[str, datetime] = attrs.field(factory=dict)
    _changed: anyio.Event = attrs.field(factory=anyio.Event)

    def on_change(self, change: WatchChange) -> None:
        if isinstance(change, SpreadsChanged) and self.spread_above is not None:
            self.pending += spread_alerts(change.opportunities, self.spread_above)
        elif isinstance(change, VenueChanged):
            key = f"{change.status.venue} stream"
            if change.status.state in DOWN_STATES:
                self.down_since.setdefault(key, change.at)
                self.reasons[key] = change.status.detail or change.status.state
            else:
                self.down_since.pop(key, None)
                self.reasons.pop(key, None)
        self._changed.set()

    def due(self, now: datetime) -> list[Alert]:
        """What to offer now: pending spreads and venues down too long, less what was
        offered within the cool-down."""
        candidates = self.pending + venue_down_alerts(
            self.down_since, self.reasons, now, self.alerter.settings.venue_down_after
        )
        self.pending = []
        due: list[Alert] = []
        for alert in candidates:
            if admit(alert, self.offered, now, self.alerter.settings.cooldown):
                self.offered[alert.key] = now
                due.append(alert)
        return due

    async def flush(self) -> None:
        alerts = self.due(self.clock())
        if alerts:
            await self.alerter.deliver(alerts)

    async def run(self) -> None:
        try:
            while True:
                with anyio.move_on_after(self.check_every):
                    await self._changed.wait()
                self._changed = anyio.Event()
                await self.flush()
        finally:
            with anyio.move_on_after(30, shield=True):
                await self.flush()  # watch is stopping: what is due still goes out
