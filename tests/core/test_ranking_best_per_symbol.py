"""``rank_opportunities(..., per_symbol=1)``: the O(venues) best pair per symbol (fee APR
as a sum of per-venue shares) equals the simple exact ranking's first pair per symbol,
including near-ties the float shortcut cannot separate and a ``min_net_apr`` floor."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp.decisions.ranking import best_per_symbol, rank_opportunities
from atomic_fp.models import FundingRate, Symbol, VenueFees
from tests.core.builders import config, rate
from tests.core.test_ranking import naive_ranking

VENUES = [f"v{i:02d}" for i in range(12)]
# few distinct values so that many pairs tie exactly or differ by one unit in the last place
rate_values = st.sampled_from(["0.0001", "-0.0001", "0", "0.00005", "0.0000125"]) | st.decimals(
    min_value=Decimal("-0.001"), max_value=Decimal("0.001"), places=12, allow_nan=False
).map(str)


@settings(max_examples=150, deadline=None)
@given(
    quotes=st.lists(
        st.tuples(
            st.sampled_from(["BTC", "ETH", "PEPE", "SOL"]),
            st.sampled_from(VENUES),
            rate_values,
            st.sampled_from([1, 4, 8]),
        ),
        max_size=60,
    ),
    fees=st.dictionaries(
        st.sampled_from(VENUES), st.sampled_from(["0", "0.0002", "0.00045", "0.0005"])
    ),
    floor=st.none() | st.sampled_from([Decimal("-0.5"), Decimal(0), Decimal("0.05")]),
)
def test_best_pair_per_symbol_equals_the_simple_ranking(
    quotes: list[tuple[str, str, str, int]], fees: dict[str, str], floor: Decimal | None
) -> None:
    cfg = config(fees={v: VenueFees(maker=Decimal(0), taker=Decimal(f)) for v, f in fees.items()})
    rates = [rate(v, value, timedelta(hours=h), symbol=Symbol(s)) for s, v, value, h in quotes]
    expected = best_per_symbol(naive_ranking(rates, cfg))
    if floor is not None:
        expected = tuple(o for o in expected if o.net_apr >= floor)
    assert rank_opportunities(rates, cfg, per_symbol=1, min_net_apr=floor) == tuple(expected)


def test_one_venue_both_cheapest_long_and_best_short() -> None:
    """The venue with the lowest fee is both the best short and the cheapest long: the
    best pair then uses the second best of one side."""
    cfg = config(
        fees={
            "a": VenueFees(maker=Decimal(0), taker=Decimal(0)),
            "b": VenueFees(maker=Decimal(0), taker=Decimal("0.0005")),
            "c": VenueFees(maker=Decimal(0), taker=Decimal("0.0005")),
        }
    )
    rates = [rate("a", "0.0001"), rate("b", "0.0001"), rate("c", "0.00011")]
    assert rank_opportunities(rates, cfg, per_symbol=1) == best_per_symbol(
        naive_ranking(rates, cfg)
    )


def _clamped(base: FundingRate, bound: str | None) -> FundingRate:
    """``base`` with a cap (``"cap"``) or floor (``"floor"``) at +-0.0001 when asked."""
    if bound == "cap":
        return attrs.evolve(base, cap=Decimal("0.0001"))
    if bound == "floor":
        return attrs.evolve(base, floor=Decimal("-0.0001"))
    return base


@settings(max_examples=150, deadline=None)
@given(
    quotes=st.lists(
        st.tuples(
            st.sampled_from(["BTC", "ETH"]),
            st.sampled_from(VENUES[:5]),
            st.sampled_from(["0.0001", "-0.0001", "0.0003", "-0.0003", "0", "0.0000125"]),
            st.sampled_from([1, 4, 8]),
            st.sampled_from([None, "cap", "floor"]),
        ),
        max_size=30,
    ),
    fees=st.dictionaries(st.sampled_from(VENUES[:5]), st.sampled_from(["0", "0.0002", "0.0005"])),
)
def test_best_pair_per_symbol_reads_clamped_and_repeated_rates_as_the_simple_ranking(
    quotes: list[tuple[str, str, str, int, str | None]], fees: dict[str, str]
) -> None:
    """Equal rates on many venues and intervals (the per-call APR cache is shared by
    them) and rates beyond a cap or floor (only the payable part is annualised): the
    best pair is still the simple ranking's."""
    cfg = config(fees={v: VenueFees(maker=Decimal(0), taker=Decimal(f)) for v, f in fees.items()})
    rates = [
        _clamped(rate(v, value, timedelta(hours=h), symbol=Symbol(s)), bound)
        for s, v, value, h, bound in quotes
    ]
    assert rank_opportunities(rates, cfg, per_symbol=1) == best_per_symbol(
        naive_ranking(rates, cfg)
    )


def test_a_rate_beyond_its_cap_counts_only_up_to_the_cap() -> None:
    """Venue a quotes 1 %/8 h capped at 0.01 %: as a short leg it earns only the cap, so
    b (0.02 %) is the better short; ranking by the raw rate would choose a (this is the
    case the property above exists to catch)."""
    cfg = config()
    capped = _clamped(rate("a", "0.01"), "cap")
    rates = [capped, rate("b", "0.0002"), rate("c", "-0.0001")]
    best = rank_opportunities(rates, cfg, per_symbol=1)
    assert [(o.long_venue.name, o.short_venue.name) for o in best] == [("c", "b")]
    assert best == best_per_symbol(naive_ranking(rates, cfg))
