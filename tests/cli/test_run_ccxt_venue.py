"""``atomic-fp run`` with a ccxt venue as one leg, end to end: a paper venue and
``kind = "ccxt"``, ``exchange = "bitget"`` against the local Bitget
(``tests/adapters/ccxt_venue/fake_venue.py``: v2 wire, every private request's signature
checked server-side, IOC orders filled at its 5-deep book).

Paper pays 0.0001 per 8 h (10.95 % APR); Bitget's BTC pays 0.0005 per hour (438 % APR,
interval from ``current-fund-rate``): the signal is long paper / short Bitget. The
opening check needs Bitget's maintenance rate for BTC, which only its leverage tiers give
(``adapters/ccxt_venue/margin.py``): read after the cycle asked BTC's book, before any
order; without them the leg is refused, naming why, and nothing is sent.
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
from tests.adapters.ccxt_venue.fake_venue import (
    API_KEY,
    PASSPHRASE,
    SECRET,
    FakeBitgetAccount,
    config_toml,
    serve,
)
from tests.harness.venue import Reply, Request

CONFIG = """
[venues.paper-a]
kind = "paper"
[venues.paper-a.options]
symbols = "BTC"
"price.BTC" = "50000"
"funding_rate.BTC" = "0.0001"
"funding_hours.BTC" = "8"
state_path = "paper-a.json"

{bitget}
[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]

[journal]
path = "journal.sqlite"
"""
KEYS = {
    "api_key_env": "BITGET_TEST_KEY",
    "secret_env": "BITGET_TEST_SECRET",
    "password_env": "BITGET_TEST_PASSPHRASE",
}


@pytest.fixture
def bitget() -> Iterator[tuple[FakeBitgetAccount, str]]:
    fake = FakeBitgetAccount()
    fake.prices["BTCUSDT"] = "50000"
    fake.rates["BTCUSDT"] = "0.0005"
    fake.intervals["BTCUSDT"] = "1"
    fake.live_clock = True
    with serve(fake) as url:
        yield fake, url


def _run(runner: CliRunner, isolated: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("BITGET_TEST_KEY", API_KEY)
    monkeypatch.setenv("BITGET_TEST_SECRET", SECRET)
    monkeypatch.setenv("BITGET_TEST_PASSPHRASE", PASSPHRASE)
    (isolated / "atomic-fp.toml").write_text(CONFIG.format(bitget=config_toml(url, KEYS)))
    result = runner.invoke(
        cli, ["run", "--yes", "--no-streams", "--max-cycles", "1", "--json-lines"]
    )
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    return json.loads(result.stdout)


def test_run_opens_a_hedge_with_a_ccxt_leg_sized_by_its_leverage_tiers(
    runner: CliRunner,
    isolated: Path,
    bitget: tuple[FakeBitgetAccount, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, url = bitget
    cycle = _run(runner, isolated, url, monkeypatch)
    assert cycle["execution"]["status"] == "complete", cycle
    assert fake.rejected == []  # every signed request passed Bitget's own check
    (order,) = fake.orders.values()
    assert (order["symbol"], order["side"], order["size"], order["state"]) == (
        "BTCUSDT",
        "sell",
        "0.01",
        "filled",
    )
    paths = fake.paths()
    # the opening check had BTC's tier rate before the order went out
    assert paths.index("/api/v2/mix/market/query-position-lever") < paths.index(
        "/api/v2/mix/order/place-order"
    )
    positions = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "0"])
    rows = {(r["venue"], r["symbol"]): r for r in json.loads(positions.stdout)["positions"]}
    assert Decimal(rows[("bitget", "BTC")]["base_size"]) == Decimal("-0.01")
    assert Decimal(rows[("paper-a", "BTC")]["base_size"]) == Decimal("0.01")


class TiersDown(FakeBitgetAccount):
    """Bitget whose position-tier endpoint answers 503 every time."""

    def before(self, request: Request) -> Reply | None:
        if request.path == "/api/v2/mix/market/query-position-lever":
            return Reply(503, raw=b"<html>Service Unavailable</html>")
        return None


def test_without_its_leverage_tiers_the_ccxt_leg_is_refused_and_nothing_is_sent(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = TiersDown()
    fake.prices["BTCUSDT"], fake.rates["BTCUSDT"] = "50000", "0.0005"
    fake.intervals["BTCUSDT"], fake.live_clock = "1", True
    with serve(fake) as url:
        cycle = _run(runner, isolated, url, monkeypatch)
    assert cycle["execution"] is None or cycle["execution"]["status"] == "not_executed"
    assert "/api/v2/mix/order/place-order" not in fake.paths()
    assert "leverage tiers failed" in json.dumps(cycle)
