"""The pair sizing memo of ``atomic_fp/decisions/funding_pairs.py`` (issue 20: a backtest
sized the same few market pairs at ``trade_size`` thousands of times) answers what
:mod:`atomic_fp.sizing` computes afresh, to the exponent, and the decision with the memo
decides what it decided with the memo emptied before every call.

References: ``sizing.common_base_step``, ``floor_to_step`` and ``venue_size`` called
directly (the code the memo replaced in ``_evaluate``), compared by value and by ``repr``
over lots, multipliers and base sizes of several exponents (``1`` and ``1.00`` share a
key); and ``FundingArbitrageDecision`` with the memo cleared, over rates and markets.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp import sizing
from atomic_fp.decisions import funding_pairs
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.funding_pairs import _lot_sizes
from atomic_fp.models import Market
from tests.core.builders import NOW, by_venue, config, flat, market, rate

lots = st.sampled_from(["1", "0.1", "0.001", "0.0010", "5", "0.25", "100"])
multipliers = st.sampled_from(["1", "1000", "0.1", "10", "1.0"])
base_sizes = st.sampled_from(
    ["1", "1.00", "1.0", "0.5", "0.0005", "2", "2.000", "0.3", "250", "0.001", "1E+1"]
).map(Decimal)


def _market(venue: str, lot: str, multiplier: str) -> Market:
    return market(venue, lot=lot, multiplier=multiplier)


def _fresh(base_size: Decimal, long: Market, short: Market) -> tuple[object, ...]:
    step = sizing.common_base_step([long, short])
    floored = sizing.floor_to_step(base_size, step)
    if floored <= 0:
        return step, floored, None
    return step, floored, (sizing.venue_size(floored, long), sizing.venue_size(floored, short))


@given(
    st.lists(st.tuples(base_sizes, lots, multipliers, lots, multipliers), min_size=1, max_size=6)
)
def test_the_memo_answers_what_sizing_computes_afresh(
    asks: list[tuple[Decimal, str, str, str, str]],
) -> None:
    funding_pairs._LOT_SIZES.clear()
    shared: dict[
        tuple[str, str, str], Market
    ] = {}  # the same market objects asked again, with equal base sizes of other exponents
    for base_size, long_lot, long_mult, short_lot, short_mult in asks:
        long = shared.setdefault(("a", long_lot, long_mult), _market("a", long_lot, long_mult))
        short = shared.setdefault(("b", short_lot, short_mult), _market("b", short_lot, short_mult))
        for _ in range(2):  # the second answer comes from the memo
            got = _lot_sizes(base_size, long, short)
            expected = _fresh(base_size, long, short)
            assert got == expected
            assert repr(got) == repr(expected)


def test_an_equal_market_that_is_another_object_is_not_lent_an_answer() -> None:
    funding_pairs._LOT_SIZES.clear()
    long, short = _market("a", "0.001", "1"), _market("b", "1", "1")
    assert _lot_sizes(Decimal(1), long, short)[2] is not None
    coarse = _market("b", "5", "1")  # another object: a lot of 5 cannot carry 1 base
    step, floored, sizes = _lot_sizes(Decimal(1), long, coarse)
    assert (step, floored, sizes) == (Decimal(5), Decimal(0), None)
    assert len(funding_pairs._LOT_SIZES) == 2


rates_ = st.decimals(min_value=Decimal("-0.003"), max_value=Decimal("0.003"), places=5)


@given(
    st.lists(rates_, min_size=3, max_size=3),
    st.lists(st.tuples(lots, multipliers), min_size=3, max_size=3),
    st.sampled_from(["1", "0.5", "3", "0.0003"]),
    st.integers(1, 4),
)
def test_decisions_equal_those_with_the_memo_emptied(
    values: list[Decimal], rules: list[tuple[str, str]], trade: str, repeats: int
) -> None:
    venues = ("a", "b", "c")
    rates = by_venue(*(rate(v, str(r)) for v, r in zip(venues, values, strict=True)))
    markets = by_venue(
        *(_market(v, lot, mult) for v, (lot, mult) in zip(venues, rules, strict=True))
    )
    cfg = config(trade_size=Decimal(trade), build_threshold=Decimal("0.01"))
    kwargs = {"rates": rates, "positions": flat(*venues), "markets": markets, "config": cfg}
    for _ in range(repeats):
        remembered = FundingArbitrageDecision.analyze_opportunity(now=NOW, **kwargs)  # type: ignore[arg-type]
        funding_pairs._LOT_SIZES.clear()
        fresh = FundingArbitrageDecision.analyze_opportunity(now=NOW, **kwargs)  # type: ignore[arg-type]
        assert repr(remembered) == repr(fresh)
