"""Alerts through apprise, delivered to a local webhook receiver (``json://127.0.0.1``):
spread (``scan``), venue down (``run``), residual/unresolved orders; the cool-down holds
repeats back across processes; a failing channel never stops anything; the channel's
secret never reaches a log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from adapters.notify import AppriseNotifier
from atomic_fp.decisions.alerts import AlertKind, execution_alert, near_liquidation_alerts
from atomic_fp.models.identifiers import Symbol
from atomic_fp.orchestration import CycleReport
from scripts.alerting import Alerter, CycleAlerts
from scripts.alerts_config import AlertSettings
from scripts.cli import cli
from tests.cli.test_trading_commands import _config
from tests.core.builders import position

SECRET = "s3cr3t-T0ken-x9"


@contextmanager
def webhook(status: int = 200) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append(json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


def _url(port: int) -> str:
    return f"json://alerts:{SECRET}@127.0.0.1:{port}/hook"


ALERTS = """
[alerts]
url_env = "AFP_TEST_ALERT_URL"
cooldown = "1h"
venue_down_after = "0.01s"
"""


def test_scan_spread_alert_is_delivered_once_per_cooldown(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "atomic-fp.toml").write_text(ALERTS)
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        args = ["-vv", "--log-json", "scan", "--offline", "--alert-above", "0.5%"]
        first = runner.invoke(cli, args)
        second = runner.invoke(cli, args)
    assert first.exit_code == second.exit_code == 3  # the cron exit code is unchanged
    titles = [r["title"] for r in received]
    # one alert per pair above 0.5 %, with scan's own net APR (the bundled snapshot's BTC
    # row: long binance, short hyperliquid)
    scanned = json.loads(runner.invoke(cli, ["scan", "--offline", "--format", "json"]).stdout)
    btc = next(o for o in scanned["opportunities"] if o["symbol"] == "BTC")
    net = (Decimal(btc["net_apr"]) * 100).quantize(Decimal("0.01"))
    assert f"BTC funding spread {net}% net" in titles
    above = [o for o in scanned["opportunities"] if Decimal(o["net_apr"]) > Decimal("0.005")]
    assert len(titles) == len(above)
    assert len(received) == len(set(titles))  # the second run: all held back (cool-down)
    assert len(received) >= 1
    for result in (first, second):
        assert SECRET not in result.output and SECRET not in result.stderr


def test_run_alerts_a_venue_down_and_a_failing_channel_never_stops_it(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(isolated, extra=ALERTS + '\n[venues.z]\nkind = "tests.cli.external_venue:down"')
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        args = ["-vv", "run", "--yes", "--max-cycles", "3", "--interval", "0.05s"]
        result = runner.invoke(cli, [*args, "--json-lines"])
    assert result.exit_code == 0, result.output
    down = [r for r in received if "down for" in r["title"]]
    assert [r["title"].split(" ")[0] for r in down] == ["z"]  # once: the cool-down holds
    assert "venue is down" in down[0]["message"]
    assert SECRET not in result.stderr and SECRET not in result.stdout

    # the same run with a channel that refuses everything: cycles go on, a warning says so
    (isolated / "journal.sqlite").unlink()
    (isolated / "alerts-cache").mkdir()
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(isolated / "alerts-cache"))
    with webhook(status=500) as (port, refused):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        failing = runner.invoke(cli, [*args, "--json-lines"])
    assert failing.exit_code == 0, failing.output
    assert len(failing.stdout.splitlines()) == 3  # every cycle ran
    assert refused and "alert not delivered (venue_down)" in failing.stderr
    assert SECRET not in failing.stderr


def test_residual_and_unresolved_alerts_reach_the_webhook(tmp_path: Path) -> None:
    residual = execution_alert("BTC", "residual", Decimal("0.004"), (), "unwind failed")
    unresolved = execution_alert("ETH", "unresolved", Decimal(0), ("afp-1",), "")
    assert residual is not None and residual.kind is AlertKind.RESIDUAL
    assert unresolved is not None and unresolved.kind is AlertKind.UNRESOLVED
    assert execution_alert("BTC", "complete", Decimal(0), (), "") is None
    settings = AlertSettings(url_env="X", cooldown=timedelta(minutes=30))
    with webhook() as (port, received):
        alerter = Alerter(settings, AppriseNotifier([_url(port)]), tmp_path / "state.json")
        sent = anyio.run(alerter.deliver, [residual, unresolved])
        again = anyio.run(alerter.deliver, [residual])
    assert [a.kind for a in sent] == [AlertKind.RESIDUAL, AlertKind.UNRESOLVED]
    assert again == []  # within the cool-down
    assert [r["title"] for r in received] == [
        "BTC: unhedged residual 0.004",
        "ETH: order(s) of unknown fate",
    ]
    assert "afp-1" in received[1]["message"]


def test_cooldown_expires_and_the_alert_goes_out_again(tmp_path: Path) -> None:
    alert = execution_alert("BTC", "residual", Decimal("1"), (), "")
    assert alert is not None
    moments = iter(
        [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=m) for m in (0, 29, 31)]
    )
    settings = AlertSettings(url_env="X", cooldown=timedelta(minutes=30))
    with webhook() as (port, received):
        alerter = Alerter(
            settings,
            AppriseNotifier([_url(port)]),
            tmp_path / "s.json",
            clock=lambda: next(moments),
        )
        for _ in range(3):
            anyio.run(alerter.deliver, [alert])
    assert len(received) == 2  # at 0 and 31 minutes, not at 29


def test_venue_down_needs_the_limit_and_clears_when_the_venue_answers() -> None:
    rules = CycleAlerts(AlertSettings(url_env="X", venue_down_after=timedelta(minutes=5)))
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def cycle(minutes: int, excluded: dict[str, str]) -> list[str]:
        report = CycleReport(
            Symbol("BTC"), start + timedelta(minutes=minutes), "none", excluded=excluded
        )
        return [a.title for a in rules.on_cycle(report)]

    assert cycle(0, {"grvt": "timeout"}) == []
    assert cycle(4, {"grvt": "timeout"}) == []
    assert cycle(6, {"grvt": "timeout"}) == ["grvt (BTC) down for 6 min"]
    assert cycle(7, {}) == []  # answered: the clock starts again
    assert cycle(8, {"grvt": "timeout"}) == []


def test_near_liquidation_hook_needs_margin_data() -> None:
    near = position("binance", "1", mark="100", liquidation="95")  # 5 % away
    far = position("hyperliquid", "-1", mark="100", liquidation="150")
    unknown = position("grvt", "1", mark="100")  # no liquidation price reported
    alerts = near_liquidation_alerts([near, far, unknown], Decimal("0.10"))
    assert [a.key for a in alerts] == ["liquidation:binance:BTC"]
    assert "5.00% from liquidation" in alerts[0].title


def test_missing_url_variable_is_a_configuration_error(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "atomic-fp.toml").write_text(ALERTS)
    monkeypatch.delenv("AFP_TEST_ALERT_URL", raising=False)
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 2
    assert "AFP_TEST_ALERT_URL is not set" in result.output
    (isolated / "atomic-fp.toml").write_text(ALERTS.replace("1h", "soon"))
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 2 and "alerts.cooldown" in result.output
