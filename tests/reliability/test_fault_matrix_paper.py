"""Fault matrix on paper venues, through whole strategy cycles: every fault on either leg.

Each case: two paper venues (``a`` funding low, ``b`` high, so the cycle opens long ``a`` /
short ``b``: leg 0 is on ``a``, leg 1 on ``b``), a SQLite journal, one fault armed on the
venue of the chosen leg, one ``run_strategy_cycle``. When the execution is left
UNRESOLVED the venue is healed and reconciliation finishes it. Then the three invariants
(:mod:`tests.reliability.invariants`) and the outcome the residual policy must reach.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.journal import SqliteJournal
from adapters.paper import ManualClock
from atomic_fp.orchestration import (
    ArbitrageOrchestrator,
    ExecutionReport,
    ExecutionStatus,
    OrderPurpose,
)
from tests.reliability.invariants import (
    PaperView,
    RecordingJournal,
    assert_invariants,
    assert_retries_only_after_known_fates,
)
from tests.reliability.paper_faults import FAULTS, FaultyPaper, faulty_paper
from tests.shell.helpers import BTC, T0, orchestrator

pytestmark = pytest.mark.anyio

LOW, HIGH = Decimal("0.0001"), Decimal("0.001")

EXPECTED: dict[str, ExecutionStatus] = {
    "reject_once": ExecutionStatus.COMPLETE,
    "reject_always": ExecutionStatus.NOT_EXECUTED,
    "timeout_not_received": ExecutionStatus.COMPLETE,
    "timeout_lookup_fails": ExecutionStatus.COMPLETE,
    "ambiguous_but_filled": ExecutionStatus.COMPLETE,
    "partial_once": ExecutionStatus.COMPLETE,
    "partial_always": ExecutionStatus.PARTIAL,
    "down_at_order": ExecutionStatus.NOT_EXECUTED,
    "down_after_fill": ExecutionStatus.COMPLETE,
    "rate_limited_once": ExecutionStatus.COMPLETE,
    "rate_limited_always": ExecutionStatus.NOT_EXECUTED,
}
UNRESOLVED_FIRST = {"timeout_lookup_fails", "down_after_fill"}


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SqliteJournal]:
    opened = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    yield opened
    await opened.close()


async def finish(
    orch: ArbitrageOrchestrator, report: ExecutionReport, venues: list[FaultyPaper]
) -> ExecutionReport:
    """Heal the venues; if the execution was left unresolved, reconcile until it is done.
    Returns the report that finished the signal."""
    for venue in venues:
        venue.heal()
    final = report
    for _ in range(5):
        reconciliation = await orch.reconcile()
        for recovered in reconciliation.recovered:
            if recovered.signal_id == report.signal_id:
                final = recovered
        if reconciliation.clean and not await orch.journal.open_signals():
            break
    assert reconciliation.clean, reconciliation.describe()
    return final


@pytest.mark.parametrize("leg", [0, 1])
@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_fault_on_either_leg_keeps_the_invariants(
    fault: str, leg: int, journal: SqliteJournal
) -> None:
    clock = ManualClock(T0)
    a = faulty_paper("a", clock=clock, rate=LOW)
    b = faulty_paper("b", clock=clock, rate=HIGH)
    venues = [a, b]
    recorded = RecordingJournal(journal)
    orch = orchestrator(venues, journal=recorded, clock=clock)
    assert (await orch.reconcile()).clean
    target = venues[leg]
    FAULTS[fault](target)

    cycle = await orch.run_strategy_cycle()

    assert cycle.action == "funding", cycle.describe()
    assert cycle.signal is not None and cycle.execution is not None
    assert cycle.signal.legs[leg].exchange == target.exchange
    first = cycle.execution
    assert (first.status is ExecutionStatus.UNRESOLVED) == (fault in UNRESOLVED_FIRST), (
        first.describe()
    )
    final = await finish(orch, first, venues)
    assert final.status is EXPECTED[fault], final.describe()
    await assert_invariants(
        [PaperView(v, BTC) for v in venues],
        journal,
        BTC,
        exposure_before=Decimal(0),
        reported_residual=final.residual_base,
        signal_ids=[first.signal_id],
    )
    assert_retries_only_after_known_fates(recorded)
    # Fault-specific evidence that the policy did what it says.
    if fault == "ambiguous_but_filled":
        assert target.calls["place_order"] == 1  # found by client id, not re-sent
    if final.status is ExecutionStatus.NOT_EXECUTED:
        other = venues[1 - leg]
        assert other.position_base(BTC) == 0
        assert any(x.purpose is OrderPurpose.UNWIND for x in final.attempts), final.describe()
    assert await journal.signal_status(first.signal_id) is final.status


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("reject_once", ExecutionStatus.NOT_EXECUTED),  # nothing filled: nothing to chase
        ("ambiguous_but_filled", ExecutionStatus.COMPLETE),
        ("partial_once", ExecutionStatus.PARTIAL),  # balanced at half: fine
        ("timeout_not_received", ExecutionStatus.NOT_EXECUTED),
        ("down_after_fill", ExecutionStatus.COMPLETE),
    ],
)
async def test_fault_on_both_legs_at_once_keeps_the_invariants(
    fault: str, expected: ExecutionStatus, journal: SqliteJournal
) -> None:
    """The same fault on both venues in the same cycle."""
    clock = ManualClock(T0)
    a = faulty_paper("a", clock=clock, rate=LOW)
    b = faulty_paper("b", clock=clock, rate=HIGH)
    venues = [a, b]
    recorded = RecordingJournal(journal)
    orch = orchestrator(venues, journal=recorded, clock=clock)
    for venue in venues:
        FAULTS[fault](venue)
    cycle = await orch.run_strategy_cycle()
    assert cycle.execution is not None, cycle.describe()
    final = await finish(orch, cycle.execution, venues)
    assert final.status is expected, final.describe()
    await assert_invariants(
        [PaperView(v, BTC) for v in venues],
        journal,
        BTC,
        exposure_before=Decimal(0),
        reported_residual=final.residual_base,
        signal_ids=[final.signal_id],
    )
    assert_retries_only_after_known_fates(recorded)


@pytest.mark.parametrize("leg", [0, 1])
@pytest.mark.parametrize("minutes", [-6, -60, -24 * 60])
async def test_venue_clock_behind_makes_its_rates_stale_and_nothing_opens(
    leg: int, minutes: int, journal: SqliteJournal
) -> None:
    """Clock skew: one venue's clock runs behind ours by more than ``max_data_age``
    (5 min): its rates look stale, so no hedge is opened on either venue."""
    clock = ManualClock(T0)
    skewed = ManualClock(T0 + timedelta(minutes=minutes))
    clocks = [clock, clock]
    clocks[leg] = skewed
    a = faulty_paper("a", clock=clocks[0], rate=LOW)
    b = faulty_paper("b", clock=clocks[1], rate=HIGH)
    venues = [a, b]
    orch = orchestrator(venues, journal=journal, clock=clock)
    cycle = await orch.run_strategy_cycle()
    assert cycle.execution is None, cycle.describe()
    assert "stale" in cycle.describe()
    assert all("place_order" not in v.calls for v in venues)
    await assert_invariants(
        [PaperView(v, BTC) for v in venues],
        journal,
        BTC,
        exposure_before=Decimal(0),
        reported_residual=Decimal(0),
        signal_ids=[],
    )


@pytest.mark.parametrize("leg", [0, 1])
@pytest.mark.parametrize("minutes", [-2, 2])
async def test_venue_clock_slightly_off_still_trades_and_keeps_the_invariants(
    leg: int, minutes: int, journal: SqliteJournal
) -> None:
    """A skew within the data-age limit does not stop trading, and execution on the
    skewed venue (orders and fills stamped with its own time) keeps the invariants."""
    clock = ManualClock(T0)
    clocks = [clock, clock]
    clocks[leg] = ManualClock(T0 + timedelta(minutes=minutes))
    venues = [
        # Orders' deadlines are on our clock (issue 13): the client side runs on it.
        faulty_paper("a", clock=clocks[0], rate=LOW, client_clock=clock),
        faulty_paper("b", clock=clocks[1], rate=HIGH, client_clock=clock),
    ]
    orch = orchestrator(venues, journal=journal, clock=clock)
    cycle = await orch.run_strategy_cycle()
    assert cycle.execution is not None, cycle.describe()
    final = await finish(orch, cycle.execution, venues)
    assert final.status is ExecutionStatus.COMPLETE
    await assert_invariants(
        [PaperView(v, BTC) for v in venues],
        journal,
        BTC,
        exposure_before=Decimal(0),
        reported_residual=final.residual_base,
        signal_ids=[final.signal_id],
    )
