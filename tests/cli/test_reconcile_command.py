"""``atomic-fp reconcile``: journal against venue per venue/symbol; ``--accept-venue
--yes`` adopts the venues' positions after a person looked (never without --yes; needs
the journal; refused while something is unresolved)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scripts.cli import cli
from tests.cli.test_loud_bad_states import configure, no_traceback, seed_interrupted_signal


def mismatched(runner: CliRunner, directory: Path) -> None:
    """The venues hold a hedge (opened with another journal) that journal.sqlite lacks."""
    configure(directory, journal="other.sqlite")
    assert runner.invoke(cli, ["execute", "--yes"]).exit_code == 0
    configure(directory)
    assert runner.invoke(cli, ["execute", "--yes"]).exit_code == 1  # creates journal.sqlite


def test_reconcile_shows_each_venue_beside_the_journal(runner: CliRunner, isolated: Path) -> None:
    mismatched(runner, isolated)
    result = runner.invoke(cli, ["reconcile"])
    no_traceback(result)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "BTC: journal against 2 venue(s)"
    row_a = next(x for x in lines if x.strip().startswith("paper-a"))
    assert "journal" in row_a and "0.01" in row_a and "MISMATCH (venue - journal = 0.01)" in row_a
    row_b = next(x for x in lines if x.strip().startswith("paper-b"))
    assert "MISMATCH (venue - journal = -0.01)" in row_b
    assert result.stderr.count("position mismatch on") == 2

    data = json.loads(runner.invoke(cli, ["reconcile", "--format", "json"]).stdout)
    (symbol,) = data["symbols"]
    assert symbol["clean"] is False
    rows = {r["venue"]: r for r in symbol["positions"]}
    assert rows["paper-a"] == {
        "venue": "paper-a",
        "symbol": "BTC",
        "journal_base": "0",
        "venue_base": "0.01",
        "difference": "0.01",
        "status": "mismatch",
        "error": None,
    }


def test_accept_venue_needs_yes_and_then_adopts(runner: CliRunner, isolated: Path) -> None:
    mismatched(runner, isolated)
    refused = runner.invoke(cli, ["reconcile", "--accept-venue"])
    assert refused.exit_code == 2 and "without --yes" in refused.stderr
    assert runner.invoke(cli, ["reconcile", "--yes"]).exit_code == 2
    assert runner.invoke(cli, ["reconcile"]).exit_code == 1  # nothing was adopted

    adopted = runner.invoke(cli, ["reconcile", "--accept-venue", "--yes", "--format", "json"])
    assert adopted.exit_code == 0, adopted.output
    (symbol,) = json.loads(adopted.stdout)["symbols"]
    assert {(r["venue"], r["difference"]) for r in symbol["adopted"]} == {
        ("paper-a", "0.01"),
        ("paper-b", "-0.01"),
    }
    assert symbol["clean"] is True
    assert all(r["status"] == "ok" for r in symbol["positions"])
    again = runner.invoke(cli, ["reconcile"])
    assert again.exit_code == 0 and again.stderr == ""
    # With the journal agreeing, trading is no longer blocked or loud.
    traded = runner.invoke(cli, ["execute", "--yes"])
    assert traded.exit_code == 0, traded.output


def test_accept_venue_is_refused_while_a_signal_is_unfinished(
    runner: CliRunner, isolated: Path
) -> None:
    signal = seed_interrupted_signal(isolated)
    configure(isolated)
    shown = runner.invoke(cli, ["reconcile"])
    assert shown.exit_code == 1
    assert f"unfinished signal {signal.signal_id}" in shown.stdout
    assert f"unresolved order {signal.client_order_id(1, 0)} on paper-b" in shown.stdout
    result = runner.invoke(cli, ["reconcile", "--accept-venue", "--yes"])
    no_traceback(result)
    assert result.exit_code == 1
    assert "not adopted" in result.stderr and signal.signal_id in result.stderr
    # Nothing was sent by looking: the venue never saw leg B.
    b_state = isolated / "b.json"
    assert not b_state.exists() or json.loads(b_state.read_text())["orders"] == []


def test_reconcile_needs_a_journal(runner: CliRunner, isolated: Path) -> None:
    configure(isolated)
    text = (isolated / "atomic-fp.toml").read_text()
    text = text.split("[journal]")[0]
    (isolated / "atomic-fp.toml").write_text(text)
    result = runner.invoke(cli, ["reconcile", "--accept-venue", "--yes"])
    assert result.exit_code == 2 and "[journal] path" in result.stderr
    configure(isolated)
    missing = runner.invoke(cli, ["reconcile"])
    assert missing.exit_code == 2 and "does not exist yet" in missing.stderr


def test_accept_venue_refuses_while_a_trader_holds_the_journal(
    runner: CliRunner, isolated: Path
) -> None:
    from adapters.journal.lock import JournalLock

    mismatched(runner, isolated)
    held = JournalLock.acquire(isolated / "journal.sqlite").unwrap()  # a running trader
    try:
        shown = runner.invoke(cli, ["reconcile"])  # looking reads beside it
        adopted = runner.invoke(cli, ["reconcile", "--accept-venue", "--yes"])
    finally:
        held.release()
    assert shown.exit_code == 1 and "MISMATCH" in shown.stdout
    no_traceback(adopted)
    assert adopted.exit_code == 1 and "in use by another atomic-fp process" in adopted.stderr
