"""``positions``: funding earned from the journal and the venues (issue 21).

The hedge of ``test_collateral_command.py`` (two persisted paper venues), each paid two
funding settlements within the ``--funding-days`` window. ``positions`` journals the
payments (once, however often it runs), shows the journal's total, and says when the
journal and the venue differ; beside a running trader (journal locked) it reads only.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import anyio
from click.testing import CliRunner

from adapters.journal import SqliteJournal
from adapters.paper import PaperMarketState, PaperVenue
from atomic_fp.models import FundingPayment, Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.cli import cli
from tests.cli.test_collateral_command import FREE, _setup

BTC = Symbol("BTC")
# an hour boundary well inside the default 7-day window, whenever the test runs
PAID_AT = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(
    hours=12
)


def _pay(path: Path, venue: str, rate: str) -> tuple[FundingPayment, ...]:
    """Two settlements 8 h apart on the persisted paper venue at ``path``."""
    market = Market(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        venue_symbol="BTC-PERP",
        tick_size=Decimal("0.1"),
        lot_size=Decimal("0.001"),
    )
    paper = PaperVenue(
        venue, [PaperMarketState(market, Decimal(100_000))], fees=FREE, state_path=path
    )
    paid = tuple(
        payment
        for at in (PAID_AT - timedelta(hours=8), PAID_AT)
        if (payment := paper.settle_funding(BTC, at, Decimal(rate))) is not None
    )
    assert len(paid) == 2
    return paid


def _hedge_with_funding(tmp: Path) -> dict[str, Decimal]:
    _setup(tmp)
    config = tmp / "atomic-fp.toml"
    config.write_text(config.read_text() + '\n[journal]\npath = "journal.sqlite"\n')
    long_paid = _pay(tmp / "a.json", "long-venue", "0.0001")  # the long pays
    short_paid = _pay(tmp / "b.json", "short-venue", "0.0003")  # the short receives
    return {
        "long-venue": sum((p.amount for p in long_paid), Decimal(0)),
        "short-venue": sum((p.amount for p in short_paid), Decimal(0)),
    }


def _rows(stdout: str) -> dict[str, dict[str, object]]:
    return {row["venue"]: row for row in json.loads(stdout)["positions"]}


def _journaled(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM funding_payments").fetchone()[0])


def test_positions_journals_the_payments_once_and_shows_the_journal_total(
    runner: CliRunner, isolated: Path
) -> None:
    paid = _hedge_with_funding(isolated)
    assert paid["long-venue"] == Decimal(-20) and paid["short-venue"] == Decimal(60)  # by hand
    for _ in range(2):
        result = runner.invoke(cli, ["positions", "--format", "json"])
        assert result.exit_code == 0, result.output
        rows = _rows(result.stdout)
        for venue, amount in paid.items():
            row = rows[venue]
            assert Decimal(str(row["funding_earned"])) == amount
            assert Decimal(str(row["funding_journal"])) == amount
            assert Decimal(str(row["funding_payments"])) == amount
            assert row["funding_source"] == "journal+venue" and row["funding_differs"] is False
        assert _journaled(isolated / "journal.sqlite") == 4  # de-duplicated on the re-run


def test_when_journal_and_venue_differ_positions_says_which_it_shows(
    runner: CliRunner, isolated: Path
) -> None:
    paid = _hedge_with_funding(isolated)
    assert runner.invoke(cli, ["positions"]).exit_code == 0  # journals the 4 payments
    # a payment the venue no longer lists (venues page or trim their history)
    older = FundingPayment(
        exchange=ExchangeIdentifier("short-venue"),
        symbol=BTC,
        amount=Decimal("7.5"),
        asset="USD",
        time=PAID_AT - timedelta(hours=16),
    )

    async def add() -> None:
        journal = SqliteJournal.open(isolated / "journal.sqlite").unwrap()
        try:
            assert await journal.record_funding_payments([older], PAID_AT) == 1
        finally:
            await journal.close()

    anyio.run(add)
    data = runner.invoke(cli, ["positions", "--format", "json"])
    row = _rows(data.stdout)["short-venue"]
    assert Decimal(str(row["funding_earned"])) == paid["short-venue"] + Decimal("7.5")
    assert Decimal(str(row["funding_payments"])) == paid["short-venue"]
    assert row["funding_source"] == "journal" and row["funding_differs"] is True
    assert _rows(data.stdout)["long-venue"]["funding_source"] == "journal+venue"
    text = runner.invoke(cli, ["positions"])
    assert "note: BTC funding on short-venue is the journal's 67.5" in text.stdout
    assert "the venue's payments sum to 60" in text.stdout


def test_beside_a_running_trader_positions_reads_the_journal_only(
    runner: CliRunner, isolated: Path
) -> None:
    paid = _hedge_with_funding(isolated)
    assert runner.invoke(cli, ["positions"]).exit_code == 0  # create + journal

    async def hold_and_run() -> tuple[int, str]:
        trader = SqliteJournal.open(isolated / "journal.sqlite").unwrap()  # holds the lock
        try:
            result = await anyio.to_thread.run_sync(
                lambda: runner.invoke(cli, ["positions", "--format", "json"])
            )
        finally:
            await trader.close()
        return result.exit_code, result.stdout

    code, stdout = anyio.run(hold_and_run)
    assert code == 0
    data = json.loads(stdout)
    assert "a running trader records them" in data["journal_funding"]
    row = _rows(stdout)["short-venue"]
    assert Decimal(str(row["funding_journal"])) == paid["short-venue"]  # read, not written


def test_without_a_journal_funding_comes_from_the_venue(runner: CliRunner, isolated: Path) -> None:
    _setup(isolated)
    _pay(isolated / "b.json", "short-venue", "0.0003")
    result = runner.invoke(cli, ["positions", "--format", "json"])
    row = _rows(result.stdout)["short-venue"]
    assert row["funding_source"] == "venue" and row["funding_journal"] is None
    assert json.loads(result.stdout)["journal_funding"] == "no journal"


def test_run_journals_the_legs_payments_before_its_first_cycle(
    runner: CliRunner, isolated: Path
) -> None:
    _hedge_with_funding(isolated)
    config = isolated / "atomic-fp.toml"
    strategy = '[strategy]\nsymbols = ["BTC"]\ntrade_size = "0.1"\nmax_position = "1"\n'
    config.write_text(config.read_text().replace("[strategy]\n", strategy))
    adopt = ["reconcile", "--accept-venue", "--yes", "--reason", "test hedge"]
    assert runner.invoke(cli, adopt).exit_code == 0
    assert _journaled(isolated / "journal.sqlite") == 0  # reconcile records no funding
    args = ["run", "--yes", "--max-cycles", "1", "--interval", "0.01s", "--json-lines"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert _journaled(isolated / "journal.sqlite") == 4
    again = runner.invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert _journaled(isolated / "journal.sqlite") == 4  # the same payments, once
