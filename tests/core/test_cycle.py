"""decide_cycle: the one decision order shared by live cycles, dry runs and backtests."""

from __future__ import annotations

from datetime import timedelta

from atomic_fp.decisions.cycle import decide_cycle
from atomic_fp.models import SignalKind
from tests.core.builders import NOW, ample, by_venue, config, down, ex, flat, market, position, rate

MARKETS = by_venue(market("a"), market("b"), market("c"))
MARGINS = ample("a", "b", "c")
HIGH_SPREAD = {
    **by_venue(
        rate("a", "0.0001", mark="100"), rate("b", "0.0005", timedelta(hours=1), mark="100")
    ),
    ex("c"): down("c"),
}


def test_a_failed_venue_neither_joins_nor_blocks_the_opening() -> None:
    decision = decide_cycle(
        rates=HIGH_SPREAD,
        positions=flat("a", "b", "c"),
        markets=MARKETS,
        margins=MARGINS,
        config=config(),
        now=NOW,
    )
    assert decision.action == "funding" and decision.refused is None
    signal = decision.to_execute
    assert signal is not None and signal.kind is SignalKind.OPEN
    assert {str(leg.exchange) for leg in signal.legs} == {"a", "b"}


def test_reconciliation_problems_refuse_an_opening_but_keep_the_signal_for_the_report() -> None:
    decision = decide_cycle(
        rates=HIGH_SPREAD,
        positions=flat("a", "b", "c"),
        markets=MARKETS,
        margins=MARGINS,
        config=config(),
        now=NOW,
        open_blocked=("position mismatch on a",),
    )
    assert decision.action == "none"
    assert decision.signal is not None and decision.to_execute is None
    assert decision.refused == "position mismatch on a"
    assert any("opening refused: position mismatch on a" in why for why in decision.no_trade)


def test_an_unverified_venue_blocks_only_openings_that_involve_it() -> None:
    def refused(blocked: str) -> str | None:
        return decide_cycle(
            rates=HIGH_SPREAD,
            positions=flat("a", "b", "c"),
            markets=MARKETS,
            margins=MARGINS,
            config=config(),
            now=NOW,
            blocked_venues={ex(blocked): "positions unreadable"},
        ).refused

    assert refused("b") == "positions of b not verified since start"
    assert refused("c") is None


def test_closing_a_hedge_is_never_gated_by_opening_blocks() -> None:
    flipped = by_venue(rate("a", "0.0005", timedelta(hours=1)), rate("b", "0.0001"))
    held = by_venue(position("a", "1"), position("b", "-1"))
    decision = decide_cycle(
        rates=flipped,
        positions=held,
        markets=MARKETS,
        margins=MARGINS,
        config=config(),
        now=NOW,
        open_blocked=("not reconciled",),
    )
    assert decision.action == "funding"
    signal = decision.to_execute
    assert signal is not None and signal.kind is SignalKind.CLOSE
    assert all(leg.reduce_only for leg in signal.legs)


def test_safety_comes_before_the_funding_opportunity() -> None:
    near_liquidation = by_venue(
        position("a", "1", mark="100", liquidation="99"), position("b", "-1", mark="100")
    )
    decision = decide_cycle(
        rates=HIGH_SPREAD,
        positions={**near_liquidation, **flat("c")},
        markets=MARKETS,
        margins=MARGINS,
        config=config(),
        now=NOW,
    )
    assert decision.action == "safety"
    assert decision.to_execute is not None
    assert all(leg.reduce_only for leg in decision.to_execute.legs)
