"""The orchestrator as the seed design builds it: queryers and traders keyed by venue name
(a key contradicting its client's venue id is an error), sequences still accepted, the
cycle's value is the list of orders and the full report, and venues added to the dicts
later are picked up (and reconciled) by the next cycle."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.paper import ManualClock
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import ArbitrageOrchestrator
from tests.shell.helpers import BTC, CONFIG, FAST, T0, paper

pytestmark = pytest.mark.anyio
LOW, HIGH = Decimal("0.0001"), Decimal("0.0005")


def build(queryers: object, traders: object) -> ArbitrageOrchestrator:
    return ArbitrageOrchestrator(
        queryers=queryers,  # type: ignore[arg-type]
        traders=traders,  # type: ignore[arg-type]
        config=CONFIG,
        symbol=BTC,
        policy=FAST,
        clock=ManualClock(T0),
    )


def test_keys_name_venues_in_any_accepted_spelling() -> None:
    a, b = paper("a"), paper("b")
    by_name = build(
        {"a": AtomicQueryer(a, BTC), "b": AtomicQueryer(b, BTC)},
        {"a": AtomicTrader(a, BTC), "b": AtomicTrader(b, BTC)},
    )
    by_id = build(
        {ExchangeIdentifier("a"): AtomicQueryer(a, BTC)},
        {ExchangeIdentifier("a"): AtomicTrader(a, BTC)},
    )
    by_sequence = build([AtomicQueryer(a, BTC)], (AtomicTrader(a, BTC),))
    assert set(by_name.queryers) == {ExchangeIdentifier("a"), ExchangeIdentifier("b")}
    assert set(by_id.traders) == set(by_sequence.traders) == {ExchangeIdentifier("a")}


def test_a_key_contradicting_the_clients_id_is_a_clear_error() -> None:
    a, b = paper("a"), paper("b")
    with pytest.raises(ValueError, match="queryers key 'grvt' does not match its client's venue"):
        build({"grvt": AtomicQueryer(a, BTC)}, {"a": AtomicTrader(a, BTC)})
    with pytest.raises(ValueError, match=r"traders key 'a' does not match .* venue id 'b'"):
        build({"a": AtomicQueryer(a, BTC)}, {"a": AtomicTrader(b, BTC)})
    with pytest.raises(TypeError, match="queryers must be AtomicQueryer/AtomicTrader"):
        build({"a": a}, {"a": AtomicTrader(a, BTC)})
    with pytest.raises(ValueError, match="is for ETH/USD, not BTC/USD"):
        build({"a": AtomicQueryer(a, Symbol("ETH"))}, {"a": AtomicTrader(a, BTC)})


async def test_the_cycle_is_the_orders_and_a_venue_added_later_is_reconciled_then_used() -> None:
    a, b, c = paper("a", rate=HIGH), paper("b", rate=LOW), paper("c", rate=Decimal("-0.0005"))
    queryers = {"a": AtomicQueryer(a, BTC), "b": AtomicQueryer(b, BTC)}
    traders = {"a": AtomicTrader(a, BTC), "b": AtomicTrader(b, BTC)}
    orchestrator = build(queryers, traders)
    orders = await orchestrator.run_strategy_cycle()
    assert sorted((str(o.exchange), o.side.value) for o in orders) == [("a", "sell"), ("b", "buy")]
    assert orders.reconciliation is not None  # the first cycle reconciled
    queryers["c"] = AtomicQueryer(c, BTC)
    traders["c"] = AtomicTrader(c, BTC)
    again = await orchestrator.run_strategy_cycle()
    assert again.reconciliation is not None  # a new venue set is reconciled first
    assert sorted((str(o.exchange), o.side.value) for o in again) == [("a", "sell"), ("c", "buy")]
    third = await orchestrator.run_strategy_cycle()
    assert third.reconciliation is None  # nothing changed: no reconciliation needed
    queryers["d"] = AtomicQueryer(paper("x"), BTC)
    with pytest.raises(ValueError, match="queryers key 'd' does not match"):
        await orchestrator.run_strategy_cycle()
