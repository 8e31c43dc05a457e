"""The quiet-hold certificate's funding rules judge a held hedge in one pass over its
legs (issue 20: ``QuietRun._funding_quiet`` built two lists per certificate, ~9,800 a
benchmark year) and answer exactly as before.

The oracle is the method before the change, kept verbatim; over generated records
(hedged or not, legs on any venues, rates known for any subset, carry above, at and
below the close threshold, flipped) and APR lists, both answer the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from types import SimpleNamespace
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
    settings = config(close_threshold=close_threshold, max_position=Decimal(10))
    run = cast(Any, SimpleNamespace(config=settings, fee_apr={}))
    old_run = SimpleNamespace(config=settings, fee_apr={})
    # (a "hedge" of no legs divides by zero: the same error from both)
    assert _answer(QuietRun._funding_quiet, run, record, aprs) == _answer(
        old_funding_quiet, old_run, record, aprs
    )
    assert run.fee_apr == old_run.fee_apr


def _answer(quiet: Callable[..., bool], *args: Any) -> str:
    try:
        return repr(quiet(*args))
    except Exception as error:  # the same failure, to the message
        return f"{type(error).__name__}: {error}"


class _CountedLegs(tuple[tuple[str, Decimal], ...]):
    """Held legs that count how many of them were read."""

    read = 0

    def __iter__(self) -> Iterator[tuple[str, Decimal]]:
        for leg in super().__iter__():
            type(self).read += 1
            yield leg


def test_the_hedge_is_judged_in_one_pass_stopping_at_an_unknown_rate() -> None:
    """One pass over the legs that stops at the first leg whose rate is unknown (the old
    method built every leg into a list first, then the judged ones: it read all three).
    Counted by reads, not by frames, so it holds on every Python version."""
    legs = _CountedLegs((("a", Decimal(1)), ("b", Decimal(-1)), ("c", Decimal(1))))
    record = QuietHold(
        positions=(),
        markets=(),
        bases={"a": Decimal(1), "b": Decimal(-1), "c": Decimal(1)},
        held=legs,
        hedged=True,
        assets=(),
    )
    run = cast(Any, SimpleNamespace(config=config(), fee_apr={}))
    _CountedLegs.read = 0
    quiet = QuietRun._funding_quiet(run, record, [("a", Decimal("0.1")), ("c", Decimal("0.2"))])
    assert quiet
    assert _CountedLegs.read == 2  # a, then b (unknown): c is never read
