"""A ccxt venue configured in TOML (``kind = "ccxt"``, ``exchange = "bitget"``) scanned
against a local Bitget speaking its v2 wire format (``tests/adapters/ccxt_venue/
fake_venue.py``): rates whose interval is known (from ccxt's ``fetchFundingIntervals`` or
the cadence of the symbol's history) are ranked, the one without an interval is left out
with the reason, never assumed 8 h; an exchange ccxt does not know is a config error
(exit 2); ``--help`` and ``scan --offline`` never import ccxt."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.ccxt_venue.fake_venue import FakeBitget, config_toml, serve

PAPER = (
    '[venues.paper]\nkind = "paper"\n'
    'options = { symbols = "BTC,ETH,SOL,DOGE", "funding_rate.BTC" = "-0.0001", '
    '"funding_rate.ETH" = "-0.0001", "funding_rate.SOL" = "-0.0001", '
    '"funding_rate.DOGE" = "-0.0001", "price.SOL" = "100", "price.DOGE" = "100" }\n'
)


@pytest.fixture
def bitget() -> Iterator[tuple[FakeBitget, str]]:
    fake = FakeBitget()
    with serve(fake) as url:
        yield fake, url


def _pairs(data: dict[str, object]) -> set[str]:
    opportunities = data["opportunities"]
    assert isinstance(opportunities, list)
    return {o["symbol"] for o in opportunities if "bitget" in (o["long_venue"], o["short_venue"])}


def test_rates_with_known_intervals_are_ranked_and_one_without_is_left_out(
    runner: CliRunner, isolated: Path, bitget: tuple[FakeBitget, str]
) -> None:
    fake, url = bitget
    (isolated / "atomic-fp.toml").write_text(config_toml(url) + PAPER)
    result = runner.invoke(cli, ["scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reason = (
        "bitget DOGE: interval uncertain (ccxt gives no funding interval for DOGE/USDT:USDT "
        "(no 'interval', none from fetchFundingIntervals, no regular history cadence); "
        "not assumed 8 h)"
    )
    assert data["left_out"] == [reason]
    assert reason in result.stderr
    # BTC 8 h and ETH 4 h from fetchFundingIntervals, SOL 1 h from its hourly history
    assert _pairs(data) == {"BTC", "ETH", "SOL"}
    paths = fake.paths()
    assert "/api/v2/mix/market/tickers" in paths  # ccxt's fetchFundingRates
    assert "/api/v2/mix/market/current-fund-rate" in paths  # ccxt's fetchFundingIntervals
    assert paths.count("/api/v2/mix/market/history-fund-rate") == 2  # SOL and DOGE only


def test_the_interval_of_each_rate_is_the_venues_not_8h(
    runner: CliRunner, isolated: Path, bitget: tuple[FakeBitget, str]
) -> None:
    _, url = bitget
    (isolated / "atomic-fp.toml").write_text(config_toml(url) + PAPER)
    result = runner.invoke(cli, ["scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    legs = {
        o[leg]["venue_symbol"]: o[leg]
        for o in data["opportunities"]
        for leg in ("long", "short")
        if o[leg]["venue"] == "bitget"
    }
    hours = {symbol: leg["interval_hours"] for symbol, leg in legs.items()}
    assert hours == {"BTC/USDT:USDT": "8", "ETH/USDT:USDT": "4", "SOL/USDT:USDT": "1"}
    # annualised per its own interval: 0.0003 per 1 h settlement = 0.0003 x 8760
    assert legs["SOL/USDT:USDT"]["apr"] == "2.628"
    assert legs["ETH/USDT:USDT"]["apr"] == "0.438"  # 0.0002 x 2190


def test_an_exchange_ccxt_does_not_know_is_a_usage_error(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.nowhere]\nkind = "ccxt"\nexchange = "notanexchange"\n'
    )
    result = runner.invoke(cli, ["scan", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "venues.nowhere.exchange" in result.output
    assert "an exchange id ccxt knows" in result.output
    assert "notanexchange" in result.output
    assert "Traceback" not in result.output


def test_a_ccxt_venue_without_an_exchange_is_a_usage_error(
    runner: CliRunner, isolated: Path
) -> None:
    (isolated / "atomic-fp.toml").write_text('[venues.x]\nkind = "ccxt"\n')
    result = runner.invoke(cli, ["scan"])
    assert result.exit_code == 2, result.output
    assert "venues.x.exchange" in result.output
    assert "Traceback" not in result.output


def test_venues_shows_what_each_ccxt_venue_can_do(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.bitget]\nkind = "ccxt"\nexchange = "bitget"\n'
        '[venues.gate]\nkind = "ccxt"\nexchange = "gate"\n'
        'api_key_env = "GATE_KEY"\nsecret_env = "GATE_SECRET"\n'
    )
    result = runner.invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    configured = {v["id"]: v for v in data["configured"]}
    assert configured["bitget"]["exchange"] == "bitget"
    # without keys: the public calls bitget's has map grants (the book since issue 18's
    # account part; positions, balances and payments need keys)
    assert configured["bitget"]["capabilities"] == [
        "funding_history",
        "funding_rates",
        "markets",
        "order_book",
    ]
    # with keys configured, ccxt's has map grants gate's order and account calls too
    assert {"place_order", "cancel_order", "order_status", "positions", "balances"} <= set(
        configured["gate"]["capabilities"]
    )
    shown = runner.invoke(cli, ["venues"])
    assert "ccxt bitget: funding_history, funding_rates, markets" in shown.output


@pytest.mark.parametrize("args", [["--help"], ["scan", "--offline", "--format", "json"]])
def test_help_and_offline_scan_do_not_import_ccxt(args: list[str], tmp_path: Path) -> None:
    code = (
        "import sys, scripts.cli\n"
        "from click.testing import CliRunner\n"
        f"r = CliRunner().invoke(scripts.cli.cli, {args!r})\n"
        "assert r.exit_code == 0, r.output\n"
        "loaded = sorted(m for m in sys.modules if m == 'ccxt' or m.startswith('ccxt.'))\n"
        "assert not loaded, loaded\n"
        "assert 'adapters.ccxt_venue.factory' not in sys.modules\n"
        "print('ok')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout
