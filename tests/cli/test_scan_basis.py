"""``scan --basis`` end to end: the bundled offline data and a local funding store, with
persistence and break-even columns; JSON names the estimator of every figure.

Hand-computed reference (research year, ``ZuShen168/funding_rate_data``, MIT, read in place
from ``../shared/research-data``; the same rows are bundled in
``adapters/snapshot/history.csv``). At the snapshot instant 2025-12-03T15:12:10Z:

- Binance BTCUSDT settled 0.00003999 (12-02 16:00), -0.00001732 (12-03 00:00) and
  0.00004206 (12-03 08:00), 8 h each: avg24h = 0.00006473 / 24 h per hour, i.e.
  0.00006473 / 3 per 8 h; APR = 0.00006473 / 24 x 8760 = 0.02362645.
- Hyperliquid BTC: the 24 hourly settlements 12-02 16:00 .. 12-03 15:00 (summed from the
  file below); APR = sum / 24 x 8760.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.snapshot.history import bundled_history_path
from adapters.store import FundingStore, load_history_file
from scripts.cli import cli

SNAPSHOT_DATA = Path(__file__).resolve().parents[2] / "adapters/snapshot/data"
RESEARCH = (
    Path(__file__).resolve().parents[3]
    / "shared/research-data/funding_rate_data/derived_csv"
    / "hyperliquid_BTC_USDC_funding_2025-08_2026-08.csv"
)
AS_OF = datetime(2025, 12, 3, 15, 12, 10, 25055, tzinfo=timezone.utc)
BINANCE_BTC_AVG24H_APR = (
    (Decimal("0.00003999") - Decimal("0.00001732") + Decimal("0.00004206")) / 24 * 8760
)


def _hyperliquid_btc_avg24h_apr() -> Decimal:
    with RESEARCH.open() as handle:
        rows = [
            Decimal(row["rate_raw"])
            for row in csv.DictReader(handle)
            if AS_OF - timedelta(hours=24)
            < datetime.fromisoformat(row["settlement_ts"].replace("Z", "+00:00"))
            <= AS_OF
        ]
    assert len(rows) == 24
    return sum(rows, Decimal(0)) / 24 * 8760


def _json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["scan", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _btc(report: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in report["opportunities"] if o["symbol"] == "BTC")


def _check_avg24h_btc(report: dict[str, Any]) -> None:
    assert report["basis"] == "avg24h"
    btc = _btc(report)
    legs = {btc["long"]["venue"]: btc["long"], btc["short"]["venue"]: btc["short"]}
    assert set(legs) == {"binance", "hyperliquid"}
    binance, hyperliquid = legs["binance"], legs["hyperliquid"]
    assert Decimal(binance["apr"]) == BINANCE_BTC_AVG24H_APR
    assert binance["settlements"] == 3 and binance["estimator"] == "avg24h"
    assert Decimal(binance["current_rate"]) == Decimal("-0.00000885")  # the snapshot's rate
    if RESEARCH.is_file():
        assert abs(Decimal(hyperliquid["apr"]) - _hyperliquid_btc_avg24h_apr()) < Decimal("1e-20")
    assert hyperliquid["settlements"] == 24 and hyperliquid["estimator"] == "avg24h"
    spread = Decimal(btc["short"]["apr"]) - Decimal(btc["long"]["apr"])
    assert Decimal(btc["spread_apr"]) == spread
    assert btc["estimator"] == "avg24h"
    # break-even: the round-trip fee fraction behind cost_apr (7-day horizon) over the
    # spread's daily carry
    fee_fraction = Decimal(btc["cost_apr"]) * 168 / 8760
    assert abs(Decimal(btc["break_even_days"]) - fee_fraction * 365 / spread) < Decimal("1e-9")
    persistence = btc["persistence"]
    assert persistence["estimator"] == "avg24h" and persistence["window_hours"] == "168"
    # 168 hourly instants, less the 7 after Binance's 08:00 settlement (its 16:00 period
    # has not settled at 15:12)
    assert persistence["samples"] == 161
    assert 0 < persistence["held"] <= 161
    assert abs(Decimal(persistence["share"]) - Decimal(persistence["held"]) / 161) < Decimal(
        "1e-11"
    )


def test_offline_avg24h_uses_the_bundled_history(runner: CliRunner) -> None:
    report = _json(runner, "--offline", "--basis", "avg24h")
    _check_avg24h_btc(report)
    assert "bundled history" in report["history"]
    # Lighter and GRVT have no bundled history: left out with the reason, never zero
    missing = {e["venue"] for e in report["estimates_unavailable"]}
    assert {"lighter", "grvt"} <= missing
    assert all(e["estimator"] == "avg24h" for e in report["estimates_unavailable"])
    assert all(
        "no settled rate in the last 24 h" in e["message"] for e in report["estimates_unavailable"]
    )
    for o in report["opportunities"]:
        assert "lighter" not in (o["long_venue"], o["short_venue"])


def test_the_estimator_changes_the_ranking(runner: CliRunner) -> None:
    current = _btc(_json(runner, "--offline"))
    average = _btc(_json(runner, "--offline", "--basis", "avg24h"))
    assert current["estimator"] == "current"
    assert Decimal(current["short"]["apr"]) == Decimal("0.105144528")  # the instantaneous rate
    assert current["short"]["apr"] != average["short"]["apr"]


def test_local_store_gives_the_same_figures(runner: CliRunner, isolated: Path) -> None:
    store_path = isolated / "funding.sqlite"
    with FundingStore(store_path) as store:
        assert load_history_file(store, bundled_history_path()) > 3000  # a backfill
    report = _json(
        runner, "--snapshot", str(SNAPSHOT_DATA), "--store", str(store_path), "--basis", "avg24h"
    )
    _check_avg24h_btc(report)
    assert report["history"] == f"funding store {store_path}"


def test_store_from_config_and_strategy_basis(runner: CliRunner, isolated: Path) -> None:
    with FundingStore(isolated / "data" / "f.sqlite") as store:
        load_history_file(store, bundled_history_path())
    (isolated / "atomic-fp.toml").write_text(
        '[strategy]\nbasis = "avg24h"\n\n[store]\npath = "data/f.sqlite"\n', "utf-8"
    )
    report = _json(runner, "--snapshot", str(SNAPSHOT_DATA))
    _check_avg24h_btc(report)
    # --basis overrides the config
    assert _json(runner, "--snapshot", str(SNAPSHOT_DATA), "--basis", "current")["basis"] == (
        "current"
    )


def test_no_store_yet_leaves_every_rate_out_with_the_reason(
    runner: CliRunner, isolated: Path
) -> None:
    result = runner.invoke(
        cli, ["scan", "--snapshot", str(SNAPSHOT_DATA), "--basis", "avg7d", "--format", "json"]
    )
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["opportunities"] == []
    assert "no funding store at atomic-fp-funding.sqlite" in report["history"]
    assert "--basis avg7d:" in result.stderr and "no settled rate in the last 7 d" in result.stderr
    assert not (isolated / "atomic-fp-funding.sqlite").exists()  # scan never creates it


def test_table_and_csv_show_persistence_and_break_even(runner: CliRunner) -> None:
    table = runner.invoke(cli, ["scan", "--offline", "--basis", "avg24h", "--symbols", "BTC"])
    assert table.exit_code == 0, table.output
    header, row = table.stdout.splitlines()[:2]
    assert header.split("\t")[-2:] == ["persist", "break-even"]
    persist, break_even = row.split("\t")[-2:]
    assert persist.endswith("/161") and break_even.endswith("d")
    csv_out = runner.invoke(
        cli, ["scan", "--offline", "--basis", "avg24h", "--symbols", "BTC", "--format", "csv"]
    )
    rows = list(csv.DictReader(csv_out.stdout.splitlines()))
    assert rows[0]["basis"] == "avg24h" and rows[0]["persistence_samples"] == "161"
    assert rows[0]["long_current_apr"] and rows[0]["break_even_days"]


def test_bad_basis_and_bad_store_are_usage_errors(runner: CliRunner, isolated: Path) -> None:
    bad = runner.invoke(cli, ["scan", "--offline", "--basis", "ema"])
    assert bad.exit_code == 2 and "ema" in bad.output
    (isolated / "atomic-fp.toml").write_text('[strategy]\nbasis = "ema"\n', "utf-8")
    config = runner.invoke(cli, ["scan", "--offline"])
    assert config.exit_code == 2
    assert "strategy.basis" in config.stderr and "'avg24h'" in config.stderr
    assert "Traceback" not in config.output
    (isolated / "atomic-fp.toml").unlink()
    (isolated / "junk.sqlite").write_text("not a database " * 100, "utf-8")
    junk = runner.invoke(cli, ["scan", "--snapshot", str(SNAPSHOT_DATA), "--store", "junk.sqlite"])
    assert junk.exit_code == 2 and "not a usable funding store" in junk.stderr
    assert "Traceback" not in junk.output


def test_predicted_without_a_published_estimate_is_left_out(runner: CliRunner) -> None:
    """The bundled snapshot recorded no predictedFundings: every venue is left out with
    that reason (a missing estimate is never replaced by the current rate)."""
    report = _json(runner, "--offline", "--basis", "predicted")
    assert report["opportunities"] == []
    assert all(
        "no predicted funding rate published" in e["message"]
        for e in report["estimates_unavailable"]
    )


@pytest.mark.parametrize("fmt", ["json", None])
def test_collect_then_scan_reads_the_store(
    runner: CliRunner, isolated: Path, fmt: str | None
) -> None:
    args = ["collect", "--snapshot", str(SNAPSHOT_DATA), "--store", "s.sqlite"]
    done = runner.invoke(cli, [*args, *(["--format", fmt] if fmt else [])])
    assert done.exit_code == 0, done.output
    if fmt == "json":
        assert json.loads(done.stdout)["venues"]["binance"] == {
            "ok": True,
            "rates": 21,
            "written": 21,
        }
    else:
        assert "binance: 21 rates observed, 21 stored" in done.stdout
    with FundingStore(isolated / "s.sqlite") as store:
        counts = store.counts()
    assert counts[("binance", "observed")][0] == 21


@pytest.mark.skipif(not RESEARCH.is_file(), reason="research data not present")
def test_bundled_history_is_a_copy_of_the_research_data() -> None:
    """``history.csv`` equals a fresh rebuild from the MIT parquet files: nothing later
    than the snapshot instant, nothing altered."""
    pytest.importorskip("pyarrow")
    from adapters.history.format import to_csv_text
    from adapters.snapshot.history import build_history

    rebuilt = build_history(RESEARCH.parents[2])
    assert to_csv_text(rebuilt) == bundled_history_path().read_text("utf-8")
    assert max(r.funding_time for r in rebuilt if r.funding_time) <= AS_OF


def test_the_readme_configuration_block_is_valid() -> None:
    """The README's example config (with the sweep's basis and thresholds) parses."""
    import re
    import tomllib

    from scripts.config import parse

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    match = re.search(r"## Configuration.*?```toml\n(.*?)```", readme, re.S)
    assert match is not None
    config = parse(tomllib.loads(match.group(1)), "README.md")
    assert config.strategy.basis == "avg7d"
    assert config.strategy.values["build_threshold"] == Decimal("0.10")
    assert config.strategy.values["close_threshold"] == Decimal("0.00")
    assert config.store_path == Path("atomic-fp-funding.sqlite")


# ``predictedFundings`` as documented (docs.chainstack.com hyperliquid-info-predicted-
# fundings, quoted in the Hyperliquid fact sheet B9; DOCS values): Hyperliquid predicts its
# own, Binance's and Bybit's next BTC settlement.
PREDICTED_FUNDINGS = [
    [
        "BTC",
        [
            [
                "BinPerp",
                {
                    "fundingRate": "0.00008786",
                    "nextFundingTime": 1754496000000,
                    "fundingIntervalHours": 8,
                },
            ],
            [
                "HlPerp",
                {
                    "fundingRate": "0.0000125",
                    "nextFundingTime": 1754470800000,
                    "fundingIntervalHours": 1,
                },
            ],
            [
                "BybitPerp",
                {
                    "fundingRate": "0.0001",
                    "nextFundingTime": 1754496000000,
                    "fundingIntervalHours": 8,
                },
            ],
        ],
    ]
]


def test_predicted_uses_hyperliquids_predictions_for_itself_and_binance(
    runner: CliRunner, isolated: Path
) -> None:
    snapshot = isolated / "snap"
    snapshot.mkdir()
    for item in SNAPSHOT_DATA.iterdir():
        (snapshot / item.name).write_bytes(item.read_bytes())
    hyperliquid = json.loads((snapshot / "hyperliquid.json").read_text("utf-8"))
    hyperliquid["exchanges"].append(
        {
            "method": "POST",
            "path": "/info",
            "query": {},
            "json": {"type": "predictedFundings"},
            "status": 200,
            "body": PREDICTED_FUNDINGS,
        }
    )
    (snapshot / "hyperliquid.json").write_text(json.dumps(hyperliquid), "utf-8")
    report = _json(runner, "--snapshot", str(snapshot), "--basis", "predicted")
    (btc,) = report["opportunities"]
    legs = {btc["long"]["venue"]: btc["long"], btc["short"]["venue"]: btc["short"]}
    # Binance: 0.00008786 per 8 h -> x 1095 = 0.0962067; Hyperliquid 0.0000125 / h x 8760
    assert Decimal(legs["binance"]["apr"]) == Decimal("0.00008786") * 1095
    assert Decimal(legs["hyperliquid"]["apr"]) == Decimal("0.0000125") * 8760
    assert legs["binance"]["estimator"] == "predicted"
    assert Decimal(legs["binance"]["current_rate"]) == Decimal("-0.00000885")
    # GRVT and Lighter publish no prediction (and Hyperliquid predicts none for them)
    missing = {e["venue"] for e in report["estimates_unavailable"]}
    assert {"grvt", "lighter"} <= missing


def test_funding_history_backfills_the_store_and_the_average_reads_it(
    runner: CliRunner, isolated: Path
) -> None:
    """Real Hyperliquid BTC settlements (the SDK cassette, MIT) through the real client
    into the store; the 24 h average at 2023-06-08 12:00 is that of the stored rows."""
    from atomic_fp.decisions.estimators import hourly_average
    from atomic_fp.models import Symbol
    from tests.cli.test_funding_history import CASSETTE
    from tests.conftest import research_file

    research_file(CASSETTE)
    (isolated / "atomic-fp.toml").write_text(
        '[venues.hl]\nkind = "tests.cli.external_venue:hyperliquid_history"\n'
    )
    args = ["funding-history", "hl", "BTC", "--since", "2023-06-07", "--until", "2023-06-09"]
    done = runner.invoke(cli, [*args, "--store", "f.sqlite"])
    assert done.exit_code == 0, done.output
    assert "stored" in done.stderr and not list(isolated.glob("*.csv"))
    again = runner.invoke(cli, [*args, "--store", "f.sqlite"])  # idempotent
    assert again.exit_code == 0
    at = datetime(2023, 6, 8, 12, tzinfo=timezone.utc)
    with FundingStore(isolated / "f.sqlite") as store:
        rows = store.settled(since=at - timedelta(days=2), until=at)[("hl", Symbol("BTC"))]
    intervals = {r.interval for r in rows}
    assert intervals == {timedelta(hours=8), timedelta(hours=1)}  # the 8 h -> 1 h switch
    hourly, count = hourly_average(rows, at, timedelta(hours=24)).unwrap()
    in_window = [r for r in rows if at - timedelta(hours=24) < r.funding_time <= at]  # type: ignore[operator]
    assert count == len(in_window)
    paid = sum((r.rate for r in in_window), Decimal(0))
    hours = sum((r.interval / timedelta(hours=1) for r in in_window), 0.0)
    assert hourly == paid / Decimal(str(hours))
    assert (
        runner.invoke(cli, ["funding-history", "hl", "BTC", "--since", "2023-06-07"]).exit_code == 2
    )


def test_collect_exit_codes_are_those_of_scan(runner: CliRunner, isolated: Path) -> None:
    """0 with a failed venue reported (and the others stored), 1 when no venue answered,
    2 on a usage error; the store is never the reason a venue's data is lost."""
    from tests.cli.test_exit_codes import _snapshot_with

    partial = _snapshot_with(isolated, {"grvt"})
    done = runner.invoke(cli, ["collect", "--snapshot", str(partial), "--store", "a.sqlite"])
    assert done.exit_code == 0, done.output
    assert "venue grvt left out" in done.stderr and "grvt: failed" in done.stdout
    with FundingStore(isolated / "a.sqlite") as store:
        assert ("binance", "observed") in store.counts()
    dead = _snapshot_with(isolated, {"binance", "hyperliquid", "grvt", "lighter"})
    nothing = runner.invoke(cli, ["collect", "--snapshot", str(dead), "--store", "b.sqlite"])
    assert nothing.exit_code == 1 and "no venue answered" in nothing.stderr
    unknown = runner.invoke(
        cli,
        ["collect", "--snapshot", str(SNAPSHOT_DATA), "--venues", "nope", "--store", "c.sqlite"],
    )
    assert unknown.exit_code == 2 and "'nope'" in unknown.stderr
    (isolated / "junk.sqlite").write_text("junk " * 300, "utf-8")
    junk = runner.invoke(
        cli, ["collect", "--snapshot", str(SNAPSHOT_DATA), "--store", "junk.sqlite"]
    )
    assert junk.exit_code == 2 and "not a usable funding store" in junk.stderr


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_collect_export_is_funding_history_the_backtest_reads(
    runner: CliRunner, isolated: Path, suffix: str
) -> None:
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    from adapters.history.loaders import load_path

    with FundingStore(isolated / "s.sqlite") as store:
        load_history_file(store, bundled_history_path())
    out = isolated / f"export.{suffix}"
    args = ["collect", "--snapshot", str(SNAPSHOT_DATA), "--store", "s.sqlite"]
    done = runner.invoke(cli, [*args, "--export", str(out)])
    assert done.exit_code == 0, done.output
    rows = load_path(out).unwrap()
    # every backfilled settlement (up to the snapshot instant), then the observations
    # collect made of the snapshot's rates for the 16:00 settlement (past for the real
    # clock, so exported too)
    bundled = [r for r in rows if r.venue in ("binance", "hyperliquid")]
    assert sum(1 for r in bundled if r.funding_time <= AS_OF) == 3936
    btc = [r for r in rows if r.venue == "binance" and r.symbol.base == "BTC"]
    assert [str(r.rate) for r in btc[-2:]] == ["0.00004206", "-0.00000885"]
    assert btc[-1].funding_time == datetime(2025, 12, 3, 16, tzinfo=timezone.utc)
