"""``rank_opportunities(..., per_symbol=1)``: the O(venues) best pair per symbol (fee APR
as a sum of per-venue shares) equals the simple exact ranking's first pair per symbol,
including near-ties the float shortcut cannot separate and a ``min_net_apr`` floor."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest
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


@settings(max_examples=150, deadline=None)
@given(
    quotes=st.lists(
        st.tuples(
            st.sampled_from(["BTC", "ETH", "SOL"]),
            st.sampled_from(VENUES),
            st.sampled_from(["0.0001", "-0.0001", "0.0002", "0", "0.00010"]),
            st.sampled_from([1, 8]),
        ),
        max_size=40,
    ),
    fee=st.sampled_from(["0", "0.0002", "0.0005"]),
    order=st.randoms(use_true_random=False),
    floor=st.none() | st.just(Decimal(0)),
)
def test_best_pair_per_symbol_ignores_quote_order_and_breaks_exact_ties_by_name(
    quotes: list[tuple[str, str, str, int]],
    fee: str,
    order: random.Random,
    floor: Decimal | None,
) -> None:
    """Many exact ties (one fee for every venue, few rates; equal values written
    differently: ``0.0001`` and ``0.00010``), the venues of a symbol met in any order:
    the best pair is the full enumeration's, i.e. among equal nets the first by (long
    venue, short venue) name, whatever order the quotes came in. The runner-up of a side
    is then within the tolerance of the best, so the per-venue filters run."""
    cfg = config(default_fees=VenueFees(maker=Decimal(0), taker=Decimal(fee)))
    rates = [rate(v, value, timedelta(hours=h), symbol=Symbol(s)) for s, v, value, h in quotes]
    expected = best_per_symbol(naive_ranking(rates, cfg))
    if floor is not None:
        expected = tuple(o for o in expected if o.net_apr >= floor)
    shuffled = list(rates)
    order.shuffle(shuffled)
    assert rank_opportunities(shuffled, cfg, per_symbol=1, min_net_apr=floor) == expected
    assert rank_opportunities(rates, cfg, per_symbol=1, min_net_apr=floor) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # one venue is both the best short and the cheapest long; runner-ups tie exactly
        ({"a": "0.0003", "b": "0.0001", "c": "0.0001", "d": "0.0002"}, ("b", "a")),
        # two venues tie for the best short, two for the cheapest long
        ({"a": "0.0003", "b": "0.0003", "c": "-0.0001", "d": "-0.0001"}, ("c", "a")),
        # every venue quotes the same rate: zero spread, the first pair by name
        ({"d": "0.0001", "c": "0.0001", "b": "0.0001", "a": "0.0001"}, ("a", "b")),
        # a single clear best on each side (the filters are skipped)
        ({"d": "0.0009", "c": "0.0001", "b": "-0.0004", "a": "0.0002"}, ("b", "d")),
    ],
)
def test_best_pair_among_tied_venues_is_the_first_by_name(
    values: dict[str, str], expected: tuple[str, str]
) -> None:
    rates = [rate(v, value) for v, value in values.items()]
    best = rank_opportunities(rates, config(), per_symbol=1)
    assert [(o.long_venue.name, o.short_venue.name) for o in best] == [expected]
    assert best == best_per_symbol(naive_ranking(rates, config()))
    assert best == best_per_symbol(naive_ranking(rates[::-1], config()))
