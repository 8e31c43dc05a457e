"""``execute`` decides with each venue's own fees: the account's rates when the venue's
credentials are set (a local Hyperliquid on 127.0.0.1 answering ``userFees`` with ccxt's
recorded 0.035 % taker), config fees for a venue that sets them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER, FakeHyperliquid, serve


@pytest.fixture
def hyperliquid() -> Iterator[tuple[FakeHyperliquid, str]]:
    fake = FakeHyperliquid(mainnet=True)
    recorded = fake._info

    def info(body: dict[str, Any]) -> Any:
        answer = recorded(body)
        if body.get("type") == "l2Book":  # the fake's book is stamped 2023: make it fresh
            answer = {**answer, "time": int(time.time() * 1000)}
        return answer

    fake._info = info  # type: ignore[method-assign]
    with serve(fake) as url:
        yield fake, url


def _config(path: Path, url: str) -> None:
    path.write_text(
        f'[venues.hl]\nkind = "hyperliquid"\nbase_url = "{url}"\n'
        'account_address_env = "TEST_HL_ADDRESS"\nagent_private_key_env = "TEST_HL_AGENT"\n'
        'options = { network = "mainnet" }\n'
        '[venues.paper]\nkind = "paper"\nfees = { maker = "0.0001", taker = "0.0003" }\n'
        'options = { symbols = "BTC", "price.BTC" = "100000", "funding_rate.BTC" = "-0.001", '
        '"funding_hours.BTC" = "8" }\n'
        '[strategy]\nbuild_threshold = "0.05"\nclose_threshold = "0.01"\n'
        'trade_size = "0.001"\nmax_position = "0.01"\nsymbols = ["BTC"]\n'
    )


def test_execute_uses_the_accounts_fee_rates(
    runner: CliRunner, isolated: Path, hyperliquid: tuple[FakeHyperliquid, str]
) -> None:
    fake, url = hyperliquid
    _config(isolated / "atomic-fp.toml", url)
    env = {"TEST_HL_ADDRESS": MASTER, "TEST_HL_AGENT": AGENT_KEY}
    result = runner.invoke(cli, ["-v", "execute", "--dry-run", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    assert cycle["signal"] is not None, json.dumps(cycle)
    reason = cycle["signal"]["reason"]
    # fees 2 x (0.00035 account + 0.0003 config) = 0.0013 over 168 h = 6.78 % APR
    # (with Hyperliquid's published 0.045 % it would be 7.82 %)
    assert "6.78%" in reason, reason
    assert "venue hl fees: taker 0.00035 maker 0.0001 (account)" in result.stderr
    assert "venue paper fees: taker 0.0003 maker 0.0001 (config)" in result.stderr
    assert ("/info", {"type": "userFees", "user": MASTER}) in fake.requests
