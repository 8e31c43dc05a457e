"""``watch`` alerts through ``[alerts]`` (the same settings and alerter as ``scan
--alert-above`` and ``run``), delivered to a local webhook receiver: a spread above the
threshold, once per cool-down (also across processes); a venue down longer than
``venue_down_after``; the channel's secret in no output; a failing channel never stops
watch. The down-too-long rule is checked on a fake clock (order of events, no waiting)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from adapters.notify import AppriseNotifier
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.alerting import Alerter
from scripts.alerts_config import AlertSettings
from scripts.cli import cli
from scripts.watch_alerts import WatchAlerts
from scripts.watch_session import VenueChanged, VenueStatus
from tests.cli.test_alerts import SECRET, _url, webhook
from tests.cli.test_watch_command import CONFIG

ALERTS = """
[alerts]
url_env = "AFP_TEST_ALERT_URL"
cooldown = "1h"
venue_down_after = "0.01s"

[venues.z]
kind = "tests.cli.external_venue:down"
"""


def test_watch_alerts_a_spread_once_per_cooldown_and_a_venue_down(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated / "watch.toml"
    config.write_text(CONFIG + ALERTS)
    args = ["--config", str(config), "-vv", "watch", "--format", "jsonl", "--duration", "0.5"]
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        first = runner.invoke(cli, [*args, "--alert-above", "100%"])
        second = runner.invoke(cli, [*args, "--alert-above", "100%"])
    assert first.exit_code == second.exit_code == 0, first.output
    titles = [r["title"] for r in received]
    # BTC: long paper-a (10.95 %), short paper-b (438 %): nets far above 100 % a year
    spreads = [t for t in titles if t.startswith("BTC funding spread")]
    assert len(spreads) == 1  # the second watch: held back by the cool-down (on disk)
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    best = [x for x in lines if x["type"] == "spreads"][-1]["opportunities"][0]
    assert best["symbol"] == "BTC" and float(best["net_apr"]) > 1
    down = [r for r in received if "down for" in r["title"]]
    assert [r["title"].split(" ")[0] for r in down] == ["z"]  # its market list failed
    assert "venue is down" in down[0]["message"]
    for result in (first, second):
        assert SECRET not in result.stdout and SECRET not in result.stderr


def test_watch_with_a_failing_channel_keeps_watching(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated / "watch.toml"
    config.write_text(CONFIG + ALERTS)
    with webhook(status=500) as (port, refused):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        done = runner.invoke(
            cli,
            [
                *("--config", str(config), "watch", "--format", "jsonl"),
                *("--duration", "0.5", "--alert-above", "100%"),
            ],
        )
    assert done.exit_code == 0, done.output
    assert refused  # it was tried
    assert "alert not delivered (spread)" in done.stderr
    assert any(json.loads(line)["type"] == "spreads" for line in done.stdout.splitlines())
    assert SECRET not in done.stderr


def test_alert_above_without_an_alerts_section_is_a_usage_error(
    runner: CliRunner, isolated: Path
) -> None:
    config = isolated / "watch.toml"
    config.write_text(CONFIG)
    done = runner.invoke(cli, ["--config", str(config), "watch", "--alert-above", "10%"])
    assert done.exit_code == 2
    assert "--alert-above needs an [alerts] section" in done.stderr


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_a_stream_down_longer_than_the_limit_alerts_once_and_recovery_resets_it(
    tmp_path: Path,
) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    clock = _Clock(t0)
    settings = AlertSettings(
        url_env="X", cooldown=timedelta(minutes=30), venue_down_after=timedelta(minutes=5)
    )

    def status(state: str) -> VenueChanged:
        detail = "ConnectionClosed: handshake failed" if state == "down" else None
        return VenueChanged(
            clock(), VenueStatus(ExchangeIdentifier("grvt"), "grvt", state, detail=detail)
        )

    with webhook() as (port, received):
        alerter = Alerter(settings, AppriseNotifier([_url(port)]), tmp_path / "state.json")
        alerts = WatchAlerts(alerter, None, clock)
        alerts.on_change(status("live"))
        alerts.on_change(status("down"))
        clock.at = t0 + timedelta(minutes=4)
        anyio.run(alerts.flush)
        assert received == []  # down 4 min: not yet
        clock.at = t0 + timedelta(minutes=6)
        anyio.run(alerts.flush)
        clock.at = t0 + timedelta(minutes=7)
        anyio.run(alerts.flush)  # still down: within the cool-down, not again
        assert [r["title"] for r in received] == ["grvt stream down for 6 min"]
        assert "handshake failed" in received[0]["message"]
        alerts.on_change(status("live"))  # back: the clock of "down" starts afresh
        alerts.on_change(status("reconnecting"))
        clock.at = t0 + timedelta(minutes=10)
        anyio.run(alerts.flush)
    assert len(received) == 1
    assert alerts.down_since == {"grvt stream": t0 + timedelta(minutes=7)}
