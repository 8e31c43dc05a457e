"""``atomic_fp.orchestration.position_check`` (behind ``atomic-fp reconcile``): side by side,
nothing sent; adopting the venue's figures is refused for a venue that cannot be read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration import MemoryJournal
from atomic_fp.orchestration.position_check import (
    PositionComparison,
    adopt_venue_positions,
    compare_positions,
)
from tests.shell.helpers import BTC, T0, paper

pytestmark = pytest.mark.anyio


async def test_an_unreadable_venue_is_unverified_and_nothing_is_adopted() -> None:
    a, b = paper("a"), paper("b")
    b.faults.down = True
    journal = MemoryJournal()
    await journal.adjust_position(ExchangeIdentifier("a"), BTC, Decimal("0.5"), "seed", T0)
    await journal.adjust_position(ExchangeIdentifier("gone"), BTC, Decimal("-1"), "seed", T0)
    comparison = await compare_positions(
        symbol=BTC, clients=[a, b], journal=journal, clock=lambda: T0, query_timeout=2.0
    )
    rows = {str(r.exchange): r for r in comparison.rows}
    assert (rows["a"].status, rows["a"].difference) == ("mismatch", Decimal("-0.5"))
    assert rows["b"].status == "unverified" and rows["b"].error
    assert rows["gone"].status == "unverified" and rows["gone"].error == "venue not configured"
    assert not comparison.clean
    refused = await adopt_venue_positions(comparison, journal, "look", T0)
    assert "b position unreadable" in refused.failure()
    assert (await journal.positions())[(ExchangeIdentifier("a"), BTC)] == Decimal("0.5")
    assert a.orders() == () and b.orders() == ()  # looking sends nothing


async def test_adopting_makes_the_journal_equal_the_venue() -> None:
    a = paper("a")
    journal = MemoryJournal()
    await journal.adjust_position(ExchangeIdentifier("a"), BTC, Decimal("0.5"), "seed", T0)

    async def compare() -> PositionComparison:
        return await compare_positions(
            symbol=BTC, clients=[a], journal=journal, clock=lambda: T0, query_timeout=2.0
        )

    before = await compare()
    adopted = (await adopt_venue_positions(before, journal, "operator looked", T0)).unwrap()
    assert [(str(r.exchange), r.difference) for r in adopted] == [("a", Decimal("-0.5"))]
    after = await compare()
    assert after.clean
