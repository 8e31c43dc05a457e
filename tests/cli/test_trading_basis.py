"""``execute`` and ``run`` under ``[strategy] basis`` / ``--basis``: the decisions see the
estimator's rates from the local funding store; ``run`` keeps the store current.

The paper venues of ``test_trading_commands``: "a" 0.0001 per 8 h (10.95 % APR), "b"
0.0005 per hour (438 % APR) now. The store says "b" settled only 0.00001 per hour over the
last day (8.76 % APR): on its 24 h average the spread is negative and nothing opens.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from adapters.store import FundingStore
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.cli import cli
from tests.cli.test_trading_commands import _config


def _history(path: Path, end: datetime) -> None:
    rows = []
    for hour in range(30):
        at = end - timedelta(hours=hour)
        for venue, rate, hours in (("paper-a", "0.0001", 8), ("paper-b", "0.00001", 1)):
            if venue == "paper-a" and hour % 8:
                continue
            rows.append(
                FundingRate(
                    exchange=ExchangeIdentifier(venue),
                    symbol=Symbol("BTC"),
                    rate=Decimal(rate),
                    interval=timedelta(hours=hours),
                    kind=FundingKind.SETTLED,
                    observed_at=at,
                    funding_time=at,
                )
            )
    with FundingStore(path) as store:
        store.record_settled(rows)


def _dry(runner: CliRunner, *args: str, code: int = 0) -> dict[str, object]:
    result = runner.invoke(cli, ["execute", "--dry-run", "--format", "json", *args])
    assert result.exit_code == code, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    assert isinstance(cycle, dict)
    return cycle


def test_execute_decides_on_the_store_average(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    # the settlements end a minute before the test runs: "now" is the paper venues' clock
    _history(
        isolated / "atomic-fp-funding.sqlite", datetime.now(timezone.utc) - timedelta(minutes=1)
    )
    assert _dry(runner)["action"] == "funding"  # current: 427 % spread
    averaged = _dry(runner, "--basis", "avg24h")
    assert averaged["action"] == "none" and averaged["signal"] is None
    assert averaged["excluded"] == {}  # both averages were there: the spread is too small
    # paper-b's 24 h average (0.00001 / h = 8.76 % APR) is what the decision saw
    reasons = averaged["no_trade"]
    assert isinstance(reasons, list)
    assert any("paper-b at 8.76% APR" in why for why in reasons)


def test_no_history_leaves_every_venue_out_with_the_reason(
    runner: CliRunner, isolated: Path
) -> None:
    _config(isolated, extra='[store]\npath = "nowhere/f.sqlite"')
    cycle = _dry(runner, "--basis", "avg7d", code=1)  # nothing usable, as with no rates
    assert cycle["action"] == "none"
    excluded = cycle["excluded"]
    assert isinstance(excluded, dict)
    assert set(excluded) == {"paper-a", "paper-b"}
    assert all("avg7d of BTC: no settled rate in the last 7 d" in why for why in excluded.values())
    assert not (isolated / "nowhere").exists()  # execute only reads the store


def test_config_basis_drives_execute(runner: CliRunner, isolated: Path) -> None:
    path = _config(isolated)
    path.write_text(
        path.read_text().replace('symbols = ["BTC"]', 'symbols = ["BTC"]\nbasis = "avg24h"')
    )
    _history(
        isolated / "atomic-fp-funding.sqlite", datetime.now(timezone.utc) - timedelta(minutes=1)
    )
    assert _dry(runner)["action"] == "none"
    assert _dry(runner, "--basis", "current")["action"] == "funding"


def test_run_records_each_cycle_in_the_store(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(
        cli,
        ["run", "--yes", "--max-cycles", "1", "--interval", "0.01s", "--store", "s.sqlite"],
    )
    assert result.exit_code == 0, result.output
    with FundingStore(isolated / "s.sqlite") as store:
        counts = store.counts()
    assert counts[("paper-a", "observed")][0] == 1
    assert counts[("paper-b", "observed")][0] == 1
