"""Strategy cycles through the real decisions on paper venues, aggregators with a venue
down or slow (What it must show: 1 for a whole cycle, and 6)."""

from __future__ import annotations

from decimal import Decimal

import anyio
import pytest
from returns.result import Failure, Success

from adapters.paper import PaperVenue
from atomic_fp.aggregators import (
    FundingRateAggregator,
    MarketAggregator,
    OrderAggregator,
    PositionAggregator,
)
from atomic_fp.errors import Ambiguous, NetworkError, VenueTimeout
from atomic_fp.models import OrderRequest, Side, SignalKind
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration import ExecutionJournal, ExecutionStatus, LegOutcome, OrderPurpose
from tests.shell.helpers import (
    BTC,
    call_events,
    call_rounds,
    hedge,
    journaled_residuals,
    net_base,
    orchestrator,
    paper,
)

pytestmark = pytest.mark.anyio

LOW, HIGH, HIGHEST = Decimal("0.0001"), Decimal("0.001"), Decimal("0.003")


async def test_cycle_opens_the_best_hedge_and_keeps_it_balanced() -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    orch = orchestrator([a, b])
    report = await orch.run_strategy_cycle()
    assert report.action == "funding", report.describe()
    assert report.reconciliation is not None and report.reconciliation.clean
    assert report.signal is not None and report.signal.kind is SignalKind.OPEN
    legs = {leg.exchange.name: leg.side for leg in report.signal.legs}
    assert legs == {"a": Side.BUY, "b": Side.SELL}  # long where funding is low
    assert report.execution is not None and report.execution.status is ExecutionStatus.COMPLETE
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == -1
    assert net_base([a, b]) == 0


async def test_whole_cycle_overlaps_every_venue_call() -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    orch = orchestrator([a, b])
    await orch.reconcile()
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    for venue in (a, b):
        venue.call_log.clear()
    # Calls yield while "in flight"; the order of their events is asserted, never time.
    a.faults.latency = b.faults.latency = 0.05
    report = await orch.run_strategy_cycle()
    assert report.execution is not None and report.execution.status is ExecutionStatus.COMPLETE
    # A cycle is one round of reads (rates, positions, books and account margin on both
    # venues, at once) and one round of orders (both legs at once). Done one call at a time
    # it would be 2 venues x (4 reads + 1 order) = 10 rounds.
    events = call_events([a, b])
    assert call_rounds(events) == 2, [(e.venue, e.call, e.phase) for e in events]
    starts = [(e.venue, e.call) for e in events if e.phase == "start"]
    assert sorted(starts) == sorted(
        (v, c)
        for v in ("a", "b")
        for c in ("funding_rates", "positions", "book", "margin", "place_order")
    )


async def test_a_cycle_with_order_latency_sends_both_legs_in_one_round() -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    orch = orchestrator([a, b])
    await orch.reconcile()
    for venue in (a, b):
        venue.call_log.clear()
    a.faults.order_latency = b.faults.order_latency = 0.05
    report = await orch.run_strategy_cycle()
    assert report.execution is not None and report.execution.status is ExecutionStatus.COMPLETE
    orders = [e for e in call_events([a, b]) if e.call == "place_order"]
    # sequential legs: a starts, a arrives, b starts; concurrent: both start first
    assert [e.phase for e in orders[:2]] == ["start", "start"], orders
    assert {e.venue for e in orders[:2]} == {"a", "b"}
    assert call_rounds(orders) == 1


async def test_a_venue_down_is_excluded_never_zero_and_the_others_still_trade() -> None:
    # c has the highest rate: it would be the short leg if it were (wrongly) usable.
    a, b, c = paper("a", rate=LOW), paper("b", rate=HIGH), paper("c", rate=HIGHEST)
    c.faults.down = True
    orch = orchestrator([a, b, c])
    report = await orch.run_strategy_cycle()
    assert "c" in report.excluded and "NetworkError" in report.excluded["c"]
    assert set(report.excluded) == {"c"}
    assert report.signal is not None
    assert {leg.exchange.name for leg in report.signal.legs} == {"a", "b"}
    assert report.execution is not None and report.execution.status is ExecutionStatus.COMPLETE
    assert any("no opening on c" in why for why in report.blocked)
    assert "place_order" not in c.calls


async def test_unresolved_order_halts_trading_until_resolved() -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    orch = orchestrator([a, b])
    await orch.reconcile()
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    b.faults.timeout_after_fill_next = 1
    b.faults.read_failure_probability = 1.0
    report = await orch.execute_signal(hedge())
    assert report.status is ExecutionStatus.UNRESOLVED
    halted = await orch.run_strategy_cycle()
    assert halted.action == "none" and "halted" in halted.no_trade[0]
    b.faults.read_failure_probability = 0.0
    resumed = await orch.run_strategy_cycle()
    assert resumed.reconciliation is not None and resumed.reconciliation.clean
    assert net_base([a, b]) == 0


async def test_position_mismatch_refuses_opening_until_accepted() -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    # Someone traded on b by hand: the journal knows nothing of it.
    manual = await orchestrator([a, b]).execute_signal(hedge("a", "b", Decimal("0.5")))
    assert manual.status is ExecutionStatus.COMPLETE
    orch = orchestrator([a, b])  # fresh (empty) journal
    report = await orch.run_strategy_cycle()
    assert report.reconciliation is not None and not report.reconciliation.clean
    assert len(report.reconciliation.differences) == 2
    assert report.execution is None
    assert any("opening refused" in why for why in report.no_trade), report.describe()
    accepted = await orch.accept_venue_positions("operator: positions opened by hand")
    assert accepted.clean
    opened = await orch.run_strategy_cycle()
    assert opened.execution is not None and opened.execution.status is ExecutionStatus.COMPLETE


async def test_unfixable_residual_is_reported_then_rebalanced_next_cycle(
    journal: ExecutionJournal,
) -> None:
    a, b = paper("a", rate=LOW), paper("b", rate=HIGH)
    orch = orchestrator([a, b], journal=journal)
    await orch.reconcile()
    b.faults.reject_probability = 1.0  # b refuses every order...
    a.faults.reject_reduce_only = True  # ...and a refuses the unwinds
    report = await orch.execute_signal(hedge())
    assert report.status is ExecutionStatus.RESIDUAL
    assert report.residual_base == Decimal(1) == net_base([a, b])
    assert "UNHEDGED RESIDUAL 1" in report.message
    unwinds = [x for x in report.attempts if x.purpose is OrderPurpose.UNWIND]
    assert [x.outcome for x in unwinds] == [LegOutcome.REJECTED, LegOutcome.REJECTED]
    assert await journaled_residuals(journal) == [Decimal(1)]
    # The venues recover: the next cycle's rebalance decision removes the residual.
    a.faults.clear()
    b.faults.clear()
    cycle = await orch.run_strategy_cycle()
    assert cycle.action == "rebalance", cycle.describe()
    assert cycle.execution is not None and cycle.execution.status is ExecutionStatus.COMPLETE
    assert net_base([a, b]) == 0


async def test_aggregators_return_the_others_when_one_is_down_or_slow() -> None:
    a, b, c, d = paper("a", rate=LOW), paper("b", rate=HIGH), paper("c"), paper("d")
    await orchestrator([a, b]).execute_signal(hedge())
    c.faults.down = True
    d.faults.latency = 300.0
    venues = [a, b, c, d]
    d.call_log.clear()
    # A guard against hanging, not a speed test: d would answer after 300 s per call.
    with anyio.fail_after(120):
        rates = await FundingRateAggregator(venues, timeout=0.2).get_all_rates(BTC)
        positions = await PositionAggregator(venues, timeout=0.2).get_all_positions(BTC)
        exposure = await PositionAggregator(venues, timeout=0.2).exposure_report()
        markets = await MarketAggregator(venues, timeout=0.2).get_all_markets(BTC)
    # the slow venue blocked nobody: every call to it was given up on, none answered
    d_phases = [e.phase for e in call_events([d])]
    assert d_phases.count("start") == d_phases.count("unanswered") == 4, d_phases
    assert isinstance(rates[a.exchange], Success) and rates[b.exchange].unwrap().rate == HIGH
    assert isinstance(rates[c.exchange], Failure)
    assert isinstance(rates[c.exchange].failure(), NetworkError)
    assert isinstance(rates[d.exchange].failure(), VenueTimeout)
    assert positions[a.exchange].unwrap() is not None
    assert isinstance(positions[c.exchange], Failure)  # unknown, not flat
    assert isinstance(markets[b.exchange], Success)
    assert exposure.net == {BTC: Decimal(0)}
    assert set(exposure.uncounted) == {c.exchange, d.exchange}
    assert not exposure.complete and "NOT COUNTED" in exposure.describe()
    assert exposure.by_venue[a.exchange] == {BTC: Decimal(1)}


async def test_order_aggregator_timeout_on_a_write_is_ambiguous() -> None:
    a, b = paper("a"), paper("b")
    b.faults.latency = 5.0
    results = await OrderAggregator(timeout=0.2).place_orders(
        [(a, _request(a, "x1")), (b, _request(b, "x2"))]
    )
    assert isinstance(results[0], Success)
    assert isinstance(results[1], Failure) and isinstance(results[1].failure(), Ambiguous)


def _request(venue: PaperVenue, cid: str) -> OrderRequest:
    trader = AtomicTrader(venue, BTC)
    return trader.request(Side.BUY, Decimal("0.1"), cid, limit_price=Decimal(60_000))
