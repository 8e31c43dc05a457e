"""The validity-window rule (issue 13): an ambiguous order stays in flight until its venue
confirms it or its venue-enforced deadline (+ skew margin + unknown-status grace) has
passed; only then is it "never sent", and only then is the leg retried, under a new id.

The venues are paper venues with the *late execution* fault: the order call answers
"HTTP 503, execution status unknown" at once and the venue executes the order N seconds
later (venue clock) if still inside its validity window, as Binance documents for 503 /
-1007. Venues and the orchestrator share one fake clock; the watch sleeps on it
(``ManualClock.sleep``), so nothing here waits for real.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from returns.result import Success

from adapters.journal import SqliteJournal
from adapters.paper import ManualClock, PaperVenue
from adapters.paper.faults import OrderFault
from atomic_fp.errors import OrderNotFound, VenueRejected
from atomic_fp.models import Side
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration import (
    ExecutionPolicy,
    ExecutionStatus,
    LegOutcome,
    MemoryJournal,
    OrderPurpose,
)
from atomic_fp.orchestration.journal import OrderIntent
from atomic_fp.orchestration.validity import (
    LEGACY_VALIDITY,
    deadline_of,
    resolve_order,
    with_deadline,
)
from tests.shell.helpers import BTC, FAST, T0, hedge, orchestrator, paper

pytestmark = pytest.mark.anyio

WINDOW = FAST.validity_window
WATCHED = WINDOW + FAST.clock_skew_margin + FAST.unknown_status_grace


def late(clock: ManualClock, name: str, delay: float) -> PaperVenue:
    venue = paper(name, clock=clock)
    venue.faults.late_execution_next = 1
    venue.faults.late_execution_delay = (delay, delay)
    return venue


async def test_every_order_carries_its_deadline_into_the_journal(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    a, b = paper("a", clock=clock), paper("b", clock=clock)
    journal = SqliteJournal.open(tmp_path / "j.db").unwrap()
    try:
        report = await orchestrator([a, b], journal=journal, clock=clock).execute_signal(hedge())
        assert report.status is ExecutionStatus.COMPLETE
        orders = await journal.orders_for_signal(report.signal_id)
        assert len(orders) == 2
        for journaled in orders:
            expires = journaled.intent.request.expires_at
            assert expires == journaled.intent.recorded_at + timedelta(seconds=WINDOW)
    finally:
        await journal.close()


@pytest.mark.parametrize("delay", [0.0, 1.5, 3.0, 4.0])
@pytest.mark.parametrize("late_legs", ["a", "b", "ab"])
async def test_late_execution_inside_the_window_is_found_never_doubled(
    delay: float, late_legs: str
) -> None:
    clock = ManualClock(T0)
    a = late(clock, "a", delay) if "a" in late_legs else paper("a", clock=clock)
    b = late(clock, "b", delay) if "b" in late_legs else paper("b", clock=clock)
    journal = MemoryJournal()
    report = await orchestrator([a, b], journal=journal, clock=clock).execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE, report.describe()
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == -1  # not 2 / -2
    # One order per leg: the ambiguous one was found, never retried.
    assert [o.client_order_id for o in a.orders()] == [report.signal.client_order_id(0, 0)]
    assert [o.client_order_id for o in b.orders()] == [report.signal.client_order_id(1, 0)]
    looked_up = [attempt for attempt in report.attempts if attempt.looked_up]
    assert len(looked_up) == len(late_legs)
    assert all(attempt.outcome is LegOutcome.FILLED for attempt in looked_up)


async def test_unknown_until_past_the_deadline_then_never_sent_and_retried_under_a_new_id() -> None:
    clock = ManualClock(T0)
    a = paper("a", clock=clock)
    b = late(clock, "b", 60.0)  # would execute past its window: expires unseen
    journal = MemoryJournal()
    report = await orchestrator([a, b], journal=journal, clock=clock).execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE, report.describe()
    assert a.position_size(BTC) == 1 and b.position_size(BTC) == -1
    entry, retry = [x for x in report.attempts if x.leg_index == 1]
    assert entry.outcome is LegOutcome.NOT_SENT and entry.looked_up
    assert retry.purpose is OrderPurpose.RETRY
    assert retry.client_order_id != entry.client_order_id
    # The retry was planned only after the whole watch: deadline + margin + grace.
    assert entry.request.expires_at is not None and retry.request.expires_at is not None
    watched_until = entry.request.expires_at + timedelta(
        seconds=FAST.clock_skew_margin + FAST.unknown_status_grace
    )
    retry_planned = retry.request.expires_at - timedelta(seconds=WINDOW)
    assert retry_planned >= watched_until
    events = journal.events
    assert events.index(f"outcome {entry.client_order_id} not_sent 0") < events.index(
        f"intent {retry.client_order_id}"
    )
    assert [o.client_order_id for o in b.orders()] == [retry.client_order_id]


async def test_paper_venue_refuses_an_order_arriving_after_its_deadline() -> None:
    clock = ManualClock(T0)
    venue = paper("a", clock=clock)
    trader = AtomicTrader(venue, BTC)
    request = attrs.evolve(
        trader.request(Side.BUY, Decimal(1), "late-1", limit_price=Decimal(50_100)),
        expires_at=T0 - timedelta(milliseconds=1),
    )
    result = await trader.place_order(request)
    assert not isinstance(result, Success)
    error = result.failure()
    assert isinstance(error, VenueRejected) and error.code == "expired"
    assert venue.position_size(BTC) == 0 and venue.orders() == ()


async def test_restart_reconciliation_watches_an_in_flight_order_until_its_deadline() -> None:
    """The process died after sending; the venue executes the order 4 s later. The
    restart's reconciliation does not call it never sent: it waits and finds the fill."""
    clock = ManualClock(T0)
    a, b = paper("a", clock=clock), paper("b", clock=clock)
    b.faults.late_execution_next = 1
    b.faults.late_execution_delay = (4.0, 4.0)
    journal = MemoryJournal()
    orch = orchestrator([a, b], journal=journal, clock=clock)
    signal = hedge()
    trader = orch.traders[b.exchange]
    request = attrs.evolve(
        trader.request(Side.SELL, Decimal(1), signal.client_order_id(1, 0), limit_price=Decimal(1)),
        expires_at=clock() + timedelta(seconds=WINDOW),
    )
    # What a killed process leaves: the signal and the intent journaled, the order sent.
    await journal.record_signal(signal, clock())
    await journal.record_intent(
        OrderIntent(signal.signal_id, 1, 0, OrderPurpose.ENTRY, request, Decimal(1), clock())
    )
    assert not isinstance(await trader.place_order(request), Success)
    report = await orch.reconcile()
    assert [r.outcome for r in report.resolved] == [LegOutcome.FILLED], report.describe()
    assert b.orders()[0].client_order_id == request.client_order_id
    # The signal was then resumed with the fill known (here: the excess unwound), so no
    # exposure is left unreported.
    (recovered,) = report.recovered
    assert a.position_base(BTC) + b.position_base(BTC) == recovered.residual_base == 0
    assert report.clean, report.describe()


async def test_the_watch_ends_under_a_frozen_clock() -> None:
    """A sleep that never moves the clock still ends the watch: it is bounded by the
    seconds slept as well."""
    clock = ManualClock(T0)
    venue = paper("a", clock=clock)
    trader = AtomicTrader(venue, BTC)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    policy = attrs.evolve(FAST, sleep=sleep)
    request = attrs.evolve(
        trader.request(Side.BUY, Decimal(1), "never", limit_price=Decimal(1)),
        expires_at=clock() + timedelta(seconds=WINDOW),
    )
    outcome, order, error = await resolve_order(trader, request, None, policy, clock)
    assert outcome is LegOutcome.NOT_SENT and order is None
    assert isinstance(error, OrderNotFound)
    assert sum(slept) >= WATCHED
    assert sum(slept) < WATCHED + 2 * policy.watch_interval


async def test_an_order_without_a_deadline_is_never_presumed_unsent() -> None:
    clock = ManualClock(T0)
    venue = paper("a", clock=clock)
    trader = AtomicTrader(venue, BTC)
    request = trader.request(Side.BUY, Decimal(1), "nodeadline", limit_price=Decimal(1))
    assert deadline_of(request, FAST) is None
    outcome, _, _ = await resolve_order(trader, request, None, FAST, clock)
    assert outcome is LegOutcome.AMBIGUOUS
    # A journaled order from before deadlines existed gets the legacy one.
    legacy = with_deadline(request, T0)
    assert legacy.expires_at == T0 + LEGACY_VALIDITY


def test_policy_refuses_a_non_positive_validity_window() -> None:
    with pytest.raises(ValueError, match="validity_window"):
        ExecutionPolicy(validity_window=0)
    with pytest.raises(ValueError, match="watch_interval"):
        ExecutionPolicy(watch_interval=float("nan"))


async def test_an_order_appearing_after_it_was_called_never_sent_is_attributed_and_unwound(
    tmp_path: Path,
) -> None:
    """A venue that breaks its own deadline: the entry expired unseen (never sent), the
    leg was retried under a new id, then the entry executes after all. Reconciliation
    finds it under the never-sent id, journals the fill, resumes the signal and unwinds
    the excess: no unreported exposure, the journal matches the venue."""
    clock = ManualClock(T0)
    a = paper("a", clock=clock)
    b = late(clock, "b", 60.0)
    journal = SqliteJournal.open(tmp_path / "j.db").unwrap()
    try:
        orch = orchestrator([a, b], journal=journal, clock=clock)
        report = await orch.execute_signal(hedge())
        entry = next(x for x in report.attempts if x.leg_index == 1 and x.attempt == 0)
        assert entry.outcome is LegOutcome.NOT_SENT
        assert b.position_size(BTC) == -1
        # The venue executes the "never sent" entry anyway (past its deadline).
        request, _, _ = b._late.pop(entry.client_order_id)
        b._accept(request, OrderFault.NONE)
        assert b.position_size(BTC) == -2
        clock.advance(timedelta(minutes=1))
        reconciliation = await orch.reconcile()
        late_fill = next(
            r for r in reconciliation.resolved if r.client_order_id == entry.client_order_id
        )
        assert "LATE FILL" in late_fill.detail and report.signal_id in late_fill.detail
        (recovered,) = reconciliation.recovered
        assert recovered.signal_id == report.signal_id
        assert recovered.residual_base == 0, recovered.describe()
        assert b.position_size(BTC) == -1 and a.position_size(BTC) == 1, recovered.describe()
        positions = await journal.positions()
        assert positions[(b.exchange, BTC)] == b.position_base(BTC)
        assert positions[(a.exchange, BTC)] == a.position_base(BTC)
        assert reconciliation.clean, reconciliation.describe()
    finally:
        await journal.close()


async def test_paper_deadline_is_counted_on_the_clients_clock_when_the_venue_is_skewed() -> None:
    """As an offset-synced Binance client does: the venue counts the time left until the
    deadline (on the client's clock) from its own now. Without that knowledge, an absolute
    deadline against a venue clock 2 min ahead is already past (Hyperliquid/GRVT-like)."""
    ours = ManualClock(T0)
    for client_clock, accepted in ((ours, True), (None, False)):
        venue = paper("a", clock=ManualClock(T0 + timedelta(minutes=2)))
        venue.client_clock = client_clock
        trader = AtomicTrader(venue, BTC)
        request = attrs.evolve(
            trader.request(Side.BUY, Decimal(1), "skewed", limit_price=Decimal(50_100)),
            expires_at=ours() + timedelta(seconds=WINDOW),
        )
        result = await trader.place_order(request)
        assert isinstance(result, Success) is accepted, result
