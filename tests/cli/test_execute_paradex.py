"""``atomic-fp execute --yes`` with a Paradex leg: the TOML names Paradex's two credential
environment variables, the client authenticates to the fake Paradex on 127.0.0.1 (which
verifies the auth and order signatures) and the hedge completes against a paper venue.

Paper pays 0.0005 per hour (438 % APR), Paradex's BTC 0.00012 per 8 h (13.14 %): the
signal is long Paradex, short paper. Paradex answers the order ``NEW`` (never final), so
the leg is settled by a lookup of its client id, as for any ambiguous answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.paradex.fake_venue import FakeParadex
from tests.adapters.paradex.test_trading import ACCOUNT, PRIVATE_KEY, PUBLIC_KEY
from tests.harness import serve

CONFIG = """
[venues.paradex]
kind = "paradex"
base_url = "{url}"
account_address_env = "T_PARADEX_ACCOUNT"
stark_private_key_env = "T_PARADEX_STARK_KEY"

[venues.paper]
kind = "paper"
[venues.paper.options]
symbols = "BTC"
"price.BTC" = "67000"
"funding_rate.BTC" = "0.0005"
"funding_hours.BTC" = "1"

[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]

[journal]
path = "journal.sqlite"
"""


@pytest.fixture
def paradex() -> Iterator[tuple[FakeParadex, str]]:
    fake = FakeParadex(accounts={ACCOUNT: PUBLIC_KEY})
    fake.books["BTC-USD-PERP"] = {"ask": Decimal("67001"), "bid": Decimal("66999")}
    with serve(fake) as url:
        yield fake, url + "/v1"


def test_execute_yes_hedges_with_a_paradex_leg(
    runner: CliRunner, isolated: Path, paradex: tuple[FakeParadex, str]
) -> None:
    fake, url = paradex
    (isolated / "atomic-fp.toml").write_text(CONFIG.format(url=url))
    env = {"T_PARADEX_ACCOUNT": hex(ACCOUNT), "T_PARADEX_STARK_KEY": hex(PRIVATE_KEY)}
    result = runner.invoke(cli, ["execute", "--yes", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    execution = cycle["execution"]
    assert execution["status"] == "complete" and execution["hedged"] is True, execution
    orders = {o["venue"]: o for o in execution["orders"]}
    assert orders["paradex"]["outcome"] == "filled"
    # the venue verified the signed order and filled it; the key never reached the output
    [body] = [r.json() for r in fake.received if (r.method, r.path) == ("POST", "/v1/orders")]
    assert (body["market"], body["side"]) == ("BTC-USD-PERP", "BUY")
    assert Decimal(body["size"]) == Decimal("0.01")
    # answered NEW (never final), the leg was settled by its client id: a cancel that
    # found it closed, then a lookup that found it filled
    cid = body["client_id"]
    assert [(r.method, r.path) for r in fake.received][-3:] == [
        ("DELETE", f"/v1/orders/by_client_id/{cid}"),
        ("GET", f"/v1/orders/by_client_id/{cid}"),
        ("GET", f"/v1/orders/by_client_id/{cid}"),
    ]
    assert fake.positions == {"BTC-USD-PERP": Decimal("0.01")}
    assert hex(PRIVATE_KEY)[2:] not in result.output
    assert (isolated / "journal.sqlite").exists()
    # positions reads the Paradex leg back through the same JWT-authorised client
    held = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "1"], env=env)
    assert held.exit_code == 0, held.output
    sizes = {
        (p["venue"], p["symbol"]): p["base_size"] for p in json.loads(held.stdout)["positions"]
    }
    assert sizes[("paradex", "BTC")] == "0.01"
