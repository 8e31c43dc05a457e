"""Every user mistake of issue 16 ends in a clear message naming the input and what was
expected, the right exit code (2: usage or configuration; 1: nothing usable), no
traceback, and nothing already fetched or computed lost.

One test per case; each asserts the message, the exit code and what survived (no output
file, no venue call before the check, the summary on stdout, an earlier file intact).
"""

from __future__ import annotations

import csv
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scripts.cli import cli
from tests.cli import external_venue
from tests.conftest import research_file

HL_CASSETTE = (
    "hyperliquid-python-sdk/tests/cassettes/info_test/test_get_funding_history[None].yaml"
)
HISTORY_HEADER = "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def _history(path: Path, *, marks: bool = True, hours: int = 48) -> Path:
    """Two venues, BTC, a steady 0.0001/8h vs 0.0005/1h spread (the worked example)."""
    start = datetime(2025, 9, 1, tzinfo=timezone.utc)
    lines = [HISTORY_HEADER]
    for hour in range(hours):
        at = (start + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
        mark = "50000" if marks else ""
        lines.append(f"hyperliquid,BTC,BTC,{at},0.0005,1,{mark}\n")
        if hour % 8 == 0:
            lines.append(f"binance,BTC,BTCUSDT,{at},0.0001,8,{mark}\n")
    path.write_text("".join(lines))
    return path


# --------------------------------------------------------------------- scan --snapshot


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[]", "a JSON array, expected a snapshot"),
        ('"str"', "a JSON string, expected a snapshot"),
        ('{"as_of": "2025-12-03T15:12:10Z", "venues": "abc"}', '"venues" must be a list'),
        ('{"venues": "abc"}', "missing key 'as_of'"),
        ('{"as_of": "2025-12-03T15:12:10Z", "venues": [1]}', '"venues"[0] must be an object'),
        ("{not json", "not JSON (Expecting property name"),
    ],
)
def test_scan_snapshot_of_the_wrong_shape_is_a_usage_error(
    runner: CliRunner, isolated: Path, content: str, expected: str
) -> None:
    (isolated / "x.json").write_text(content)
    result = runner.invoke(cli, ["scan", "--snapshot", "x.json"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--snapshot: x.json: " in result.stderr and expected in result.stderr
    assert result.stdout == ""


def test_scan_snapshot_missing_key_is_named(runner: CliRunner, isolated: Path) -> None:
    (isolated / "x.json").write_text('{"venues": []}')
    result = runner.invoke(cli, ["scan", "--snapshot", "x.json"])
    assert result.exit_code == 2
    assert "x.json: missing key 'as_of'" in result.stderr  # not a bare 'as_of'


def test_scan_snapshot_missing_file_names_the_file(runner: CliRunner, isolated: Path) -> None:
    result = runner.invoke(cli, ["scan", "--snapshot", "x.json"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--snapshot: x.json: no such file or directory" in result.stderr
    assert "manifest.json" not in result.stderr


def test_scan_offline_with_snapshot_is_a_usage_error(runner: CliRunner, isolated: Path) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--snapshot", "x.json"])
    assert result.exit_code == 2
    assert "--offline and --snapshot" in result.stderr and "give one" in result.stderr


def test_scan_unknown_symbol_is_a_usage_error(runner: CliRunner, isolated: Path) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--symbols", "DOESNOTEXIST"])
    assert result.exit_code == 2
    assert "--symbols: DOESNOTEXIST listed on none of the 4 venues that answered" in (
        result.stderr
    )
    assert result.stdout == ""


def test_scan_one_unknown_symbol_among_known_ones_is_a_warning(
    runner: CliRunner, isolated: Path
) -> None:
    result = runner.invoke(
        cli, ["scan", "--offline", "--symbols", "BTC,DOESNOTEXIST", "--format", "json"]
    )
    assert result.exit_code == 0
    assert "warning: --symbols: DOESNOTEXIST listed on none" in result.stderr
    assert [o["symbol"] for o in json.loads(result.stdout)["opportunities"]] == ["BTC"]


# --------------------------------------------------------------------- configuration


def test_toml_syntax_error_keeps_its_line_number(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text('[strategy]\nbuild_threshold = "0.01\nx = 1\n')
    result = runner.invoke(cli, ["scan", "--offline"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "atomic-fp.toml: (syntax): expected valid TOML" in result.stderr
    assert "(at line 2, column 24)" in result.stderr  # the whole parser message, not cut


def test_threshold_rule_is_shown_whole(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[strategy]\nbuild_threshold = "0.01"\nclose_threshold = "0.05"\n'
    )
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 2
    assert (
        "strategy.close_threshold: expected a consistent strategy: close_threshold (0.05) "
        "must not exceed build_threshold (0.01), or a hedge would close as soon as it opens"
    ) in result.stderr


def test_trade_size_above_max_position_is_refused_not_capped(
    runner: CliRunner, isolated: Path
) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.p]\nkind = "paper"\n'
        '[strategy]\ntrade_size = "0.1"\nmax_position = "0.05"\nsymbols = ["BTC"]\n'
    )
    result = runner.invoke(cli, ["execute", "--dry-run"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert (
        "strategy.trade_size: expected at most strategy.max_position (0.05), got '0.1'"
        in result.stderr
    )
    assert result.stdout == ""  # nothing decided on it


@pytest.mark.parametrize(
    ("venue", "expected"),
    [
        (
            'kind = "paper"\noptions = { symbols = "BTC", "price.BTC" = "abc" }',
            "venues.v: venue v: paper venue option 'price.BTC' must be a number, got 'abc'",
        ),
        (
            'kind = "paper"\noptions = { symbols = "BTC", "prce.BTC" = "50000" }',
            "unknown paper venue option 'prce.BTC'",
        ),
        (
            'kind = "paper"\noptions = { symbols = "BTC", "price.SOL" = "150" }',
            "paper venue option 'price.SOL': SOL is not in symbols (BTC)",
        ),
        (
            'kind = "nosuch.module:create"',
            "venue kind 'nosuch.module:create': cannot import 'nosuch.module'",
        ),
    ],
)
def test_a_venue_the_config_cannot_build_is_a_configuration_error(
    runner: CliRunner, isolated: Path, venue: str, expected: str
) -> None:
    (isolated / "atomic-fp.toml").write_text(f"[venues.v]\n{venue}\n")
    result = runner.invoke(cli, ["scan"])
    _no_traceback(result)
    assert result.exit_code == 2  # not a warning and exit 0
    assert "error: invalid configuration: " in result.stderr
    assert "atomic-fp.toml: venues.v: " in result.stderr
    assert expected in result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------- positions


def test_positions_with_no_readable_venue_never_says_no_positions(
    runner: CliRunner, isolated: Path
) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.x]\nkind = "tests.cli.external_venue:down"\n'
        '[venues.y]\nkind = "tests.cli.external_venue:down"\n'
    )
    result = runner.invoke(cli, ["positions"])
    assert result.exit_code == 1
    assert "positions unknown: no venue reported its positions" in result.stdout
    assert "no open positions" not in result.stdout
    assert "net exposure" not in result.stdout
    assert "NOT COUNTED (exposure unknown): " in result.stdout
    data = json.loads(runner.invoke(cli, ["positions", "--format", "json"]).stdout)
    assert data["venues_answered"] == 0 and data["complete"] is False
    assert set(data["not_counted"]) == {"x", "y"}


# --------------------------------------------------------------------- funding-history


@pytest.fixture
def recording_config(isolated: Path) -> Path:
    external_venue.BUILT.clear()
    path = isolated / "atomic-fp.toml"
    path.write_text(
        '[venues.rec]\nkind = "tests.cli.external_venue:recording_paper"\n'
        'options = { symbols = "BTC" }\n'
    )
    return path


def _history_calls() -> int:
    return sum(venue.calls.get("funding_history", 0) for venue in external_venue.BUILT)


def test_funding_history_checks_the_output_directory_before_downloading(
    runner: CliRunner, recording_config: Path
) -> None:
    args = ["funding-history", "rec", "BTC", "--since", "2025-01-01", "--until", "2025-03-01"]
    result = runner.invoke(cli, [*args, "--out", "/missing/dir/h.csv"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--out: directory /missing/dir does not exist (create it first)" in result.stderr
    assert _history_calls() == 0  # nothing was downloaded to be lost


def test_funding_history_refuses_an_unknown_file_type_before_downloading(
    runner: CliRunner, recording_config: Path
) -> None:
    args = ["funding-history", "rec", "BTC", "--since", "2025-01-01", "--until", "2025-03-01"]
    result = runner.invoke(cli, [*args, "--out", "h.txt"])
    assert result.exit_code == 2
    assert "'h.txt': expected a file name ending in .csv or .parquet, not .txt" in result.stderr
    assert not (recording_config.parent / "h.txt").exists()
    assert _history_calls() == 0


def test_funding_history_empty_is_exit_1_and_writes_nothing(
    runner: CliRunner, recording_config: Path
) -> None:
    out = recording_config.parent / "h.csv"
    args = ["funding-history", "rec", "BTC", "--since", "2025-01-01", "--until", "2025-03-01"]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 1
    assert "no settled funding rates for BTC on rec between 2025-01-01 00:00 and " in (
        result.stderr
    )
    assert _history_calls() == 2  # two 30-day chunks were asked for, and both were empty
    assert not out.exists()


def test_funding_history_since_in_the_future_blames_since(
    runner: CliRunner, recording_config: Path
) -> None:
    future = (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%d")
    result = runner.invoke(
        cli, ["funding-history", "rec", "BTC", "--since", future, "--out", "h.csv"]
    )
    assert result.exit_code == 2
    assert "--since" in result.stderr and "is in the future" in result.stderr
    assert "--until" not in result.stderr  # the user never gave --until
    assert _history_calls() == 0


def test_funding_history_write_failure_keeps_the_previous_file(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    research_file(HL_CASSETTE)
    (isolated / "atomic-fp.toml").write_text(
        '[venues.hl]\nkind = "tests.cli.external_venue:hyperliquid_history"\n'
    )
    out = isolated / "btc.csv"
    out.write_text("the previous download\n")

    def full_disk(path: Path) -> None:
        raise OSError(28, "No space left on device")

    real_replace = os.replace
    disk_full = [True]

    def replace(src: str, dst: str) -> None:
        if disk_full[0] and str(dst) == str(out):
            full_disk(Path(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    args = ["funding-history", "hl", "BTC", "--since", "2023-06-07", "--until", "2023-06-09"]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    _no_traceback(result)
    assert result.exit_code == 1
    assert f"--out: cannot write {out}: No space left on device" in result.stderr
    assert out.read_text() == "the previous download\n"  # never half-written
    assert [p.name for p in isolated.iterdir() if p.name.startswith(".btc.csv")] == []
    disk_full[0] = False
    # the same command, with the disk back, writes the whole file in one move
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert rows and rows[0]["venue"] == "hl"


def test_record_checks_its_output_before_recording(
    runner: CliRunner, recording_config: Path
) -> None:
    result = runner.invoke(cli, ["record", "--out", "/missing/dir/snap.json"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--out: directory /missing/dir does not exist (create it first)" in result.stderr
    assert external_venue.BUILT == []  # no venue was even built, let alone called


# --------------------------------------------------------------------- backtest


def test_backtest_bad_plot_format_is_refused_before_the_run(
    runner: CliRunner, isolated: Path
) -> None:
    pytest.importorskip("matplotlib")
    data = _history(isolated / "h.csv")
    result = runner.invoke(
        cli, ["backtest", "--data", str(data), "--plot", "out.jpgx", "--out-dir", "out"]
    )
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--plot" in result.stderr and "'out.jpgx': expected a chart file ending in" in (
        result.stderr
    )
    assert ".png" in result.stderr and "not .jpgx" in result.stderr
    assert not (isolated / "out").exists()  # checked before anything ran


def test_backtest_plot_in_an_unwritable_place_is_refused_before_the_run(
    runner: CliRunner, isolated: Path
) -> None:
    data = _history(isolated / "h.csv")
    result = runner.invoke(cli, ["backtest", "--data", str(data), "--plot", "/proc/x.png"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--plot: cannot create files in /proc" in result.stderr
    assert result.stdout == ""


def test_backtest_chart_failure_after_the_run_keeps_the_summary(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    import atomic_fp.backtest.chart as chart

    def broken(result: object, path: Path, title: str | None = None) -> None:
        raise ValueError("Format 'jpgx' is not supported")

    monkeypatch.setattr(chart, "plot_png", broken)
    data = _history(isolated / "h.csv")
    result = runner.invoke(
        cli,
        ["backtest", "--data", str(data), "--plot", "c.png", "--out-dir", "o", "--format", "json"],
    )
    _no_traceback(result)
    assert result.exit_code == 1
    assert "--plot: cannot write c.png: Format 'jpgx' is not supported" in result.stderr
    summary = json.loads(result.stdout)  # the summary survived, on stdout
    assert summary["total"]["trades"] > 0
    assert json.loads((isolated / "o" / "summary.json").read_text()) == summary
    assert not (isolated / "c.png").exists()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--half-spread", "-0.001", "expected a fraction >= 0 and < 1"),
        ("--capital", "0", "expected a positive amount of USD collateral"),
        ("--trade-size", "-1", "expected a positive size in base units"),
    ],
)
def test_backtest_meaningless_numbers_are_usage_errors(
    runner: CliRunner, isolated: Path, option: str, value: str, expected: str
) -> None:
    data = _history(isolated / "h.csv")
    result = runner.invoke(cli, ["backtest", "--data", str(data), option, value])
    _no_traceback(result)
    assert result.exit_code == 2
    assert f"Invalid value for {option}" in result.stderr and expected in result.stderr
    assert result.stdout == ""


def test_backtest_trade_size_above_max_position_is_refused(
    runner: CliRunner, isolated: Path
) -> None:
    data = _history(isolated / "h.csv")
    result = runner.invoke(
        cli, ["backtest", "--data", str(data), "--trade-size", "2", "--max-position", "1"]
    )
    assert result.exit_code == 2
    assert (
        "trade size 2 is above max position 1 (--trade-size and --max-position): "
        "expected trade_size <= max_position"
    ) in result.stderr


def test_backtest_unknown_venue_lists_the_venues_in_the_data(
    runner: CliRunner, isolated: Path
) -> None:
    data = _history(isolated / "h.csv")
    result = runner.invoke(cli, ["backtest", "--data", str(data), "--venues", "nope"])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "--venues: nope not in the data (it has: binance, hyperliquid)" in result.stderr


def test_backtest_without_mark_prices_says_what_to_give(
    runner: CliRunner, isolated: Path
) -> None:
    data = _history(isolated / "h.csv", marks=False)
    result = runner.invoke(cli, ["backtest", "--data", str(data), "--format", "json"])
    _no_traceback(result)
    assert result.exit_code == 2  # not 0 trades and capital 0 without a word
    assert "no mark prices in the data for BTC" in result.stderr
    assert "--price BTC=PRICE" in result.stderr
    priced = runner.invoke(
        cli, ["backtest", "--data", str(data), "--price", "BTC=50000", "--format", "json"]
    )
    assert priced.exit_code == 0, priced.output
    summary = json.loads(priced.stdout)
    assert summary["total"]["trades"] > 0 and summary["settings"]["assumed_prices"] == {
        "BTC": "50000"
    }
