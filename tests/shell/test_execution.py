"""Leg-safe execution against paper venues (What it must show: 1-4)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from atomic_fp.errors import VenueRejected
from atomic_fp.models import OrderStatus, Side
from atomic_fp.orchestration import (
    ExecutionPolicy,
    ExecutionStatus,
    LegOutcome,
    MemoryJournal,
    OrderPurpose,
)
from tests.shell.helpers import (
    BTC,
    hedge,
    journaled_residuals,
    net_base,
    orchestrator,
    paper,
)

pytestmark = pytest.mark.anyio


async def test_clean_hedge_fills_both_legs_and_journals_intents_first() -> None:
    a, b = paper("a"), paper("b")
    journal = MemoryJournal()
    report = await orchestrator([a, b], journal=journal).execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE
    assert report.residual_base == 0
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == -1
    signal_id = report.signal_id
    events = journal.events
    assert events[0] == f"signal {signal_id}"
    for leg in (0, 1):
        cid = report.signal.client_order_id(leg, 0)
        assert events.index(f"intent {cid}") < events.index(f"outcome {cid} filled 1")
    assert events[-1] == f"finish {signal_id} complete 0"


async def test_two_legs_are_sent_concurrently_within_5ms() -> None:
    latency = 0.05
    a, b = paper("a"), paper("b")
    orch = orchestrator([a, b])
    for q in orch.queryers.values():  # warm the market cache: measure the legs alone
        (await q.get_market()).unwrap()
    a.faults.latency = b.faults.latency = latency
    started = time.perf_counter()
    report = await orch.execute_signal(hedge())
    elapsed = time.perf_counter() - started
    assert report.status is ExecutionStatus.COMPLETE
    # Sequential legs would take 2 x latency; concurrent ones about one.
    assert elapsed < 1.6 * latency + 0.03, elapsed
    (sub_a,) = a.submit_log
    (sub_b,) = b.submit_log
    assert abs(sub_a.submitted - sub_b.submitted) < 0.005
    assert sub_a.arrived is not None and sub_b.arrived is not None
    assert abs(sub_a.arrived - sub_b.arrived) < 0.005


async def test_leg_b_rejected_once_is_retried_with_a_new_id(journal: object) -> None:
    a, b = paper("a"), paper("b")
    b.faults.reject_next = 1
    orch = orchestrator([a, b], journal=journal)  # type: ignore[arg-type]
    report = await orch.execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE
    assert net_base([a, b]) == 0
    b_attempts = [x for x in report.attempts if x.leg_index == 1]
    assert [(x.purpose, x.attempt, x.outcome) for x in b_attempts] == [
        (OrderPurpose.ENTRY, 0, LegOutcome.REJECTED),
        (OrderPurpose.RETRY, 1, LegOutcome.FILLED),
    ]
    assert isinstance(b_attempts[0].error, VenueRejected)
    assert any("retried short leg 1" in action for action in report.actions)
    positions = await orch.journal.positions()
    assert positions[(a.exchange, BTC)] == 1 and positions[(b.exchange, BTC)] == -1
    orders = await orch.journal.orders_for_signal(report.signal_id)
    assert sorted((o.intent.leg_index, o.intent.attempt, o.outcome) for o in orders) == [
        (0, 0, LegOutcome.FILLED),
        (1, 0, LegOutcome.REJECTED),
        (1, 1, LegOutcome.FILLED),
    ]


async def test_leg_b_always_rejected_unwinds_leg_a(journal: object) -> None:
    a, b = paper("a"), paper("b")
    b.faults.reject_probability = 1.0
    orch = orchestrator([a, b], journal=journal)  # type: ignore[arg-type]
    report = await orch.execute_signal(hedge())
    assert a.position_size(BTC) == 0 and b.position_size(BTC) == 0
    assert report.residual_base == 0
    assert report.status is ExecutionStatus.NOT_EXECUTED
    story = [(x.leg_index, x.purpose, x.attempt, x.outcome) for x in report.attempts]
    assert (0, OrderPurpose.ENTRY, 0, LegOutcome.FILLED) in story
    assert (1, OrderPurpose.RETRY, 2, LegOutcome.REJECTED) in story
    unwind = [x for x in report.attempts if x.purpose is OrderPurpose.UNWIND]
    assert len(unwind) == 1
    assert unwind[0].request.reduce_only and unwind[0].request.side is Side.SELL
    assert unwind[0].outcome is LegOutcome.FILLED and unwind[0].attempt == 50
    assert "unwound excess of leg 0" in report.describe()
    # The journal tells the same story: every order, and positions back to zero.
    orders = await orch.journal.orders_for_signal(report.signal_id)
    assert len(orders) == len(report.attempts) == 5
    positions = await orch.journal.positions()
    assert positions[(a.exchange, BTC)] == 0
    assert positions.get((b.exchange, BTC), Decimal(0)) == 0
    assert not await orch.journal.open_signals()


async def test_leg_b_times_out_but_filled_is_found_by_client_id(journal: object) -> None:
    a, b = paper("a"), paper("b")
    b.faults.timeout_after_fill_next = 1
    orch = orchestrator([a, b], journal=journal)  # type: ignore[arg-type]
    report = await orch.execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE
    (b_attempt,) = [x for x in report.attempts if x.leg_index == 1]
    assert b_attempt.looked_up and b_attempt.outcome is LegOutcome.FILLED
    assert b.calls["place_order"] == 1  # no second order sent
    assert len(b.orders()) == 1 and b.orders()[0].status is OrderStatus.FILLED
    assert net_base([a, b]) == 0


async def test_leg_b_dropped_before_arrival_is_not_found_then_retried() -> None:
    a, b = paper("a"), paper("b")
    b.faults.drop_next = 1
    report = await orchestrator([a, b]).execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE
    b_attempts = [x for x in report.attempts if x.leg_index == 1]
    assert [(x.attempt, x.outcome, x.looked_up) for x in b_attempts] == [
        (0, LegOutcome.NOT_SENT, True),
        (1, LegOutcome.FILLED, False),
    ]
    (order,) = b.orders()
    assert order.client_order_id == report.signal.client_order_id(1, 1)


async def test_ambiguous_order_that_cannot_be_looked_up_is_unresolved_not_guessed() -> None:
    a, b = paper("a"), paper("b")
    orch = orchestrator([a, b])
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    b.faults.timeout_after_fill_next = 1
    b.faults.read_failure_probability = 1.0
    report = await orch.execute_signal(hedge())
    assert report.status is ExecutionStatus.UNRESOLVED
    assert report.unresolved == (report.signal.client_order_id(1, 0),)
    assert b.calls["place_order"] == 1 and a.calls["place_order"] == 1  # no unwind on a guess
    # Once the venue answers again, reconciliation resolves it: the hedge is complete.
    b.faults.read_failure_probability = 0.0
    rec = await orch.reconcile()
    assert rec.clean, rec.describe()
    assert [r.outcome for r in rec.resolved] == [LegOutcome.FILLED]
    assert net_base([a, b]) == 0


async def test_partial_fill_retries_the_short_side() -> None:
    a, b = paper("a"), paper("b")
    b.faults.partial_fill_next = 1
    report = await orchestrator([a, b]).execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE
    assert [(x.leg_index, x.outcome, x.filled_size) for x in report.attempts if x.leg_index] == [
        (1, LegOutcome.PARTIALLY_FILLED, Decimal("0.5")),
        (1, LegOutcome.FILLED, Decimal("0.5")),
    ]
    assert net_base([a, b]) == 0


async def test_persistent_partial_fill_leaves_under_one_lot_reported(journal: object) -> None:
    from adapters.paper import ManualClock, PaperMarketState, PaperVenue
    from tests.shell.helpers import PRICE, T0, market

    coarse = PaperVenue(
        "a", [PaperMarketState(market("a", lot=Decimal("0.01")), PRICE)], clock=ManualClock(T0)
    )
    b = paper("b")
    b.faults.partial_fill_probability = 1.0
    b.faults.partial_fill_ratio = Decimal("0.333")
    orch = orchestrator([coarse, b], journal=journal)  # type: ignore[arg-type]
    report = await orch.execute_signal(hedge())
    actual = net_base([coarse, b])
    assert report.residual_base == actual
    assert 0 < abs(actual) < Decimal("0.01")  # under one lot of the coarser venue
    assert report.status is ExecutionStatus.RESIDUAL
    assert "UNHEDGED RESIDUAL" in report.message
    assert any(x.purpose is OrderPurpose.UNWIND for x in report.attempts)
    assert await journaled_residuals(orch.journal) == [actual]


async def test_refused_when_a_leg_cannot_be_priced_sends_nothing() -> None:
    a, b = paper("a"), paper("b")
    b.faults.down = True
    report = await orchestrator([a, b]).execute_signal(hedge())
    assert report.status is ExecutionStatus.REFUSED
    assert "leg 1" in report.message
    assert "place_order" not in a.calls and "place_order" not in b.calls


async def test_limit_prices_are_capped_and_tick_rounded_safely() -> None:
    a, b = paper("a"), paper("b")
    report = await orchestrator([a, b]).execute_signal(hedge())
    buy, sell = report.attempts[0].request, report.attempts[1].request
    if buy.side is not Side.BUY:
        buy, sell = sell, buy
    assert buy.limit_price == Decimal("50250.0")  # 50000 x 1.005
    assert sell.limit_price == Decimal("49750.0")


async def test_a_hung_venue_refuses_the_signal_within_the_order_timeout() -> None:
    a, b = paper("a"), paper("b")
    b.faults.latency = 30.0
    policy = ExecutionPolicy(lookup_delay=0.0, order_timeout=0.2)
    started = time.perf_counter()
    report = await orchestrator([a, b], policy=policy).execute_signal(hedge())
    assert time.perf_counter() - started < 2.0
    assert report.status is ExecutionStatus.REFUSED
    assert "did not answer" in report.message
    assert "place_order" not in a.calls


async def test_a_write_with_no_answer_is_ambiguous_and_looked_up() -> None:
    a, b = paper("a"), paper("b")
    policy = ExecutionPolicy(lookup_delay=0.0, order_timeout=0.2)
    orch = orchestrator([a, b], policy=policy)
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    b.faults.response_latency = 0.5  # b fills, but every answer comes after our deadline
    report = await orch.execute_signal(hedge())
    (b_attempt,) = [x for x in report.attempts if x.leg_index == 1]
    assert b_attempt.looked_up and b_attempt.outcome is LegOutcome.AMBIGUOUS
    assert report.status is ExecutionStatus.UNRESOLVED and b.calls["order"] == 3
    b.faults.response_latency = 0.0
    reconciliation = await orch.reconcile()
    assert reconciliation.clean and [r.outcome for r in reconciliation.resolved] == [
        LegOutcome.FILLED
    ]
    assert b.calls["place_order"] == 1 and net_base([a, b]) == 0


async def test_unequal_leg_sizes_are_matched_without_rounding_the_ratio() -> None:
    # Leg b trades 10-BTC contracts: 0.3 contracts hedge 3 BTC on a. a partially fills 1 BTC
    # (1/3 of its target: a ratio no decimal holds exactly); b must then sell exactly 0.1.
    from adapters.paper import ManualClock, PaperMarketState, PaperVenue
    from atomic_fp.models import SignalKind, TradeLeg, TradingSignal
    from tests.shell.helpers import PRICE, T0, market

    a = paper("a")
    b = PaperVenue(
        "b",
        [PaperMarketState(market("b", multiplier=Decimal(10)), PRICE * 10)],
        clock=ManualClock(T0),
    )
    a.faults.partial_fill_next = 1
    a.faults.partial_fill_ratio = Decimal("0.3334")  # floor(3 x 0.3334, lot) = 1.000
    a.faults.reject_probability = 0.0
    b.faults.reject_next = 1  # b's entry refused: b is retried for what a filled
    signal = TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(
            TradeLeg(a.exchange, BTC, Side.BUY, Decimal(3), reference_price=PRICE),
            TradeLeg(
                b.exchange,
                BTC,
                Side.SELL,
                Decimal("0.3"),
                contract_multiplier=Decimal(10),
                reference_price=PRICE * 10,
            ),
        ),
        reason="unequal units",
        created_at=T0,
    )
    report = await orchestrator([a, b]).execute_signal(signal)
    assert report.residual_base == 0 and net_base([a, b]) == 0, report.describe()
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == Decimal("-0.1")
    assert not [x for x in report.attempts if x.purpose is OrderPurpose.UNWIND]
    assert report.status is ExecutionStatus.PARTIAL


async def test_a_partially_filled_single_leg_leaves_no_phantom_residual() -> None:
    from atomic_fp.models import SignalKind, TradeLeg, TradingSignal
    from tests.shell.helpers import PRICE, T0

    a = paper("a")
    a.faults.partial_fill_next = 1
    a.faults.partial_fill_ratio = Decimal("0.3334")  # fills 1 of 3: a ratio of 1/3
    signal = TradingSignal(
        kind=SignalKind.REBALANCE,
        symbol=BTC,
        legs=(TradeLeg(a.exchange, BTC, Side.BUY, Decimal(3), reference_price=PRICE),),
        reason="one leg",
        created_at=T0,
    )
    report = await orchestrator([a, paper("b")]).execute_signal(signal)
    assert report.residual_base == 0
    assert report.status is ExecutionStatus.PARTIAL
    assert a.position_size(BTC) == 1
