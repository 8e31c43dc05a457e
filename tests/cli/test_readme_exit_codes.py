"""The README says what each exit code means and documents ``atomic-fp reconcile``, and
says it where the CLI does (issue 13, "What it must show" 4)."""

from __future__ import annotations

from click.testing import CliRunner

from scripts import exitcodes
from scripts.cli import cli
from tests.cli.test_readme import README


def section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_cron_section_explains_every_exit_code_and_the_bad_states() -> None:
    cron = section("Cron")
    for code in (exitcodes.OK, exitcodes.NOTHING_USABLE, exitcodes.USAGE, exitcodes.ALERT):
        assert f"| **{code}** |" in cron
    for event in ("unresolved_order", "position_mismatch", "residual", "journal_failed"):
        assert f"`{event}`" in cron
    assert "errors.jsonl" in cron and "atomic-fp reconcile" in cron


def test_reconcile_is_documented_and_listed_by_the_cli() -> None:
    commands = section("Trading commands")
    assert "atomic-fp reconcile --accept-venue --yes" in commands
    assert "sends\nnothing" in commands or "sends nothing" in commands
    safety = section("Safety notes for live trading")
    assert "atomic-fp\n  reconcile" in safety or "atomic-fp reconcile" in safety
    listing = CliRunner().invoke(cli, ["--help"])
    assert listing.exit_code == 0 and "reconcile" in listing.output
    assert "1 nothing usable or a bad" in " ".join(listing.output.split())
