"""Every code example of the seed design runs as written (issue 14, "what it must show" 1).

Reference: ``../shared/seed/atomic-trading-framework.md`` (the specification of the public
API), read from the file at test time: its ``python`` blocks are executed with only the module
names mapped (``atomic`` -> ``atomic_fp``, ``exchanges.<venue>`` -> ``adapters.<venue>``), in
one namespace, top-level ``await`` included. What the seed leaves implicit is supplied, and
said here: ``Decimal``/``NamedTuple`` and the model names its concept snippets use without
importing, the ``grvt_config``/``lighter_config``/``binance_config`` objects (the real typed
configs), the aggregators its snippets call (``PositionAggregator(queryers)``...), and the
``...`` elisions of its "against the old architecture" block (three venues).

The clients' network is replaced by paper venues: ``adapters.grvt.GrvtClient`` (and Lighter,
Binance) are swapped for in-process paper venue classes that take the same config object;
the real classes' ``connect()`` is tested against recorded responses in
``tests/adapters/test_client_classes.py``.

Rates are the seed's data-flow example: GRVT 0.01 % per 8 h (10.95 % APR), Lighter 0.05 % per
hour (438 % APR: the seed's 43.8 % is its documented arithmetic slip), then Binance added
with its real BTCUSDT rate recorded on 2025-12-03 15:12 UTC (-0.000885 % per 8 h, the
bundled snapshot ``adapters/snapshot/data/binance.json``): the best pair moves from
GRVT-Lighter to Binance-Lighter with no other code change.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from returns.result import Result, Success

import adapters.binance
import adapters.grvt
import adapters.lighter
import atomic_fp
from adapters.client_config import ClientConfig
from adapters.paper import PaperClient, PaperConfig
from atomic_fp.errors import VenueError
from atomic_fp.models import Position, PositionSide
from atomic_fp.orchestration import CycleReport
from tests.conftest import REPO_ROOT

SEED = REPO_ROOT.parent / "shared" / "seed" / "atomic-trading-framework.md"

GRVT_RATE, GRVT_HOURS = Decimal("0.0001"), 8  # 0.01 % / 8 h
LIGHTER_RATE, LIGHTER_HOURS = Decimal("0.0005"), 1  # 0.05 % / 1 h
BINANCE_RATE, BINANCE_HOURS = Decimal("-0.00000885"), 8  # recorded BTCUSDT, 2025-12-03

pytestmark = pytest.mark.anyio


def seed_blocks() -> list[str]:
    if not SEED.is_file():
        pytest.skip("shared/seed is not available")
    return re.findall(r"```python\n(.*?)```", SEED.read_text(), flags=re.DOTALL)


def mapped(source: str) -> str:
    """The seed's module names mapped, nothing else changed."""
    source = re.sub(r"^from atomic import", "from atomic_fp import", source, flags=re.M)
    return re.sub(r"^from exchanges\.(\w+) import", r"from adapters.\1 import", source, flags=re.M)


async def run_block(source: str, namespace: dict[str, Any]) -> None:
    code = compile(mapped(source), str(SEED), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    awaitable = eval(code, namespace)
    if awaitable is not None:
        await awaitable


def stand_in(kind: str, rate: Decimal, hours: int) -> type[PaperClient]:
    """A paper venue class standing in for ``adapters.<kind>``'s client: built from that
    venue's own config object (its id names the venue), no network."""

    class StandIn(PaperClient):
        def __init__(self, config: ClientConfig) -> None:
            assert kind == config.KIND, f"{kind} client given a {type(config).__name__}"
            super().__init__(
                PaperConfig(
                    id=config.venue,
                    symbols=("BTC",),
                    funding_rates={"BTC": rate},
                    funding_hours={"BTC": hours},
                )
            )

    StandIn.__name__ = StandIn.__qualname__ = f"PaperStandIn[{kind}]"
    return StandIn


@pytest.fixture
def paper_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(adapters.grvt, "GrvtClient", stand_in("grvt", GRVT_RATE, GRVT_HOURS))
    monkeypatch.setattr(
        adapters.lighter, "LighterClient", stand_in("lighter", LIGHTER_RATE, LIGHTER_HOURS)
    )
    monkeypatch.setattr(
        adapters.binance, "BinanceClient", stand_in("binance", BINANCE_RATE, BINANCE_HOURS)
    )
    yield


def implicit_names() -> dict[str, Any]:
    """What the seed's snippets use without defining it."""
    from adapters.binance import BinanceConfig
    from adapters.grvt import GrvtConfig
    from adapters.lighter import LighterConfig

    return {
        "__name__": "seed_examples",
        "Decimal": Decimal,
        "NamedTuple": NamedTuple,
        "grvt_config": GrvtConfig(),
        "lighter_config": LighterConfig(),
        "binance_config": BinanceConfig(),
        **{name: getattr(atomic_fp, name) for name in atomic_fp.__all__},
    }


def fill_elisions(line: str) -> str:
    """``queryers={"ex_a": ..., ...}`` -> ``queryers={"ex_a": abc_queryers["ex_a"], ...}``
    (and traders alike); other lines unchanged."""
    argument = line.strip().partition("=")[0]
    if argument not in ("queryers", "traders"):
        return line
    return re.sub(r'"(ex_\w)": \.\.\.', rf'"\1": abc_{argument}["\1"]', line)


def held_position(result: Result[Position | None, VenueError]) -> Position:
    position = result.unwrap()
    assert position is not None, "flat"
    return position


def legs_of(orders: CycleReport) -> list[tuple[str, str, Decimal]]:
    return sorted((str(o.exchange), o.side.value, o.size) for o in orders)


def test_the_seed_has_the_examples_this_test_runs() -> None:
    blocks = seed_blocks()
    assert len(blocks) == 7
    assert "orchestrator.run_strategy_cycle()" in blocks[0]
    assert 'queryers["binance"]' in blocks[1]


async def test_every_seed_example_runs_as_written(paper_network: None) -> None:
    blocks = seed_blocks()
    ns = implicit_names()

    # Quick start: symbol, config, clients, connect, dict-keyed components, one cycle.
    await run_block(blocks[0], ns)
    orders = ns["orders"]
    assert isinstance(orders, CycleReport) and len(orders) == 2
    assert legs_of(orders) == [
        ("grvt", "buy", Decimal("0.1")),
        ("lighter", "sell", Decimal("0.1")),
    ]
    assert all(order.filled_size == order.size for order in orders)
    assert [orders[i] for i in range(len(orders))] == list(orders) == list(orders.orders)
    assert orders.execution is not None and orders.execution.hedged
    assert orders.execution.residual_base == 0
    assert orders.quotes == {"grvt": "USD", "lighter": "USD"}  # Symbol(quote="USDT") matched
    assert "quotes: grvt USD, lighter USD" in orders.describe()
    assert isinstance(ns["grvt_client"].connection, Success)
    signal = orders.signal
    assert signal is not None and signal.expected_net_apr is not None
    assert "spread 427.05%" in signal.reason, signal.reason

    # Adding an exchange: the same orchestrator, Binance added to the dicts only.
    await run_block(blocks[1], ns)
    again = await ns["orchestrator"].run_strategy_cycle()
    assert legs_of(again) == [
        ("binance", "buy", Decimal("0.1")),
        ("lighter", "sell", Decimal("0.1")),
    ], again.describe()
    assert again.execution is not None and again.execution.hedged

    # Core concept 1: one position on one exchange (and the rejected pair model still parses).
    await run_block(blocks[2], ns)
    position = ns["position"]
    assert position.size == Decimal("5.0") and position.side.value == "long"

    # Core concept 2: aggregators keyed by venue name, built from the quick start's queryers.
    ns["position_agg"] = atomic_fp.PositionAggregator(ns["queryers"])
    await run_block(blocks[3], ns)
    positions = ns["positions"]
    assert set(positions.names()) == {"grvt", "lighter", "binance"}
    assert positions["grvt"].unwrap().size == Decimal("0.1")
    assert positions["lighter"].unwrap().size == Decimal("-0.2")
    assert positions["binance"].unwrap().size == Decimal("0.1")
    assert ns["total_exposure"] == Success(Decimal("0.0"))

    # Core concept 3: the decision takes the aggregators' output as it comes.
    ns["rates"] = await atomic_fp.FundingRateAggregator(ns["queryers"]).get_all_rates()
    await run_block(blocks[4], ns)
    decided = ns["signal"].unwrap()
    assert [(str(leg.exchange), leg.side.value) for leg in decided.legs] == [
        ("binance", "buy"),
        ("lighter", "sell"),
    ]

    # Core concept 4: two- and three-legged signals in the seed's spelling.
    await run_block(blocks[5], ns)
    three = ns["signal"]
    assert [(str(leg.exchange_id), leg.side.value, leg.quantity) for leg in three.legs] == [
        ("grvt", "buy", Decimal("0.1")),
        ("binance", "sell", Decimal("0.1")),
        ("lighter", "sell", Decimal("0.1")),
    ]

    # Against the old architecture: any number of venues; its "..." elisions filled with
    # three venues' queryers/traders, its all_rates/all_positions from the aggregators.
    venues = {
        name: adapters.grvt.GrvtClient(adapters.grvt.GrvtConfig(id=name))
        for name in ("ex_a", "ex_b", "ex_c")
    }
    symbol = ns["symbol"]
    ns["abc_queryers"] = {n: atomic_fp.AtomicQueryer(c, symbol) for n, c in venues.items()}
    ns["abc_traders"] = {n: atomic_fp.AtomicTrader(c, symbol) for n, c in venues.items()}
    ns["all_rates"] = await atomic_fp.FundingRateAggregator(ns["abc_queryers"]).get_all_rates()
    ns["all_positions"] = await atomic_fp.PositionAggregator(ns["abc_queryers"]).get_all_positions()
    old_architecture = "\n".join(fill_elisions(line) for line in blocks[6].splitlines())
    await run_block(old_architecture, ns)
    assert set(ns["orchestrator"].queryers) == {atomic_fp.ExchangeIdentifier(n) for n in venues}
    # all three venues pay the same (GRVT's stand-in rate): no spread, no trade, said why
    assert "no tradable pair among 3 venues" in str(ns["signal"].failure())


async def test_the_data_flow_of_one_cycle(paper_network: None) -> None:
    """The seed's "data flow of one cycle": GRVT long 5.0 and Lighter short 5.0 held,
    rates 0.01 %/8 h and 0.05 %/1 h, spread 427.05 % APR >= 5 %: buy 0.1 on GRVT, sell
    0.1 on Lighter, and the cycle returns the two orders."""
    blocks = seed_blocks()
    ns = implicit_names()
    # the quick start up to the orchestrator (its last line, the cycle, comes later)
    quick_start = blocks[0].split("# 6. run the strategy")[0]
    await run_block(quick_start, ns)
    grvt, lighter = ns["grvt_client"], ns["lighter_client"]
    for client, side in ((grvt, "buy"), (lighter, "sell")):
        opened = await atomic_fp.AtomicTrader(client, ns["symbol"]).execute_trade(side, qty=5.0)
        assert opened.unwrap().filled_size == Decimal("5.0")
    orchestrator = ns["orchestrator"]
    # positions opened outside the orchestrator block opening until an operator adopts them
    blocked = await orchestrator.run_strategy_cycle()
    assert len(blocked) == 0 and blocked.blocked, blocked.describe()
    await orchestrator.accept_venue_positions("the data flow's existing hedge")

    position_agg = atomic_fp.PositionAggregator(ns["queryers"])
    funding_agg = atomic_fp.FundingRateAggregator(ns["queryers"])
    positions = await position_agg.get_all_positions()
    held = {name: held_position(positions[name]) for name in ("grvt", "lighter")}
    assert (held["grvt"].side, held["grvt"].quantity) == (PositionSide.LONG, Decimal("5.0"))
    assert (held["lighter"].side, held["lighter"].quantity) == (PositionSide.SHORT, Decimal("5.0"))
    rates = await funding_agg.get_all_rates()
    assert rates["grvt"].unwrap().rate == GRVT_RATE
    assert rates["grvt"].unwrap().apr == Decimal("0.1095")  # 10.95 %
    assert rates["lighter"].unwrap().apr == Decimal("4.38")  # 438 %, not the seed's 43.8 %
    spread = rates["lighter"].unwrap().apr - rates["grvt"].unwrap().apr
    assert spread == Decimal("4.2705") >= ns["config"].build_threshold

    orders = await orchestrator.run_strategy_cycle()
    assert orders.action == "funding", orders.describe()
    assert legs_of(orders) == [
        ("grvt", "buy", Decimal("0.1")),
        ("lighter", "sell", Decimal("0.1")),
    ]
    assert orders.signal is not None and "spread 427.05%" in orders.signal.reason
    after = await position_agg.get_all_positions()
    assert held_position(after["grvt"]).size == Decimal("5.1")
    assert held_position(after["lighter"]).size == Decimal("-5.1")
