"""Margin alerts (issue 21) delivered to a local webhook receiver (``json://127.0.0.1``):
``positions`` and ``run`` alert on a leg near liquidation, ``collateral`` and ``run`` on a
suggestion that became urgent; the cool-down holds repeats back; a failing channel changes
neither output nor exit code; the channel's secret never reaches the output.

The hedge is the one of ``test_collateral_command.py`` (computed by hand there): long 1 BTC
on long-venue with 30,000 (29.65 % from liquidation), short 1 BTC on short-venue with
10,000 (9.45 % away), mark 100,000.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from atomic_fp.decisions.alerts import (
    AlertKind,
    collateral_alerts,
    margin_liquidation_alerts,
)
from atomic_fp.decisions.collateral import plan_collateral
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol
from atomic_fp.models.margin import LiquidationSource
from scripts.cli import cli
from tests.cli.test_alerts import SECRET, _url, webhook
from tests.cli.test_collateral_command import _setup
from tests.core.builders import account, position

ALERTS = """
[alerts]
url_env = "AFP_TEST_ALERT_URL"
cooldown = "1h"
liquidation_buffer = "{alert_buffer}"
"""
NEAR = "BTC on short-venue 9.45% from liquidation"
URGENT = "BTC: move 10097.50 collateral from long-venue to short-venue (urgent)"


def _with_alerts(tmp: Path, *, buffer: str = "0.05", alert_buffer: str = "0.10") -> None:
    _setup(tmp, buffer=buffer)
    config = tmp / "atomic-fp.toml"
    config.write_text(config.read_text() + ALERTS.format(alert_buffer=alert_buffer))


def _clean(result_output: str, stderr: str) -> None:
    assert SECRET not in result_output and SECRET not in stderr


def test_positions_alerts_the_leg_near_liquidation_once_per_cooldown(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_alerts(isolated)
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        first = runner.invoke(cli, ["-vv", "positions", "--format", "json"])
        second = runner.invoke(cli, ["-vv", "positions", "--format", "json"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert json.loads(first.stdout)["hedges"]  # the output is unchanged by alerting
    assert [r["title"] for r in received] == [NEAR]  # the long (29.65 %) is not near
    body = received[0]["message"]
    assert "size -1" in body and "alert below 10.00%" in body and "price source: estimated" in body
    assert "held back by the cool-down: liquidation:short-venue:BTC" in second.stderr
    for result in (first, second):
        _clean(result.stdout, result.stderr)


def test_positions_without_a_leg_inside_the_alert_buffer_sends_nothing(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_alerts(isolated, alert_buffer="0.09")  # 9.45 % is outside a 9 % alert buffer
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        result = runner.invoke(cli, ["positions"])
    assert result.exit_code == 0, result.output
    assert received == []


def test_collateral_alerts_when_the_suggestion_is_urgent_and_keeps_exit_3(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_alerts(isolated, buffer="0.15")  # the short (9.45 %) is inside: urgent
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        first = runner.invoke(cli, ["-vv", "collateral"])
        second = runner.invoke(cli, ["-vv", "collateral", "--format", "json"])
    assert first.exit_code == second.exit_code == 3, first.output
    assert [r["title"] for r in received] == [URGENT]
    assert "URGENT" in received[0]["message"] and "never moves funds" in received[0]["message"]
    assert "held back by the cool-down: collateral:BTC:long-venue:short-venue" in second.stderr
    for result in (first, second):
        _clean(result.stdout, result.stderr)


def test_collateral_that_is_not_urgent_alerts_nothing(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_alerts(isolated, buffer="0.05")
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        result = runner.invoke(cli, ["collateral"])
    assert result.exit_code == 0, result.output
    assert received == []


def test_a_failing_channel_changes_neither_output_nor_exit_code(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(isolated, buffer="0.15")
    quiet = runner.invoke(cli, ["collateral", "--format", "json"])  # no [alerts] section
    _with_alerts(isolated, buffer="0.15")
    with webhook(status=500) as (port, refused):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        collateral = runner.invoke(cli, ["collateral", "--format", "json"])
        positions = runner.invoke(cli, ["positions"])
    assert refused  # it was tried
    assert collateral.exit_code == 3 and positions.exit_code == 0, positions.output
    assert "alert not delivered (collateral_urgent)" in collateral.stderr
    assert "alert not delivered (near_liquidation)" in positions.stderr
    assert "short-venue" in positions.stdout
    strip = ("as_of", "venues")
    assert {k: v for k, v in json.loads(collateral.stdout).items() if k not in strip} == {
        k: v for k, v in json.loads(quiet.stdout).items() if k not in strip
    }
    for result in (collateral, positions):
        _clean(result.stdout, result.stderr)


def test_run_alerts_near_liquidation_and_urgent_collateral_from_the_cycle(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_alerts(isolated, buffer="0.15")
    config = isolated / "atomic-fp.toml"
    strategy = '[strategy]\nsymbols = ["BTC"]\ntrade_size = "0.1"\nmax_position = "1"\n'
    text = config.read_text().replace("[strategy]\n", strategy)
    config.write_text(text + '\n[journal]\npath = "journal.sqlite"\n')
    with webhook() as (port, received):
        monkeypatch.setenv("AFP_TEST_ALERT_URL", _url(port))
        adopt = ["reconcile", "--accept-venue", "--yes", "--reason", "test hedge"]
        assert runner.invoke(cli, adopt).exit_code == 0  # the journal takes the hedge over
        args = ["-vv", "run", "--yes", "--max-cycles", "2", "--interval", "0.01s"]
        result = runner.invoke(cli, [*args, "--json-lines"])
    assert result.exit_code == 0, result.output
    titles = [r["title"] for r in received]
    assert titles == [NEAR, URGENT], titles  # the first cycle read them, then acted
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["action"] == "safety"  # inside the 15 % buffer: both legs closed
    assert second["action"] == "none"  # flat, thin: not re-opened (the margin gate)
    _clean(result.stdout, result.stderr)


# --- the pure rules the commands call --------------------------------------------------


def test_margin_alerts_read_venue_and_estimated_prices_and_say_which() -> None:
    near = position("binance", "1", mark="100", liquidation="95")  # the venue's price
    margins = [
        account("binance", "1000", positions=(near,)),
        account("grvt", "1000"),  # flat: nothing to alert on
    ]
    (alert,) = margin_liquidation_alerts(margins, Decimal("0.10"))
    assert alert.kind is AlertKind.NEAR_LIQUIDATION
    assert alert.key == "liquidation:binance:BTC" and "price source: venue" in alert.body
    assert margins[0].legs[0].source is LiquidationSource.VENUE
    assert margin_liquidation_alerts(margins, Decimal("0.10"), Symbol("ETH")) == []


def test_collateral_alert_only_for_an_urgent_plan() -> None:
    long_leg = position("a", "1", mark="100000")
    short_leg = position("b", "-1", mark="100000")
    margins = {
        ExchangeIdentifier("a"): account("a", "30000", maintenance="500", positions=(long_leg,)),
        ExchangeIdentifier("b"): account("b", "10000", maintenance="500", positions=(short_leg,)),
    }
    calm = plan_collateral(margins, Symbol("BTC"), min_liquidation_distance=Decimal("0.05"))
    urgent = plan_collateral(margins, Symbol("BTC"), min_liquidation_distance=Decimal("0.15"))
    assert collateral_alerts([calm.unwrap()]) == []
    (alert,) = collateral_alerts([urgent.unwrap()])
    assert alert.kind is AlertKind.COLLATERAL_URGENT
    assert alert.title == "BTC: move 10097.50 collateral from a to b (urgent)"
