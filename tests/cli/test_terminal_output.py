"""What a person reads: tables fit an 80-column terminal (columns dropped by priority,
never wrapped), ``--all-pairs`` lists each pair once in its profitable direction unless
``--both-directions``, and dry runs say what they would do in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from scripts.cli import cli
from scripts.table_fit import fit_table, table_width
from tests.cli.test_bad_input import _history
from tests.cli.test_trading_commands import _config


@pytest.fixture
def columns_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_scan_table_fits_80_columns(runner: CliRunner, columns_80: None) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--all-pairs", "--format", "table"])
    assert result.exit_code == 0, result.output
    assert _widest(result.stdout) <= 80
    header = result.stdout.splitlines()[0].split()
    # the essentials stay; the least important columns went first
    assert header[:3] == ["SYMBOL", "LONG", "SHORT"] and "NET" in header
    assert "AGE" not in header and "INTERVALS" not in header
    first = result.stdout.splitlines()[0]
    assert ("LONG APR" in first) == ("SHORT APR" in first)  # the legs' APRs go together


def test_a_table_to_a_file_or_pipe_keeps_every_column(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(cli, ["scan", "--offline", "--format", "table"])
    header = result.stdout.splitlines()[0]
    assert "AGE" in header and "INTERVALS" in header and "NEXT FUNDING" in header


def test_scan_table_uses_a_wide_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(cli, ["scan", "--offline", "--format", "table"])
    header = result.stdout.splitlines()[0]
    assert "AGE" in header and "INTERVALS" in header and "NEXT FUNDING" in header
    assert _widest(result.stdout) > 80


def test_backtest_and_venues_tables_fit_80_columns(
    runner: CliRunner, isolated: Path, columns_80: None
) -> None:
    data = _history(isolated / "h.csv")
    result = runner.invoke(cli, ["backtest", "--data", str(data), "--format", "table"])
    assert result.exit_code == 0, result.output
    assert _widest(result.stdout) <= 80
    assert "net pnl" in result.stdout and "TOTAL" in result.stdout
    venues = runner.invoke(cli, ["venues"])
    assert venues.exit_code == 0, venues.output
    assert _widest(venues.stdout) <= 80


def test_positions_table_fits_80_columns(
    runner: CliRunner, isolated: Path, columns_80: None
) -> None:
    _config(isolated, persist=True)
    assert runner.invoke(cli, ["execute", "--yes"]).exit_code == 0
    result = runner.invoke(cli, ["positions", "--format", "table"])
    assert result.exit_code == 0, result.output
    assert _widest(result.stdout) <= 80
    assert "paper-a" in result.stdout and "BASE SIZE" in result.stdout


@given(
    st.lists(st.text("abcdefghij", min_size=1, max_size=30), min_size=2, max_size=8).flatmap(
        lambda headers: st.tuples(
            st.just(headers),
            st.lists(
                st.lists(
                    st.text("0123456789.%-", max_size=25),
                    min_size=len(headers),
                    max_size=len(headers),
                ),
                max_size=6,
            ),
            st.lists(st.integers(0, 4), min_size=len(headers), max_size=len(headers)),
        )
    ),
    st.integers(20, 200),
)
def test_fit_table_never_exceeds_the_width_unless_essentials_do(
    table: tuple[list[str], list[list[str]], list[int]], width: int
) -> None:
    headers, rows, priority = table
    new_headers, new_rows, kept = fit_table(headers, rows, priority, width)
    essential = [i for i, p in enumerate(priority) if p == 0]
    assert set(essential) <= set(kept)  # essential columns always stay
    assert kept == sorted(kept)  # order kept
    if table_width(headers, rows) <= width:
        assert kept == list(range(len(headers))) and new_rows == rows  # nothing lost
    minimum = table_width(
        [headers[i] for i in essential[:-1]], [[r[i] for i in essential[:-1]] for r in rows]
    )
    if len(essential) == len(kept) and minimum + 2 + 8 + 30 <= width:
        assert table_width(new_headers, new_rows) <= width
    # a column is only dropped when all columns of a higher number were dropped first
    dropped = [priority[i] for i in range(len(headers)) if i not in kept]
    if dropped:
        assert all(priority[i] <= min(dropped) for i in kept)


def test_all_pairs_shows_each_pairs_profitable_direction(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["scan", "--offline", "--all-pairs", "--symbols", "BTC", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["opportunities"]
    pairs = [frozenset((o["long_venue"], o["short_venue"])) for o in rows]
    assert len(pairs) == len(set(pairs)) == 3  # binance/hyperliquid/grvt: 3 pairs, once each
    for o in rows:  # long where funding is lower: the spread is never negative
        assert float(o["long_apr"]) <= float(o["short_apr"])
        assert float(o["spread_apr"]) >= 0
    both = runner.invoke(
        cli,
        [
            "scan",
            "--offline",
            "--all-pairs",
            "--both-directions",
            "--symbols",
            "BTC",
            "--format",
            "json",
        ],
    )
    every = json.loads(both.stdout)["opportunities"]
    assert len(every) == 6
    assert {(o["long_venue"], o["short_venue"]) for o in rows} < {
        (o["long_venue"], o["short_venue"]) for o in every
    }


def test_dry_run_wording_is_plain(runner: CliRunner, isolated: Path) -> None:
    _config(isolated)
    result = runner.invoke(cli, ["execute", "--dry-run"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == "BTC: would open a hedge (funding decision; dry run, nothing sent)"
    assert "would funding" not in result.stdout
    assert "would send paper-a buy 0.01" in result.stdout


def test_shell_completion_as_the_readme_documents_it(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    assert 'eval "$(_ATOMIC_FP_COMPLETE=bash_source atomic-fp)"' in readme

    def complete(words: str, cword: int) -> str:
        env = {
            **os.environ,
            "_ATOMIC_FP_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
        }
        done = subprocess.run(
            [sys.executable, "-m", "scripts.cli"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "plain,scan" in complete("atomic-fp sc", 1).splitlines()
    assert "plain,--both-directions" in complete("atomic-fp scan --bo", 2).splitlines()
