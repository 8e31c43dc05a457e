"""``scan``'s net APR uses each venue's own fees, and says where each came from.

Offline rows, computed by hand from the bundled snapshot (APR = rate / interval_hours x
8760; cost = 2 x (taker_long + taker_short) / 168 h x 8760, the default 7-day horizon) and
the published base tiers (adapters/published_fees.py: Binance 0.05 %, Hyperliquid 0.045 %,
GRVT 0.055 %, Lighter 0 % as its ``orderBookDetails`` sends ``taker_fee "0.0000"``):

- ETH long hyperliquid / short lighter: Hyperliquid ETH ``funding`` 0.0000048299 / h ->
  0.042309924; Lighter ``/funding-rates`` ETH 9.6e-05 per 8 h = 0.000012 per hourly
  settlement -> 0.10512; spread 0.062810076; cost 2 x 0.00045 x 52.142857... =
  0.046928571428...; net 0.015881504571 (the issue's "+1.59 %", was -4.15 % with one
  0.05 % fee for every venue).
- BTC long binance / short hyperliquid: spread 0.114835278; cost 2 x 0.00095 x 52.1428...
  = 0.099071428571...; net 0.015763849429.
- BTC long grvt / short hyperliquid: spread 0.064629528; cost 2 x 0.001 x 52.1428... =
  0.104285714285...; net -0.039656186286.
- ETH long binance / short lighter: spread 0.05020575; cost 2 x 0.0005 x 52.1428... =
  0.052142857142...; net -0.001937107143.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.hyperliquid.fake_venue import MASTER, FakeHyperliquid, serve

WEEK_FACTOR = Decimal(8760) / 168
Q = Decimal("1e-12")


def _scan(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["scan", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _row(data: dict[str, Any], symbol: str, long: str, short: str) -> dict[str, Any]:
    for row in data["opportunities"]:
        if (row["symbol"], row["long_venue"], row["short_venue"]) == (symbol, long, short):
            return dict(row)
    raise AssertionError(f"no {symbol} {long}->{short}")


@pytest.mark.parametrize(
    ("symbol", "long", "short", "spread", "takers", "net"),
    [
        ("ETH", "hyperliquid", "lighter", "0.062810076", ("0.00045", "0"), "0.015881504571"),
        ("BTC", "binance", "hyperliquid", "0.114835278", ("0.0005", "0.00045"), "0.015763849429"),
        ("BTC", "grvt", "hyperliquid", "0.064629528", ("0.00055", "0.00045"), "-0.039656186286"),
        ("ETH", "binance", "lighter", "0.05020575", ("0.0005", "0"), "-0.001937107143"),
    ],
)
def test_offline_net_aprs_use_each_venues_published_fees(
    runner: CliRunner,
    symbol: str,
    long: str,
    short: str,
    spread: str,
    takers: tuple[str, str],
    net: str,
) -> None:
    row = _row(_scan(runner, "--offline", "--all-pairs"), symbol, long, short)
    assert row["spread_apr"] == spread
    cost = 2 * (Decimal(takers[0]) + Decimal(takers[1])) * WEEK_FACTOR
    assert Decimal(row["cost_apr"]) == cost.quantize(Q)
    assert Decimal(row["net_apr"]) == Decimal(net)
    assert Decimal(row["net_apr"]) == (Decimal(spread) - cost).quantize(Q)
    for side, taker in zip(("long", "short"), takers, strict=True):
        assert row[side]["fees"]["source"] == "published"
        assert Decimal(row[side]["fees"]["taker"]) == Decimal(taker)


def test_offline_lighter_is_hourly_and_ranks_first(runner: CliRunner) -> None:
    data = _scan(runner, "--offline")
    top = data["opportunities"][0]
    assert (top["symbol"], top["long_venue"], top["short_venue"]) == (
        "ETH",
        "hyperliquid",
        "lighter",
    )
    assert top["short"]["interval_hours"] == "1"
    assert top["short"]["rate"] == "0.000012"
    result = runner.invoke(cli, ["scan", "--offline", "--symbols", "ETH"])
    header, row = result.stdout.splitlines()[:2]
    eth = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert eth["intervals"] == "1h/1h"  # Lighter settles hourly
    assert (eth["taker_fees"], eth["fee_sources"]) == ("0.045%/0.000%", "published/published")
    venues = data["venues"]
    assert {name: v["fees"]["source"] for name, v in venues.items()} == {
        "binance": "published",
        "hyperliquid": "published",
        "grvt": "published",
        "lighter": "published",
    }
    assert "orderBookDetails" in venues["lighter"]["fees"]["detail"]


def test_config_fees_override_the_published_ones(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.lighter]\nkind = "lighter"\nfees = { maker = "0.00004", taker = "0.00028" }\n'
    )
    row = _row(_scan(runner, "--offline", "--all-pairs"), "ETH", "hyperliquid", "lighter")
    assert row["short"]["fees"]["source"] == "config"
    cost = 2 * (Decimal("0.00045") + Decimal("0.00028")) * WEEK_FACTOR
    assert Decimal(row["net_apr"]) == (Decimal("0.062810076") - cost).quantize(Q)
    assert row["long"]["fees"]["source"] == "published"


@pytest.fixture
def hyperliquid() -> Iterator[tuple[FakeHyperliquid, str]]:
    fake = FakeHyperliquid(mainnet=True)
    with serve(fake) as url:
        yield fake, url


def test_live_scan_reads_the_accounts_fees_when_credentials_are_set(
    runner: CliRunner, isolated: Path, hyperliquid: tuple[FakeHyperliquid, str]
) -> None:
    fake, url = hyperliquid
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.hl]\nkind = "hyperliquid"\nbase_url = "{url}"\n'
        'account_address_env = "TEST_HL_ADDRESS"\n'
        '[venues.paper]\nkind = "paper"\nfees = { maker = "0.0001", taker = "0.0003" }\n'
        'options = { symbols = "BTC", "funding_rate.BTC" = "0.0001", "funding_hours.BTC" = "8" }\n'
    )
    result = runner.invoke(cli, ["scan", "--format", "json"], env={"TEST_HL_ADDRESS": MASTER})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    hl = data["venues"]["hl"]["fees"]
    # ccxt's recorded userFees answer: 0.035 % taker, 0.01 % maker (not tier 0's 0.045 %)
    assert (hl["source"], hl["taker"], hl["maker"]) == ("account", "0.00035", "0.0001")
    assert data["venues"]["paper"]["fees"]["source"] == "config"
    (row,) = data["opportunities"]
    cost = 2 * (Decimal("0.00035") + Decimal("0.0003")) * WEEK_FACTOR
    assert Decimal(row["cost_apr"]) == cost.quantize(Q)
    assert ("/info", {"type": "userFees", "user": MASTER}) in fake.requests
    assert MASTER not in result.stderr


def test_without_credentials_a_live_scan_sends_no_account_query(
    runner: CliRunner, isolated: Path, hyperliquid: tuple[FakeHyperliquid, str]
) -> None:
    fake, url = hyperliquid
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.hl]\nkind = "hyperliquid"\nbase_url = "{url}"\n'
        'account_address_env = "TEST_HL_ADDRESS"\n'
    )
    data = _scan(runner)
    assert data["venues"]["hl"]["fees"]["source"] == "published"
    assert all(body.get("type") != "userFees" for _, body in fake.requests)


def test_readme_example_rows_are_what_the_offline_scan_prints(runner: CliRunner) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("```text\nSYMBOL", 1)[1].split("```", 1)[0]
    shown = [line.split() for line in block.splitlines()[1:] if line and line != "..."]
    result = runner.invoke(cli, ["scan", "--offline", "--format", "table"])
    printed = [line.split() for line in result.stdout.splitlines()[1:]]
    assert len(shown) == 3 and printed[:3] == shown


def test_when_the_account_query_fails_the_public_quote_stays_and_says_why(
    runner: CliRunner, isolated: Path, hyperliquid: tuple[FakeHyperliquid, str]
) -> None:
    _, url = hyperliquid
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.hl]\nkind = "hyperliquid"\nbase_url = "{url}"\n'
        'account_address_env = "TEST_HL_ADDRESS"\n'
    )
    result = runner.invoke(
        cli, ["scan", "--format", "json"], env={"TEST_HL_ADDRESS": "not-an-address"}
    )
    assert result.exit_code == 0, result.output
    fees = json.loads(result.stdout)["venues"]["hl"]["fees"]
    assert (fees["source"], fees["taker"]) == ("published", "0.00045")
    assert "account rates not read" in fees["detail"] and "0x address" in fees["detail"]
    assert "not-an-address" not in result.stdout
