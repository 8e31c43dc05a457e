"""The lazy full ranking (RankedOpportunities): equal to the eager exact ranking, whatever
is read first and however often; a plain immutable sequence otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp import costs
from atomic_fp.decisions.ranking import RankedOpportunities, best_per_symbol, rank_opportunities
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import ArbitrageConfig, FundingRate, Symbol, VenueFees
from tests.core.builders import NOW, config, rate
from tests.core.test_ranking import naive_ranking

# Values that collide (equal nets across symbols and pairs), differ beyond float precision,
# or are plain random; intervals whose hours are not exact in binary (7 h, 90 min).
close_values = st.sampled_from(
    [
        "0.0001",
        "-0.0001",
        "0",
        "0.00005",
        "0.0003",
        "0.10000000000000000001",
        "0.10000000000000000002",
        "0.1",
        "0.0999999999999999999",
    ]
)
rate_values = close_values | st.decimals(
    min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=12, allow_nan=False
).map(str)
intervals = st.sampled_from(
    [*(timedelta(hours=h) for h in (1, 4, 8, 7)), timedelta(minutes=90), timedelta(minutes=240)]
)
fee_levels = st.sampled_from(["0", "0.0002", "0.0005", "0.00035", "0.000123456789"])
quotes_strategy = st.lists(
    st.tuples(
        st.sampled_from(["BTC", "ETH", "PEPE", "SOL"]),
        st.sampled_from(["a", "b", "c", "d", "e"]),
        rate_values,
        intervals,
        st.integers(min_value=0, max_value=2),  # minutes old: duplicates keep the latest
    ),
    max_size=30,
)
fees_strategy = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), fee_levels)


def build(
    quotes: list[tuple[str, str, str, timedelta, int]], fees: dict[str, str]
) -> tuple[list[FundingRate], ArbitrageConfig]:
    cfg = config(fees={v: VenueFees(maker=Decimal(0), taker=Decimal(f)) for v, f in fees.items()})
    rates = [
        rate(v, value, interval, symbol=Symbol(s), observed_at=NOW - timedelta(minutes=age))
        for s, v, value, interval, age in quotes
    ]
    return rates, cfg


def lazy(rates: list[FundingRate], cfg: ArbitrageConfig, **options: object) -> RankedOpportunities:
    ranked = rank_opportunities(rates, cfg, **options)  # type: ignore[arg-type]
    assert isinstance(ranked, RankedOpportunities)
    return ranked


@settings(max_examples=300, deadline=None)
@given(quotes=quotes_strategy, fees=fees_strategy, data=st.data())
def test_lazy_ranking_equals_the_eager_exact_ranking_in_any_reading_order(
    quotes: list[tuple[str, str, str, timedelta, int]], fees: dict[str, str], data: st.DataObject
) -> None:
    rates, cfg = build(quotes, fees)
    expected = naive_ranking(rates, cfg)
    ranked = lazy(rates, cfg)
    assert len(ranked) == len(expected)
    # read positions in an arbitrary order first (runs get resolved in that order) ...
    positions = data.draw(st.permutations(range(len(expected))))
    first_reads = {i: ranked[i] for i in positions}
    assert [first_reads[i] for i in range(len(expected))] == expected
    # ... then the same objects come back, by index, negative index, slice and iteration
    assert all(ranked[i] is first_reads[i] for i in range(len(expected)))
    assert all(ranked[i - len(expected)] is first_reads[i] for i in range(len(expected)))
    assert list(ranked) == expected
    assert ranked[1::2] == tuple(expected[1::2])
    assert ranked == tuple(expected)
    for o in ranked:  # fast construction yields real, equal Opportunities
        assert type(o) is Opportunity
        assert o == Opportunity(
            o.symbol, o.long_rate, o.short_rate, o.spread_apr, o.cost_apr, o.net_apr
        )
        assert o.net_apr == o.spread_apr - o.cost_apr


@settings(max_examples=200, deadline=None)
@given(quotes=quotes_strategy, fees=fees_strategy, data=st.data())
def test_two_rankings_read_in_different_orders_agree(
    quotes: list[tuple[str, str, str, timedelta, int]], fees: dict[str, str], data: st.DataObject
) -> None:
    rates, cfg = build(quotes, fees)
    one, other = lazy(rates, cfg), lazy(data.draw(st.permutations(rates)), cfg)
    for i in data.draw(st.permutations(range(len(one)))):
        other[i]  # resolve the second ranking in another order
    assert list(one) == list(other)
    assert one == other


@settings(max_examples=200, deadline=None)
@given(quotes=quotes_strategy, fees=fees_strategy, data=st.data())
def test_min_net_apr_and_best_per_symbol_on_the_lazy_ranking(
    quotes: list[tuple[str, str, str, timedelta, int]], fees: dict[str, str], data: st.DataObject
) -> None:
    rates, cfg = build(quotes, fees)
    expected = naive_ranking(rates, cfg)
    # a floor equal to some pair's exact net puts ties right on the boundary
    floor = data.draw(
        st.sampled_from([o.net_apr for o in expected] or [Decimal(0)])
        | st.decimals(min_value=-10, max_value=10, places=6, allow_nan=False)
    )
    kept = [o for o in expected if o.net_apr >= floor]
    floored = lazy(rates, cfg, min_net_apr=floor)
    assert list(floored) == kept
    assert best_per_symbol(lazy(rates, cfg)) == best_per_symbol(expected)
    assert best_per_symbol(floored) == best_per_symbol(kept)
    for count in (2, 3):
        top: list[Opportunity] = []
        taken: dict[Symbol, int] = {}
        for o in kept:
            taken[o.symbol] = taken.get(o.symbol, 0) + 1
            if taken[o.symbol] <= count:
                top.append(o)
        assert floored.first_per_symbol(count) == tuple(top)


@settings(max_examples=100, deadline=None)
@given(quotes=quotes_strategy, fees=st.dictionaries(st.sampled_from(["a", "b", "c"]), fee_levels))
def test_exact_even_when_fees_are_no_sum_of_per_venue_shares(
    quotes: list[tuple[str, str, str, timedelta, int]], fees: dict[str, str]
) -> None:
    """The float shadow assumes fee(long, short) = share(long) + share(short) (costs'
    formula); a formula without that shape must only make the exact runs longer."""
    original = costs.fee_apr

    def lopsided(cfg: ArbitrageConfig, long_venue: str, short_venue: str) -> Decimal:
        extra = Decimal("0.5") if (long_venue, short_venue) in {("a", "b"), ("c", "a")} else 0
        return original(cfg, long_venue, short_venue) + extra

    rates, cfg = build(quotes, fees)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(costs, "fee_apr", lopsided)
        expected = naive_ranking(rates, cfg)
        assert list(lazy(rates, cfg)) == expected


@settings(max_examples=100, deadline=None)
@given(quotes=quotes_strategy, fees=fees_strategy, precision=st.sampled_from([4, 6, 9]))
def test_exact_in_a_coarse_decimal_context_and_independent_of_the_reading_context(
    quotes: list[tuple[str, str, str, timedelta, int]], fees: dict[str, str], precision: int
) -> None:
    rates, cfg = build(quotes, fees)
    with localcontext() as context:
        context.prec = precision
        expected = naive_ranking(rates, cfg)
        ranked = lazy(rates, cfg)
    assert list(ranked) == expected  # read under the default context: same values


def test_sequence_protocol() -> None:
    rates = [rate(v, value) for v, value in (("a", "0.0001"), ("b", "0.0005"), ("c", "0.0003"))]
    ranked = lazy(rates, config())
    expected = tuple(naive_ranking(rates, config()))
    assert isinstance(ranked, Sequence)
    assert len(ranked) == 6 and ranked[-1] == expected[-1] and ranked[::-1] == expected[::-1]
    assert expected == ranked and ranked == lazy(rates[::-1], config())
    assert ranked != list(expected)  # like a tuple: never equal to a list
    assert expected[2] in ranked and ranked.index(expected[2]) == 2
    assert list(reversed(ranked)) == list(expected[::-1])
    assert ranked[10:] == ()
    with pytest.raises(IndexError):
        ranked[6]
    with pytest.raises(IndexError):
        ranked[-7]
    with pytest.raises(TypeError):
        hash(ranked)
    assert "6 opportunities" in repr(ranked)
    assert lazy([], config()) == () and lazy([rates[0]], config()) == ()


def test_opportunities_are_built_only_when_read() -> None:
    rates = [rate(f"v{i}", f"0.000{i}", symbol=Symbol(s)) for s in ("A", "B") for i in range(6)]
    ranked = lazy(rates, config())
    assert len(ranked) == 2 * 6 * 5
    built = ranked._cache  # the per-position cache: what has been materialised
    assert not any(built)
    first = ranked[:3]
    assert sum(o is not None for o in built) == 3 and first == tuple(built[:3])


def test_beyond_float_range_falls_back_to_the_eager_exact_ranking() -> None:
    rates = [rate("a", "1E+400"), rate("b", "2E+400"), rate("c", "-1E+400")]
    ranked = rank_opportunities(rates, config())
    assert list(ranked) == naive_ranking(rates, config())
    assert ranked[0].long_venue.name == "c" and ranked[0].short_venue.name == "b"


def test_per_symbol_picks_are_exact_when_floats_cannot_tell_pairs_apart() -> None:
    # a->b and a->c differ in the 20th digit; a->b comes first in tie order
    rates = [
        rate("a", "0", symbol=Symbol("X")),
        rate("b", "0.10000000000000000001", symbol=Symbol("X")),
        rate("c", "0.10000000000000000002", symbol=Symbol("X")),
        rate("a", "0", symbol=Symbol("W")),
        rate("b", "0.10000000000000000001", symbol=Symbol("W")),
    ]
    ranked = lazy(rates, config())
    expected = naive_ranking(rates, config())
    assert best_per_symbol(ranked) == best_per_symbol(expected)
    assert [(o.symbol.base, o.short_venue.name) for o in best_per_symbol(ranked)] == [
        ("X", "c"),
        ("W", "b"),
    ]
    top_two = [(o.symbol.base, o.long_venue.name, o.short_venue.name) for o in expected]
    top_two = [k for k in top_two if k[0] == "X"][:2] + [k for k in top_two if k[0] == "W"][:2]
    assert {
        (o.symbol.base, o.long_venue.name, o.short_venue.name) for o in ranked.first_per_symbol(2)
    } == set(top_two)
    assert ranked.first_per_symbol(2) == tuple(
        o for o in expected if (o.symbol.base, o.long_venue.name, o.short_venue.name) in top_two
    )


def test_first_per_symbol_of_nothing() -> None:
    rates = [rate("a", "0.0001"), rate("b", "0.0005")]
    assert lazy(rates, config()).first_per_symbol(0) == ()
    assert len(lazy(rates, config()).first_per_symbol(5)) == 2
