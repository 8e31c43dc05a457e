"""``atomic-fp scan`` with a Paradex venue configured in TOML against the fake Paradex on
127.0.0.1 (``tests/adapters/paradex/fake_venue.py``) beside a paper venue: Paradex's
rates are ranked with each market's own funding period (8 h by default, 1 h for SOL),
fetched in one round trip (markets and the ``market=ALL`` summary together)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.paradex.fake_venue import FakeParadex
from tests.harness import serve

PAPER = (
    '[venues.paper]\nkind = "paper"\n'
    'options = { symbols = "BTC,ETH,SOL", "funding_rate.BTC" = "-0.0001", '
    '"funding_rate.ETH" = "0.0003", "funding_rate.SOL" = "-0.0001", '
    '"price.SOL" = "100", "price.ETH" = "3000" }\n'
)


@pytest.fixture
def paradex() -> Iterator[tuple[FakeParadex, str]]:
    fake = FakeParadex()
    with serve(fake) as url:
        yield fake, url + "/v1"


def test_scan_ranks_paradex_rates_with_their_own_periods_in_one_round_trip(
    runner: CliRunner, isolated: Path, paradex: tuple[FakeParadex, str]
) -> None:
    fake, url = paradex
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.paradex]\nkind = "paradex"\nbase_url = "{url}"\n' + PAPER
    )
    result = runner.invoke(cli, ["scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    legs = {
        o[leg]["venue_symbol"]: o[leg]
        for o in data["opportunities"]
        for leg in ("long", "short")
        if o[leg]["venue"] == "paradex"
    }
    assert {"BTC-USD-PERP", "SOL-USD-PERP"} <= set(legs)
    assert legs["BTC-USD-PERP"]["interval_hours"] == "8"  # no funding_period_hours: 8 h
    assert legs["SOL-USD-PERP"]["interval_hours"] == "1"
    # annualised per its own period: 0.00012 per 8 h x 1095, 0.00001 per 1 h x 8760
    assert legs["BTC-USD-PERP"]["apr"] == "0.1314"
    assert legs["SOL-USD-PERP"]["apr"] == "0.0876"
    assert sorted(fake.paths()) == ["/v1/markets", "/v1/markets/summary"]
