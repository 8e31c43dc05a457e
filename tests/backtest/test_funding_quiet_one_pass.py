"""The quiet-hold certificate's funding rules judge a held hedge in one pass over its
legs (issue 20: ``QuietRun._funding_quiet`` built two lists per certificate, ~9,800 a
benchmark year) and answer exactly as before.

The oracle is the method before the change, kept verbatim; over generated records
(hedged or not, legs on any venues, rates known for any subset, carry above, at and
below the close threshold, flipped) and APR lists, both answer the same.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from types import FrameType, SimpleNamespace
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp import costs
from atomic_fp.backtest.run_quiet import QuietHold, QuietRun
from atomic_fp.decisions.funding_arbitrage import open_capacity
from atomic_fp.decisions.hedge_close import carry_keeps_hedge, hedge_carry
from tests.core.builders import config


def old_funding_quiet(self: Any, record: QuietHold, aprs: list[tuple[str, Decimal]]) -> bool:
    """``QuietRun._funding_quiet`` before the change, verbatim."""
    config = self.config
    if record.hedged:
        known = dict(aprs)
        legs = [(base, known.get(name)) for name, base in record.held]
        judged = [(base, apr) for base, apr in legs if apr is not None]
        if len(judged) == len(legs) and not carry_keeps_hedge(hedge_carry(judged), config):
            return False
    threshold = config.build_threshold
    bases = record.bases
    fees = self.fee_apr
    for long_venue, long_apr in aprs:
        for short_venue, short_apr in aprs:
            if long_venue == short_venue or short_apr - long_apr < threshold:
                continue
            pair = (long_venue, short_venue)
            fee = fees.get(pair)
            if fee is None:
                fee = fees[pair] = costs.fee_apr(config, *pair)
            if short_apr - long_apr - fee < threshold:
                continue
            if open_capacity(config, bases[long_venue], bases[short_venue]) > 0:
                return False
    return True


_VENUES = ["a", "b", "c"]
_base = st.sampled_from(["0", "1", "-1", "0.5", "-0.5", "10", "-10", "2"]).map(Decimal)
_apr = st.sampled_from(["0", "0.01", "-0.01", "0.05", "0.2", "-0.3", "0.011", "1"]).map(Decimal)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[QuietHold, list[tuple[str, Decimal]], Decimal]:
    bases = {venue: draw(_base) for venue in _VENUES}
    held = tuple((venue, base) for venue, base in bases.items() if base != 0)
    hedged = draw(st.booleans())
    known = draw(st.lists(st.sampled_from(_VENUES), unique=True).map(sorted))
    aprs = [(venue, draw(_apr)) for venue in known]
    record = QuietHold(positions=(), markets=(), bases=bases, held=held, hedged=hedged, assets=())
    return record, aprs, draw(st.sampled_from(["0.01", "0", "0.05"]).map(Decimal))


@given(_cases())
def test_the_funding_rules_answer_as_before(
    case: tuple[QuietHold, list[tuple[str, Decimal]], Decimal],
) -> None:
    record, aprs, close_threshold = case
    if record.hedged and not record.held:
        return  # a hedge holds legs (its carry over none divides by zero either way)
    settings = config(close_threshold=close_threshold, max_position=Decimal(10))
    run = cast(Any, SimpleNamespace(config=settings, fee_apr={}))
    old_run = SimpleNamespace(config=settings, fee_apr={})
    assert QuietRun._funding_quiet(run, record, aprs) == old_funding_quiet(old_run, record, aprs)
    assert run.fee_apr == old_run.fee_apr


def test_the_hedge_is_judged_without_building_lists() -> None:
    record = QuietHold(
        positions=(),
        markets=(),
        bases={"a": Decimal(1), "b": Decimal(-1), "c": Decimal(0)},
        held=(("a", Decimal(1)), ("b", Decimal(-1))),
        hedged=True,
        assets=(),
    )
    run = cast(Any, SimpleNamespace(config=config(), fee_apr={}))
    frames: list[str] = []

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            frames.append(frame.f_code.co_name)

    sys.setprofile(watch)
    try:
        quiet = QuietRun._funding_quiet(run, record, [("a", Decimal("0.1")), ("b", Decimal("0.2"))])
    finally:
        sys.setprofile(None)
    assert quiet
    assert "<listcomp>" not in frames
