"""Issue 21, item 2: a price path that would liquidate the short leg on the paper venue.

With the safety decision (``[strategy] min_liquidation_distance``) the cycle closes BOTH
legs first and says why; without it the paper venue liquidates the short and leaves the
long naked. Hypothesis properties run the same over random price paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import anyio
import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper import PaperVenue
from atomic_fp.models import SignalKind
from atomic_fp.orchestration import ArbitrageOrchestrator
from scripts.config import ConfigError, parse
from tests.shell.helpers import BTC, CONFIG, PRICE, hedge, orchestrator, paper

THIN = {"USD": Decimal(5_000)}  # the short venue's collateral: ~9.5 % from liquidation
RISING = [Decimal(p) for p in (51_000, 52_000, 53_000, 54_000, 55_000, 56_000)]
BUFFERED = attrs.evolve(
    CONFIG, max_position=Decimal(1), liquidation_buffer=Decimal("0.05")
)  # what [strategy] min_liquidation_distance = "0.05" sets (test below)


def _venues() -> tuple[PaperVenue, PaperVenue]:
    # funding keeps the hedge worth holding (b's shorts receive), so only safety closes it
    return paper("a"), paper("b", rate=Decimal("0.0005"), balances=THIN)


async def _open(a: PaperVenue, b: PaperVenue, orch: ArbitrageOrchestrator | None = None) -> None:
    orch = orch or orchestrator([a, b], config=BUFFERED)
    report = await orch.execute_signal(hedge("a", "b"))
    assert report.hedged, report.describe()
    assert (a.position_size(BTC), b.position_size(BTC)) == (Decimal(1), Decimal(-1))


def _short_liquidation_price(b: PaperVenue) -> Decimal:
    (leg,) = b.margin().legs
    assert leg.liquidation_price is not None
    return leg.liquidation_price


def _move(venues: Sequence[PaperVenue], price: Decimal) -> None:
    for venue in venues:
        venue.set_mark_price(BTC, price)


def test_min_liquidation_distance_is_the_strategy_key() -> None:
    config = parse({"strategy": {"min_liquidation_distance": "0.05"}}, "t.toml")
    assert config.strategy.arbitrage_config({}).liquidation_buffer == Decimal("0.05")
    with pytest.raises(ConfigError, match="min_liquidation_distance"):
        parse({"strategy": {"min_liquidation_distance": "1.5"}}, "t.toml")


@pytest.mark.anyio
async def test_without_the_decision_the_paper_venue_liquidates_the_short() -> None:
    a, b = _venues()
    await _open(a, b)
    liquidation_price = _short_liquidation_price(b)
    assert Decimal(54_000) < liquidation_price < Decimal(55_000)
    for price in RISING:
        _move([a, b], price)
    (event,) = b.liquidations
    assert event.price == Decimal(55_000) and event.position.size == Decimal(-1)
    assert event.equity <= event.maintenance_margin
    assert b.position_size(BTC) == 0 and a.position_size(BTC) == Decimal(1)  # naked long
    assert b.ledger(BTC).liquidations == 1
    assert b.ledger(BTC).liquidation_fees == Decimal(55_000) * Decimal("0.01")


@pytest.mark.anyio
async def test_the_safety_decision_closes_both_legs_before_liquidation() -> None:
    a, b = _venues()
    orch = orchestrator([a, b], config=BUFFERED)
    await _open(a, b, orch)
    actions = []
    for price in RISING:
        _move([a, b], price)
        report = await orch.run_strategy_cycle()
        actions.append(report.action)
        if report.action == "safety":
            signal = report.signal
            assert signal is not None and signal.kind is SignalKind.CLOSE
            assert {str(leg.exchange) for leg in signal.legs} == {"a", "b"}
            assert all(leg.reduce_only for leg in signal.legs)
            assert "b is" in signal.reason and "from liquidation (buffer 5.00%)" in signal.reason
            assert report.execution is not None and report.execution.hedged
            assert "b is" in report.describe() and "from liquidation" in report.describe()
            assert "opening blocked" not in report.describe()
            break
    assert actions[-1] == "safety" and price == Decimal(53_000)  # 3.3 % < 5 % buffer
    assert a.position_size(BTC) == 0 and b.position_size(BTC) == 0
    _move([a, b], Decimal(56_000))  # the move that would have liquidated it
    assert b.liquidations == [] and a.liquidations == []


# --- properties over price paths -------------------------------------------------------

STEPS = st.lists(
    st.integers(min_value=-200, max_value=200).map(lambda bp: Decimal(bp) / 10_000),
    min_size=1,
    max_size=25,
)  # each step moves the mark by at most 2 %


def _path(steps: list[Decimal]) -> list[Decimal]:
    prices, price = [], PRICE
    for step in steps:
        price = (price * (1 + step)).quantize(Decimal("0.1"))
        prices.append(price)
    return prices


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_property_the_paper_venue_liquidates_exactly_where_it_said(steps: list[Decimal]) -> None:
    """Without a decision: liquidated iff the path reaches the reported liquidation price."""
    a, b = _venues()
    anyio.run(_open, a, b)
    reported = _short_liquidation_price(b)
    prices = _path(steps)
    for price in prices:
        _move([a, b], price)
    reached = [p for p in prices if p >= reported]
    assert bool(b.liquidations) == bool(reached)
    if reached:
        assert b.liquidations[0].price == reached[0]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_property_with_the_decision_nothing_is_liquidated_and_legs_close_together(
    steps: list[Decimal],
) -> None:
    """Steps (<= 2 %) smaller than the buffer (5 %): the decision always acts first, and
    the two legs are never left one open, one closed."""
    a, b = _venues()

    async def run() -> None:
        orch = orchestrator([a, b], config=BUFFERED)
        await _open(a, b, orch)
        for price in _path(steps):
            _move([a, b], price)
            report = await orch.run_strategy_cycle()
            if report.action == "safety":
                signal = report.signal
                assert signal is not None
                assert {str(leg.exchange) for leg in signal.legs} == {"a", "b"}
            assert (a.position_size(BTC) == 0) == (b.position_size(BTC) == 0)
            if a.position_size(BTC) == 0:
                break

    anyio.run(run)
    assert a.liquidations == [] and b.liquidations == []
