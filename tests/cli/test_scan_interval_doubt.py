"""``scan`` leaves out a rate whose interval is in doubt and says why (JSON ``left_out``
and a warning on stderr): a local Binance announces a next funding off the grid of the
interval its fundingInfo gives."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.binance.fake_venue import FakeBinance, serve

VENUE_NOW = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
AT_13 = int(datetime(2026, 3, 1, 13, tzinfo=timezone.utc).timestamp() * 1000)


@pytest.fixture
def binance() -> Iterator[str]:
    fake = FakeBinance("k" * 64, "s" * 64)
    fake.clock_offset_ms = int(VENUE_NOW.timestamp() * 1000) - int(time.time() * 1000)
    fake.next_funding_overrides = {"BTCUSDT": AT_13}  # fundingInfo: 8 h (default)
    with serve(fake) as url:
        yield url


def test_a_rate_with_an_uncertain_interval_is_left_out_with_the_reason(
    runner: CliRunner, isolated: Path, binance: str
) -> None:
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.binance]\nkind = "binance"\nbase_url = "{binance}"\n'
        '[venues.paper]\nkind = "paper"\n'
        'options = { symbols = "BTC,ETH", "funding_rate.BTC" = "0.0001", '
        '"funding_rate.ETH" = "0.0001" }\n'
    )
    result = runner.invoke(cli, ["scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reason = (
        "binance BTC: interval uncertain "
        "(next funding 2026-03-01 13:00Z is off the 8h settlement grid)"
    )
    assert data["left_out"] == [reason]
    pairs = {(o["symbol"], o["long_venue"], o["short_venue"]) for o in data["opportunities"]}
    assert ("BTC", "binance", "paper") not in pairs and ("BTC", "paper", "binance") not in pairs
    assert ("ETH", "binance", "paper") in pairs or ("ETH", "paper", "binance") in pairs
    assert reason in result.stderr
