"""Fail closed on contradicting readings, through the orchestrator (issue 13): venue ``a``
reports flat while the journal holds short 0.01 there (and long 0.01 on ``b``, which ``b``
confirms). Reconciliation flags ``a``; the cycle must not close the good leg on ``b``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from atomic_fp.models import Side
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration import MemoryJournal
from tests.shell.helpers import BTC, PRICE, T0, orchestrator, paper

pytestmark = pytest.mark.anyio

SHORT = Decimal("0.01")


async def setup() -> tuple[object, object, MemoryJournal]:
    a, b = paper("a"), paper("b")
    # b really holds the long leg; a's short is gone from its answer (it says flat).
    bought = await AtomicTrader(b, BTC).place_order(
        AtomicTrader(b, BTC).request(Side.BUY, SHORT, "seed-b", limit_price=PRICE * 2)
    )
    assert bought.unwrap().filled_size == SHORT
    journal = MemoryJournal()
    await journal.adjust_position(ExchangeIdentifier("a"), BTC, -SHORT, "earlier fills", T0)
    await journal.adjust_position(ExchangeIdentifier("b"), BTC, SHORT, "earlier fills", T0)
    return a, b, journal


async def test_the_good_leg_is_not_closed_on_a_reading_reconciliation_flagged() -> None:
    a, b, journal = await setup()
    orch = orchestrator([a, b], journal=journal)  # type: ignore[list-item]
    report = await orch.run_strategy_cycle()

    assert report.reconciliation is not None and not report.reconciliation.clean
    (difference,) = report.reconciliation.differences
    assert (str(difference.exchange), difference.journal_base) == ("a", -SHORT)
    assert report.execution is None, report.describe()
    assert b.position_size(BTC) == SHORT  # type: ignore[attr-defined]
    assert [o.client_order_id for o in b.orders()] == ["seed-b"]  # type: ignore[attr-defined]
    assert any("reading not acted on" in why for why in report.no_trade), report.describe()
    assert any(w.startswith("a ") and "reading not acted on" in w for w in report.blocked)

    # The same data without the reconciliation's flag *would* sell b: the guard matters.
    unguarded = orch.decide(await orch.gather_inputs(), apply_reconciliation=False)
    assert unguarded.action == "rebalance"
    assert unguarded.signal is not None
    assert unguarded.signal.legs[0].exchange == ExchangeIdentifier("b")


async def test_after_the_operator_adopts_the_venue_figures_the_block_lifts() -> None:
    a, b, journal = await setup()
    orch = orchestrator([a, b], journal=journal)  # type: ignore[list-item]
    await orch.reconcile()
    assert orch.contradicted_venues
    after = await orch.accept_venue_positions("operator looked: a is flat")
    assert after.clean and not orch.contradicted_venues
