"""Resuming a signal from its journaled orders
(:func:`atomic_fp.orchestration.execution.resume_signal`, step 3 on restart): orders the
journal holds without an outcome (the process died after sending them) are looked up on the
venue by client id, their outcome journaled and folded into their legs, and each is named
in the report's actions; none is sent again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from atomic_fp.orchestration import (
    ExecutionJournal,
    ExecutionStatus,
    LegOutcome,
    MemoryJournal,
)
from atomic_fp.orchestration.execution import resume_signal
from tests.shell.helpers import BTC, CONFIG, T0, hedge, orchestrator, paper

pytestmark = pytest.mark.anyio


async def test_orders_journaled_without_an_outcome_are_looked_up_journaled_and_named(
    journal: ExecutionJournal,
) -> None:
    a, b = paper("a"), paper("b")
    first = MemoryJournal()
    orch = orchestrator([a, b], journal=first)
    signal = hedge(size=Decimal("0.01"))
    assert (await orch.execute_signal(signal)).status is ExecutionStatus.COMPLETE
    # ``journal`` as a process that died once both orders were sent leaves it: the signal
    # and both intents, no outcome.
    await journal.record_signal(signal, T0)
    for sent in await first.orders_for_signal(signal.signal_id):
        await journal.record_intent(sent.intent)
    unanswered = await journal.orders_for_signal(signal.signal_id)
    assert [o.outcome for o in unanswered] == [None, None]

    report = await resume_signal(
        signal,
        unanswered,
        traders=orch.traders,
        queryers=orch.queryers,
        journal=journal,
        config=CONFIG,
        policy=orch.policy,
        clock=orch.clock,
    )

    assert report.status is ExecutionStatus.COMPLETE and report.recovered, report.describe()
    assert [(x.leg_index, x.attempt, x.outcome, x.looked_up) for x in report.attempts] == [
        (0, 0, LegOutcome.FILLED, True),
        (1, 0, LegOutcome.FILLED, True),
    ]
    assert list(report.actions) == [
        f"resolved journaled order {x.describe()}" for x in report.attempts
    ]
    assert not await journal.unresolved_orders()  # each outcome journaled
    positions = await journal.positions()
    assert positions[(a.exchange, BTC)] == Decimal("0.01")
    assert positions[(b.exchange, BTC)] == Decimal("-0.01")
    assert await journal.open_signals() == ()  # finished
    assert len(a.orders()) == len(b.orders()) == 1  # nothing sent again
