"""``scan --offline`` replays the bundled snapshot through the real adapters' parsers.

The expected APRs below are computed by hand from the recorded responses in
``adapters/snapshot/data`` (APR = rate / interval_hours x 8760):

- Binance ``premiumIndex`` BTCUSDT ``lastFundingRate`` "-0.00000885", 8 h (absent from
  ``fundingInfo``): -0.00000885 x 1095 = -0.00969075.
- Hyperliquid ``metaAndAssetCtxs`` BTC ``funding`` "0.0000120028" per hour:
  0.0000120028 x 8760 = 0.105144528.
- GRVT ``ticker`` BTC_USDT_Perp ``funding_rate`` "0.0037" PERCENT per 8 h (instrument
  ``funding_interval_hours`` 8): 0.000037 x 1095 = 0.040515.
- Binance SOLUSDT "0.00006438" / 8 h: 0.00006438 x 1095 = 0.0704961.
  Hyperliquid SOL "0.0000057633" / h: 0.0000057633 x 8760 = 0.050486508.
- Binance ETHUSDT "0.00005015" / 8 h: 0.00005015 x 1095 = 0.05491425.
  Hyperliquid ETH "0.0000048299" / h: 0.0000048299 x 8760 = 0.042309924.
- Costs with no config: each venue's own published taker fee (issue 15; Binance 0.05 %,
  Hyperliquid 0.045 %) on 2 legs x (entry + exit) = 2 x (0.0005 + 0.00045) = 0.0019 of
  notional, amortised over the default 7-day horizon (168 h): 0.0019 / 168 x 8760
  = 0.099071428571... per year. (tests/cli/test_scan_fees.py has every venue's rows.)
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scripts.cli import cli

COST = 2 * (Decimal("0.0005") + Decimal("0.00045")) / 168 * 8760  # binance + hyperliquid


def _scan(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["scan", "--offline", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _pair(data: dict[str, Any], symbol: str, long: str, short: str) -> dict[str, Any]:
    for row in data["opportunities"]:
        if (row["symbol"], row["long_venue"], row["short_venue"]) == (symbol, long, short):
            return dict(row)
    raise AssertionError(f"no {symbol} {long}->{short} in {data['opportunities']}")


def test_best_pairs_match_hand_computed_aprs(runner: CliRunner) -> None:
    data = _scan(runner)
    assert data["as_of"] == "2025-12-03T15:12:10.025055Z"
    btc = _pair(data, "BTC", "binance", "hyperliquid")
    assert (btc["long_apr"], btc["short_apr"]) == ("-0.00969075", "0.105144528")
    assert btc["spread_apr"] == "0.114835278"
    assert Decimal(btc["net_apr"]) == (Decimal("0.114835278") - COST).quantize(Decimal("1e-12"))
    sol = _pair(data, "SOL", "hyperliquid", "binance")
    assert (sol["long_apr"], sol["short_apr"], sol["spread_apr"]) == (
        "0.050486508",
        "0.0704961",
        "0.020009592",
    )
    # best pair per symbol only, sorted by net APR (best first)
    symbols = [row["symbol"] for row in data["opportunities"]]
    assert len(symbols) == len(set(symbols))
    nets = [Decimal(row["net_apr"]) for row in data["opportunities"]]
    assert nets == sorted(nets, reverse=True)
    # ETH long hyperliquid / short lighter (1.59 %: Lighter charges 0 %) edges out BTC
    assert symbols[:2] == ["ETH", "BTC"]


def test_all_pairs_include_grvt_and_legs_carry_their_units(runner: CliRunner) -> None:
    data = _scan(runner, "--all-pairs", "--symbols", "BTC,ETH")
    grvt = _pair(data, "BTC", "grvt", "hyperliquid")
    assert grvt["long_apr"] == "0.040515"
    assert grvt["long"]["rate"] == "0.000037"  # the recorded "0.0037" is a percent
    assert grvt["long"]["interval_hours"] == "8"
    assert grvt["spread_apr"] == "0.064629528"
    eth = _pair(data, "ETH", "hyperliquid", "binance")
    assert (eth["long_apr"], eth["short_apr"]) == ("0.042309924", "0.05491425")
    assert {row["symbol"] for row in data["opportunities"]} == {"BTC", "ETH"}
    assert all(v["ok"] for v in data["venues"].values())
    assert set(data["venues"]) == {"binance", "hyperliquid", "grvt", "lighter"}


def test_every_apr_is_a_plain_decimal_string(runner: CliRunner) -> None:
    data = _scan(runner, "--all-pairs")
    for row in data["opportunities"]:
        for key in ("long_apr", "short_apr", "spread_apr", "cost_apr", "net_apr"):
            text = row[key]
            assert isinstance(text, str) and "E" not in text.upper()
            Decimal(text)


def test_csv_and_min_apr_filter(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--format", "csv", "--min-apr", "0.5%"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("symbol,long_venue,short_venue,long_apr")
    # only ETH (1.59 %), BTC (1.58 %) and BNB (1.04 %) net above 0.5 %
    assert [line.split(",")[0] for line in lines[1:]] == ["ETH", "BTC", "BNB"]


def test_piped_default_is_plain_tab_separated(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0]
    assert header.split("\t")[:3] == ["symbol", "long", "short"]
    assert "\x1b[" not in result.stdout


def test_table_format_when_asked(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--format", "table"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split()[:3] == ["SYMBOL", "LONG", "SHORT"]
    assert "4/4 venues answered" in result.stdout


def test_snapshot_values_come_from_the_research_data(research_data: Path) -> None:
    """The bundled files are what the builder renders from shared/research-data."""
    from adapters.snapshot import bundled_snapshot
    from adapters.snapshot.build import build

    pytest.importorskip("pyarrow")
    rebuilt = build(research_data)
    bundled = bundled_snapshot()
    assert rebuilt.as_of == bundled.as_of
    assert [v.to_json() for v in rebuilt.venues] == [v.to_json() for v in bundled.venues]


def test_offline_now_is_each_venues_recording_instant(runner: CliRunner) -> None:
    """Every client sees the instant its answers were recorded as "now" (the snapshot's
    as_of, or the venue's own ``recorded_at``): no value is stamped with the wall clock, ages
    are >= 0, Binance/Hyperliquid/GRVT's next fundings fall at the recorded 16:00Z settlement
    and Lighter's row (recorded by ccxt on 2025-11-13) shows its true age of ~20 days."""
    from datetime import datetime

    data = _scan(runner, "--all-pairs")
    as_of = datetime.fromisoformat(data["as_of"].replace("Z", "+00:00"))
    legs = [row[side] for row in data["opportunities"] for side in ("long", "short")]
    assert {leg["venue"] for leg in legs} == {"binance", "hyperliquid", "grvt", "lighter"}
    for leg in legs:
        observed = datetime.fromisoformat(leg["observed_at"].replace("Z", "+00:00"))
        assert observed <= as_of, leg
        if leg["venue"] == "lighter":
            assert leg["observed_at"] == "2025-11-13T03:46:41Z", leg
            assert leg["next_funding_time"] == "2025-11-13T04:00:00Z", leg
        else:
            assert leg["next_funding_time"] == "2025-12-03T16:00:00Z", leg
    assert all(Decimal(row["data_age_seconds"]) >= 0 for row in data["opportunities"])
    ages = {
        (row["long_venue"], row["short_venue"]): Decimal(row["data_age_seconds"])
        for row in data["opportunities"]
        if row["symbol"] == "ETH"
    }
    lighter_age = (as_of - datetime(2025, 11, 13, 3, 46, 41, tzinfo=as_of.tzinfo)).total_seconds()
    assert ages[("hyperliquid", "lighter")] == Decimal(str(lighter_age))
    assert ages[("hyperliquid", "binance")] < 1  # Binance stamps its own time (ms)


def test_config_symbol_overrides_reach_the_adapters(runner: CliRunner, isolated: Path) -> None:
    """``[venues.<id>.symbols]`` is handed to the venue's own mapping: renaming
    Hyperliquid's BTC makes it a different instrument, so BTC pairs no longer use it."""
    (isolated / "atomic-fp.toml").write_text(
        '[venues.hyperliquid.symbols]\nBTC = { symbol = "XBT", multiplier = "1" }\n'
    )
    data = _scan(runner, "--all-pairs", "--symbols", "BTC,XBT")
    pairs = {(r["symbol"], r["long_venue"], r["short_venue"]) for r in data["opportunities"]}
    assert ("BTC", "binance", "grvt") in pairs
    assert all("hyperliquid" not in pair for pair in pairs)


@pytest.mark.parametrize("base", ["BTC", "ETH", "SOL"])
def test_bundled_rates_equal_the_recorded_csv_rows(base: str) -> None:
    """Independent of the builder (and of pyarrow): the snapshot's Binance and Hyperliquid
    values are the rows settled at 2025-12-03 16:00Z in funding_rate_data's derived CSVs."""
    import csv

    from adapters.snapshot import bundled_snapshot
    from tests.conftest import research_file

    def settled(name: str) -> dict[str, str]:
        path = research_file(f"funding_rate_data/derived_csv/{name}")
        rows = [
            r
            for r in csv.DictReader(path.open())
            if r["settlement_ts"].startswith("2025-12-03T16:00:00")
        ]
        assert len(rows) == 1
        return rows[0]

    snapshot = bundled_snapshot()
    binance = snapshot.venue("binance")
    hyperliquid = snapshot.venue("hyperliquid")
    assert binance is not None and hyperliquid is not None
    premium = {r["symbol"]: r for r in binance.exchanges[0].body}
    row = settled(f"binance_{base}_USDT_funding_2025-08_2026-08.csv")
    assert Decimal(premium[f"{base}USDT"]["lastFundingRate"]) == Decimal(row["rate_raw"])
    # the derived CSV rounds mark prices (the parquet the builder reads keeps 8 decimals)
    mark = Decimal(premium[f"{base}USDT"]["markPrice"])
    assert abs(mark - Decimal(row["mark_price"])) <= Decimal("0.00001")
    meta, ctxs = hyperliquid.exchanges[0].body
    index = [u["name"] for u in meta["universe"]].index(base)
    row = settled(f"hyperliquid_{base}_USDC_funding_2025-08_2026-08.csv")
    assert Decimal(ctxs[index]["funding"]) == Decimal(row["rate_raw"])


def test_grvt_btc_in_the_snapshot_has_btcs_own_limits() -> None:
    """GRVT's BTC_USDT_Perp row is GRVT's real BTC instrument (ccxt grvt.ts parseMarket
    comment), not AAVE's row with BTC's name on it: min notional 100 USDT (AAVE: 5), cap
    +-0.3 % per 8 h (AAVE: 0.75 %)."""
    from adapters.grvt.parsers import parse_instruments
    from adapters.snapshot import bundled_snapshot
    from atomic_fp.models.identifiers import ExchangeIdentifier

    recording = bundled_snapshot().venue("grvt")
    assert recording is not None
    body = next(e.body for e in recording.exchanges if e.path == "/full/v1/all_instruments")
    (btc,) = parse_instruments(ExchangeIdentifier("grvt"), body).unwrap().instruments
    assert btc.market.min_notional == Decimal(100)
    assert (btc.market.tick_size, btc.market.min_size) == (Decimal("0.1"), Decimal("0.001"))
    assert (btc.funding_cap, btc.funding_floor) == (Decimal("0.003"), Decimal("-0.003"))
