"""``atomic-fp collateral`` on two paper venues holding a hedge (issue 21, item 3).

The hand computation is the one of tests/core/test_collateral_plan.py: long 1 BTC on
"long-venue" with 30,000, short 1 BTC on "short-venue" with 10,000, mark 100,000, the paper
venue's 0.5 % maintenance margin -> move 10,097.50 so both legs end 19.5 % from
liquidation (80,500 and 119,500).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from adapters.paper import PaperMarketState, PaperVenue
from atomic_fp.models import Market, OrderRequest, OrderType, Side, Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.cli import cli

BTC = Symbol("BTC")
FREE = VenueFees(maker=Decimal(0), taker=Decimal(0))
CONFIG = """
[venues.long-venue]
kind = "paper"
fees = {{ maker = "0", taker = "0" }}
[venues.long-venue.options]
symbols = "BTC"
"price.BTC" = "100000"
state_path = "{a}"
[venues.short-venue]
kind = "paper"
fees = {{ maker = "0", taker = "0" }}
[venues.short-venue.options]
symbols = "BTC"
"price.BTC" = "100000"
state_path = "{b}"
[strategy]
min_liquidation_distance = "{buffer}"
"""


def _hold(path: Path, venue: str, side: Side, wallet: int) -> None:
    """A paper venue persisted at ``path`` holding 1 BTC filled exactly at the mark."""
    market = Market(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        venue_symbol="BTC-PERP",
        tick_size=Decimal("0.1"),
        lot_size=Decimal("0.001"),
    )
    paper = PaperVenue(
        venue,
        [PaperMarketState(market, Decimal(100_000))],
        fees=FREE,
        balances={"USD": Decimal(wallet)},
        state_path=path,
    )
    # the side we take quotes exactly the mark, the other one tick away (no locked book)
    at, away = Decimal(100_000), Decimal(100_000) - side.sign * Decimal("0.1")
    bids, asks = ([(away, Decimal(5))], [(at, Decimal(5))])
    if side is Side.SELL:
        bids, asks = [(at, Decimal(5))], [(away, Decimal(5))]
    paper.set_book(BTC, bids, asks)
    request = OrderRequest(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        side=side,
        size=Decimal(1),
        client_order_id=f"open-{venue}",
        order_type=OrderType.MARKET,
    )

    async def place() -> None:
        await paper.place_order(request)

    anyio.run(place)
    assert paper.position_size(BTC) == side.sign


def _setup(tmp: Path, buffer: str = "0.05") -> None:
    _hold(tmp / "a.json", "long-venue", Side.BUY, 30_000)
    _hold(tmp / "b.json", "short-venue", Side.SELL, 10_000)
    text = CONFIG.format(a=tmp / "a.json", b=tmp / "b.json", buffer=buffer)
    (tmp / "atomic-fp.toml").write_text(text)


def test_collateral_json_matches_the_hand_computation(runner: CliRunner, isolated: Path) -> None:
    _setup(isolated)
    result = runner.invoke(cli, ["collateral", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (plan,) = data["suggestions"]
    assert (plan["symbol"], plan["from"], plan["to"]) == ("BTC", "long-venue", "short-venue")
    assert Decimal(plan["amount"]) == Decimal("10097.50")
    after = {v: Decimal(d) for v, d in plan["liquidation_distance_after"].items()}
    assert after == {"long-venue": Decimal("0.195"), "short-venue": Decimal("0.195")}
    assert plan["urgent"] is False
    assert Decimal(data["venues"]["short-venue"]["equity"]) == 10_000
    assert Decimal(data["venues"]["short-venue"]["maintenance_margin"]) == 500
    assert "never moves funds" in data["note"]


def test_collateral_is_urgent_inside_the_buffer_and_exits_3(
    runner: CliRunner, isolated: Path
) -> None:
    _setup(isolated, buffer="0.15")  # the short is 9.45 % away
    result = runner.invoke(cli, ["collateral"])
    assert result.exit_code == 3, result.output
    assert "long-venue" in result.stdout and "10097.50" in result.stdout
    assert "URGENT" in result.stdout
    assert "suggestions only" in result.stdout


def test_collateral_json_follows_its_schema(runner: CliRunner, isolated: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")  # a dev dependency once the JSON contract lands
    _setup(isolated)
    result = runner.invoke(cli, ["collateral", "--format", "json"])
    schema_path = Path(__file__).parents[2] / "scripts" / "schemas" / "collateral.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(result.stdout), schema)
    broken = json.loads(result.stdout)
    broken["suggestions"][0]["amount"] = 10097.5  # a number, not a decimal string
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(broken))
