"""Alerts for ``scan``, ``run`` and ``watch``: the ``[alerts]`` settings, the apprise
channel, and the cool-down memory kept on disk between runs (cron starts a new process
every few minutes; a spread that stays open must not alert every time).

A failing channel is logged as a warning and never stops the command; the channel URL (a
secret) is registered with the log redactor before anything can print it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import attrs
from returns.result import Failure

from adapters.notify import AppriseNotifier
from atomic_fp.decisions.alerts import Alert, admit, execution_alert, venue_down_alerts
from atomic_fp.orchestration import CycleReport
from scripts.alerts_config import AlertSettings
from scripts.context import REDACTOR, AppContext, fail, warn
from scripts.runtime import cache_dir, utc_now

log = logging.getLogger("scripts.alerts")

STATE_FILE = "alerts-sent.json"


def _secret_parts(url: str) -> list[str]:
    """The URL, its password, and each token-like piece of it (12+ characters: bot
    tokens, webhook keys), so a log that prints part of it still shows ``***``. Short
    pieces (a user name, a host) are left alone: redacting them would garble messages."""
    parts = [url, url.split("://", 1)[-1]]
    try:
        split = urlsplit(url)
        if split.password:
            parts.append(split.password)
    except ValueError:
        pass
    parts += [p for p in re.split(r"[/:@?&=,]", url.split("://", 1)[-1]) if len(p) >= 12]
    return [p for p in parts if len(p) >= 6]


@attrs.define
class Alerter:
    settings: AlertSettings
    notifier: AppriseNotifier
    state_path: Path | None
    clock: Callable[[], datetime] = utc_now
    sent: list[Alert] = attrs.field(factory=list)
    failures: int = 0

    def _load(self) -> dict[str, datetime]:
        if self.state_path is None or not self.state_path.is_file():
            return {}
        try:
            raw = json.loads(self.state_path.read_text())
            return {str(k): datetime.fromisoformat(str(v)) for k, v in raw.items()}
        except (OSError, ValueError, AttributeError) as error:
            log.debug("alert state unreadable (%s): starting afresh", type(error).__name__)
            return {}

    def _save(self, state: Mapping[str, datetime]) -> None:
        if self.state_path is None:
            return
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.state_path.with_suffix(".tmp")
            temporary.write_text(json.dumps({k: v.isoformat() for k, v in state.items()}))
            temporary.replace(self.state_path)
        except OSError as error:
            warn(f"alert cool-down state not saved: {error.strerror}")

    async def deliver(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Send the alerts the cool-down admits; the ones that went out. Never raises."""
        state = self._load()
        now = self.clock()
        delivered: list[Alert] = []
        for alert in alerts:
            if not admit(alert, state, now, self.settings.cooldown):
                log.info("alert held back by the cool-down: %s", alert.key)
                continue
            result = await self.notifier.send(alert.title, alert.body)
            if isinstance(result, Failure):
                self.failures += 1
                warn(
                    f"alert not delivered ({alert.kind.value}): {result.failure()}",
                    event="alert_failed",
                )
                continue
            state[alert.key] = now
            delivered.append(alert)
            log.info("alert delivered: %s", alert.title)
        self._save(state)
        self.sent.extend(delivered)
        return delivered


def build_alerter(app: AppContext) -> Alerter | None:
    """The configured alerter, or ``None`` without an ``[alerts]`` section. A configured
    section whose URL variable is unset, or an invalid URL, is a configuration error."""
    settings = app.config().alerts
    if settings is None:
        return None
    raw = app.environ.get(settings.url_env, "").strip()
    if not raw:
        fail(f"[alerts] url_env: environment variable {settings.url_env} is not set")
    urls = [u for u in re.split(r"[\s,]+", raw) if u]
    for url in urls:
        REDACTOR.add(_secret_parts(url))
    notifier = AppriseNotifier(urls)
    checked = notifier.check()
    if isinstance(checked, Failure):
        fail(f"[alerts] {settings.url_env}: {checked.failure()}")
    return Alerter(settings, notifier, cache_dir(app.environ) / STATE_FILE)


@attrs.define
class CycleAlerts:
    """What ``run`` alerts on after each cycle: an execution that left a residual or an
    unresolved order, and a venue left out of a symbol's cycles for longer than
    ``venue_down_after`` (measured on the cycles' own clock)."""

    settings: AlertSettings
    down_since: dict[str, datetime] = attrs.field(factory=dict)
    reasons: dict[str, str] = attrs.field(factory=dict)

    def on_cycle(self, report: CycleReport) -> list[Alert]:
        alerts: list[Alert] = []
        execution = report.execution
        if execution is not None and not execution.status.is_clean:
            alert = execution_alert(
                report.symbol.base,
                execution.status.value,
                execution.residual_base,
                execution.unresolved,
                execution.message,
            )
            if alert is not None:
                alerts.append(alert)
        seen = {f"{venue} ({report.symbol.base})": why for venue, why in report.excluded.items()}
        for key in [k for k in self.down_since if k.endswith(f"({report.symbol.base})")]:
            if key not in seen:  # answered again
                self.down_since.pop(key)
                self.reasons.pop(key, None)
        for key, why in seen.items():
            self.down_since.setdefault(key, report.at)
            self.reasons[key] = why
        alerts += venue_down_alerts(
            self.down_since, self.reasons, report.at, self.settings.venue_down_after
        )
        return alerts
