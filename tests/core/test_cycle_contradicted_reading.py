"""Fail closed on contradicting readings (issue 13): a venue reading that reconciliation
flagged in the same run is never acted on; that venue+symbol is blocked with the reason.

The hazard, as reported: the journal holds short 0.01 on ``a`` and long 0.01 on ``b``;
``a`` answers "-0" (flat). Believed, the net is +0.01 and rebalance sells the *good* leg
on ``b``, creating the very exposure it seems to remove."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from atomic_fp.decisions.cycle import decide_cycle, distrust
from atomic_fp.errors import ContradictsJournal
from atomic_fp.models import Side, SignalKind
from tests.core.builders import NOW, ample, by_venue, config, ex, market, position, rate

MARKETS = by_venue(market("a"), market("b"), market("c"))
MARGINS = ample("a", "b", "c")
RATES = by_venue(rate("a", "0.0001", mark="100"), rate("b", "0.0001", mark="100"))
MISMATCH = {ex("a"): "venue holds 0, journal says -0.01"}


def test_a_minus_zero_reading_would_close_the_good_leg_if_believed() -> None:
    """The hazard is real: without the block the decision sells b (so the test below can
    fail)."""
    positions = by_venue(position("a", "-0"), position("b", "0.01"))
    decision = decide_cycle(
        rates=RATES, positions=positions, markets=MARKETS, margins=MARGINS, config=config(), now=NOW
    )
    assert decision.action == "rebalance"
    assert decision.signal is not None
    (leg,) = decision.signal.legs
    assert (leg.exchange, leg.side, leg.size) == (ex("b"), Side.SELL, Decimal("0.01"))


def test_a_flagged_minus_zero_reading_never_triggers_a_close() -> None:
    for reading in ("-0", "0", "-0.000"):
        positions = by_venue(position("a", reading), position("b", "0.01"))
        decision = decide_cycle(
            rates=RATES,
            positions=positions,
            markets=MARKETS,
            margins=MARGINS,
            config=config(),
            now=NOW,
            contradicted=MISMATCH,
        )
        assert decision.action == "none" and decision.to_execute is None, decision
        assert any("reading not acted on" in why for why in decision.no_trade), decision
        assert any("venue holds 0, journal says -0.01" in why for why in decision.no_trade)


def test_a_flagged_flat_answer_is_not_read_as_flat_by_the_funding_close() -> None:
    # a reads flat (Success(None)) but is flagged; b's long alone is not a hedge to close,
    # and no opening may be built on a's "flat" either.
    flipped = by_venue(rate("a", "0.0005", mark="100"), rate("b", "0.0001", mark="100"))
    positions = {ex("a"): Success(None), **by_venue(position("b", "0.01"))}
    decision = decide_cycle(
        rates=flipped,
        positions=positions,
        markets=MARKETS,
        margins=MARGINS,
        config=config(),
        now=NOW,
        contradicted=MISMATCH,
    )
    assert decision.to_execute is None


def test_distrust_replaces_only_the_flagged_readings() -> None:
    positions = by_venue(position("a", "0"), position("b", "0.01"))
    out = distrust(positions, MISMATCH)
    assert out[ex("b")] == positions[ex("b")]
    flagged = out[ex("a")]
    assert isinstance(flagged, Failure)
    error = flagged.failure()
    assert isinstance(error, ContradictsJournal) and "journal says -0.01" in error.message


SIZES = st.decimals(min_value=-2, max_value=2, places=3)


@given(a=SIZES, b=SIZES, c=SIZES, flagged=st.sets(st.sampled_from("abc"), min_size=1))
def test_no_signal_ever_has_a_leg_on_a_flagged_venue(
    a: Decimal, b: Decimal, c: Decimal, flagged: set[str]
) -> None:
    positions = by_venue(position("a", str(a)), position("b", str(b)), position("c", str(c)))
    rates = by_venue(
        rate("a", "0.0001", mark="100"),
        rate("b", "0.0009", mark="100"),
        rate("c", "-0.0004", mark="100"),
    )
    decision = decide_cycle(
        rates=rates,
        positions=positions,
        markets=MARKETS,
        margins=MARGINS,
        config=config(max_total_exposure=Decimal(3)),
        now=NOW,
        contradicted={ex(v): "mismatch" for v in flagged},
    )
    signal = decision.to_execute
    if signal is None:
        return
    assert not {str(leg.exchange) for leg in signal.legs} & flagged, decision
    # Rebalance needs every position: it never runs on a flagged (unknown) one.
    assert signal.kind is not SignalKind.REBALANCE, decision
