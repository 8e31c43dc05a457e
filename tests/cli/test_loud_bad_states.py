"""Bad states are loud (issue 13), end to end through the CLI on paper venues: an
unresolved order, a journal/venue mismatch that blocks openings, a residual after a
recovered signal, a journal locked by another writer. Each exits 1 with one line on
stderr per state (a JSON record with ``--log-json``: venue, symbol, sizes, what to do)
and no traceback. The cron example's ``2>> errors.jsonl`` therefore gets a record."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from adapters.journal import SqliteJournal
from adapters.paper.client import create as create_paper
from adapters.registry import VenueSettings
from atomic_fp.models import Side, SignalKind, Symbol, TradeLeg, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration import LegOutcome, OrderIntent, OrderPurpose
from scripts.cli import cli

BTC = Symbol("BTC")

VENUE = """
[venues.{name}]
kind = "{kind}"
[venues.{name}.options]
symbols = "BTC"
"price.BTC" = "50000"
"funding_rate.BTC" = "{rate}"
"funding_hours.BTC" = "{hours}"
state_path = "{state}"
"""

STRATEGY = """
[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]
[journal]
path = "{journal}"
busy_timeout = "0.3s"
"""


def configure(
    directory: Path,
    *,
    kind_a: str = "paper",
    kind_b: str = "tests.cli.external_venue:create",
    journal: str = "journal.sqlite",
) -> None:
    text = VENUE.format(
        name="paper-a", kind=kind_a, rate="0.0001", hours="8", state=directory / "a.json"
    )
    text += VENUE.format(
        name="paper-b", kind=kind_b, rate="0.0005", hours="1", state=directory / "b.json"
    )
    text += STRATEGY.format(journal=journal)
    (directory / "atomic-fp.toml").write_text(text)


def records(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def no_traceback(result: Any) -> None:
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert not isinstance(result.exception, Exception | BaseExceptionGroup) or isinstance(
        result.exception, SystemExit
    ), result.exception


def test_a_mismatch_that_blocks_openings_exits_1_with_a_json_record(
    runner: CliRunner, isolated: Path
) -> None:
    configure(isolated, journal="first.sqlite")
    opened = runner.invoke(cli, ["execute", "--yes"])
    assert opened.exit_code == 0, opened.output
    assert opened.stderr == ""
    # A second journal that knows nothing of the hedge the venues hold.
    configure(isolated, journal="second.sqlite")
    result = runner.invoke(cli, ["--log-json", "execute", "--yes", "--format", "json"])
    no_traceback(result)
    assert result.exit_code == 1, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    assert cycle["execution"] is None  # nothing traded on the contradicted readings
    found = {r["venue"]: r for r in records(result.stderr) if r["event"] == "position_mismatch"}
    assert set(found) == {"paper-a", "paper-b"}
    record = found["paper-a"]
    assert record["level"] == "error" and record["symbol"] == "BTC"
    assert record["details"]["journal_base"] == "0"
    assert record["details"]["venue_base"] == "0.01"
    assert "atomic-fp reconcile --accept-venue --yes" in record["todo"]


def test_an_order_of_unknown_fate_exits_1_now_and_on_every_restart_until_resolved(
    runner: CliRunner, isolated: Path
) -> None:
    configure(isolated, kind_b="tests.cli.external_venue:lost_answers")
    first = runner.invoke(cli, ["execute", "--yes"])
    no_traceback(first)
    assert first.exit_code == 1, first.output
    (line,) = [x for x in first.stderr.splitlines() if "unresolved" in x]
    assert line.startswith("atomic-fp: error: BTC: execution of signal")
    assert "afp" in line and "trading halted" in line  # names the client order id
    # The restart meets the unresolved order at reconciliation: halted, loud, exit 1.
    again = runner.invoke(cli, ["--log-json", "execute", "--yes"])
    no_traceback(again)
    assert again.exit_code == 1, again.output
    (record,) = [r for r in records(again.stderr) if r.get("event") == "unresolved_order"]
    assert "paper-b" in record["message"] and "trading halted" in record["message"]
    assert record["venue"] == "paper-b" and record["symbol"] == "BTC"
    assert record["details"]["client_order_id"].startswith("afp")
    assert "order history" in record["todo"]


def seed_interrupted_signal(directory: Path) -> TradingSignal:
    """What a SIGKILL between the legs leaves: leg A filled on its venue and journaled,
    leg B's intent journaled (an hour ago) and never sent."""
    at = datetime.now(timezone.utc) - timedelta(hours=1)
    signal = TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(
            TradeLeg(ExchangeIdentifier("paper-a"), BTC, Side.BUY, Decimal("0.01")),
            TradeLeg(ExchangeIdentifier("paper-b"), BTC, Side.SELL, Decimal("0.01")),
        ),
        reason="interrupted hedge",
        created_at=at,
    )
    settings = VenueSettings(
        id=ExchangeIdentifier("paper-a"),
        kind="paper",
        options={"symbols": "BTC", "state_path": str(directory / "a.json")},
    )
    venue_a = create_paper(settings)
    venue_b = create_paper(
        VenueSettings(
            id=ExchangeIdentifier("paper-b"),
            kind="paper",
            options={"symbols": "BTC", "state_path": str(directory / "b.json")},
        )
    )

    async def seed() -> None:
        journal = SqliteJournal.open(directory / "journal.sqlite").unwrap()
        try:
            await journal.record_signal(signal, at)
            for index, venue in enumerate((venue_a, venue_b)):
                trader = AtomicTrader(venue, BTC)
                leg = signal.legs[index]
                request = trader.request(
                    leg.side,
                    leg.size,
                    signal.client_order_id(index, 0),
                    limit_price=Decimal(60_000) if leg.side is Side.BUY else Decimal(40_000),
                )
                await journal.record_intent(
                    OrderIntent(
                        signal.signal_id, index, 0, OrderPurpose.ENTRY, request, Decimal(1), at
                    )
                )
                if index == 0:
                    order = (await trader.place_order(request)).unwrap()
                    await journal.record_outcome(
                        request.client_order_id, LegOutcome.FILLED, order, None, at
                    )
        finally:
            await journal.close()

    anyio.run(seed)
    assert venue_a.position_size(BTC) == Decimal("0.01")
    return signal


def test_a_recovered_signal_with_a_residual_exits_1_naming_it(
    runner: CliRunner, isolated: Path
) -> None:
    signal = seed_interrupted_signal(isolated)
    # On restart b refuses the retried leg and a refuses the unwind: a residual remains.
    refusing = "tests.cli.external_venue:refusing"
    configure(isolated, kind_a=refusing, kind_b=refusing)
    result = runner.invoke(cli, ["--log-json", "execute", "--yes"])
    no_traceback(result)
    assert result.exit_code == 1, result.output
    (record,) = [
        r
        for r in records(result.stderr)
        if signal.signal_id in r["message"] and r["event"] == "residual"
    ]
    assert record["message"].startswith(f"BTC: recovered signal {signal.signal_id}")
    assert record["details"]["residual_base"] == "0.01"
    assert record["details"]["net_base_by_venue"] == {"paper-a": "0.01", "paper-b": "0"}
    assert "reduce it by hand" in record["todo"]


def test_a_journal_held_by_another_writer_is_one_line_and_exit_1(
    runner: CliRunner, isolated: Path
) -> None:
    configure(isolated)
    assert runner.invoke(cli, ["execute", "--yes"]).exit_code == 0
    other = sqlite3.connect(isolated / "journal.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. someone's sqlite3 shell, mid-transaction
    try:
        result = runner.invoke(cli, ["execute", "--yes"])
    finally:
        other.rollback()
        other.close()
    no_traceback(result)
    assert result.exit_code == 1, result.output
    lines = [x for x in result.stderr.splitlines() if "(busy)" in x]
    assert len(lines) == 1, result.stderr
    assert "journal.sqlite" in lines[0] and "database is locked" in lines[0]


@pytest.mark.parametrize("command", [["execute", "--yes"], ["run", "--yes", "--max-cycles", "1"]])
def test_a_clean_run_stays_quiet_and_exits_0(
    runner: CliRunner, isolated: Path, command: list[str]
) -> None:
    configure(isolated)
    result = runner.invoke(cli, [*command])
    assert result.exit_code == 0, result.output
    assert "error" not in result.stderr


def test_run_says_a_recovered_residual_at_start_up_and_exits_1(
    runner: CliRunner, isolated: Path
) -> None:
    signal = seed_interrupted_signal(isolated)
    refusing = "tests.cli.external_venue:refusing"
    configure(isolated, kind_a=refusing, kind_b=refusing)
    result = runner.invoke(
        cli, ["run", "--yes", "--max-cycles", "2", "--interval", "0.01s", "--json-lines"]
    )
    no_traceback(result)
    assert result.exit_code == 1, result.output
    lines = [x for x in result.stderr.splitlines() if f"recovered signal {signal.signal_id}" in x]
    assert len(lines) == 1  # said once, not once per cycle
    # Said before the loop's own output ends: the start-up reconciliation is reported first.
    assert result.stderr.index(lines[0]) < result.stderr.index("stopped after 2 cycles")
