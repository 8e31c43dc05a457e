"""rank_opportunities / best_per_symbol: exact, complete, deterministic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp import costs
from atomic_fp.decisions.ranking import best_per_symbol, rank_opportunities
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import ArbitrageConfig, FundingRate, Symbol, VenueFees
from tests.core.builders import NOW, book, config, ex, market, rate


def key(o: Opportunity) -> tuple[str, str, str]:
    return (str(o.symbol), o.long_venue.name, o.short_venue.name)


def naive_ranking(rates: list[FundingRate], cfg: ArbitrageConfig) -> list[Opportunity]:
    """The obviously-correct reference: every ordered pair, exact Decimals, one sort."""
    latest: dict[tuple[Symbol, str], FundingRate] = {}
    for r in rates:
        k = (r.symbol, r.exchange.name)
        if k not in latest or (r.observed_at, r.apr, repr(r)) > (
            latest[k].observed_at,
            latest[k].apr,
            repr(latest[k]),
        ):
            latest[k] = r
    out = []
    for (symbol, long_name), long_rate in latest.items():
        for (other, short_name), short_rate in latest.items():
            if other != symbol or short_name == long_name:
                continue
            spread = short_rate.apr - long_rate.apr
            fee = costs.fee_apr(cfg, long_name, short_name)
            out.append(Opportunity(symbol, long_rate, short_rate, spread, fee, spread - fee))
    return sorted(out, key=lambda o: (-o.net_apr, *key(o)))


def test_worked_example_ranks_long_a_short_b_first() -> None:
    a, b = rate("a", "0.0001", timedelta(hours=8)), rate("b", "0.0005", timedelta(hours=1))
    ranked = rank_opportunities([a, b], config())
    assert [(o.long_venue.name, o.short_venue.name) for o in ranked] == [("a", "b"), ("b", "a")]
    best = ranked[0]
    assert (best.long_apr, best.short_apr, best.spread_apr) == (
        Decimal("0.1095"),
        Decimal("4.38"),
        Decimal("4.2705"),
    )
    assert best.net_apr == Decimal("4.2705") - Decimal("0.002") * 8760 / 168


def test_every_ordered_pair_of_symbols_on_two_or_more_venues() -> None:
    rates = [
        rate(v, "0.0001", symbol=Symbol(s)) for s in ("BTC", "ETH") for v in ("a", "b", "c")
    ] + [rate("a", "0.0002", symbol=Symbol("SOLO"))]
    ranked = rank_opportunities(rates, config())
    assert len(ranked) == 2 * 3 * 2
    assert Symbol("SOLO") not in {o.symbol for o in ranked}
    # all equal nets: tie order is symbol, long venue, short venue
    assert [key(o) for o in ranked] == sorted(key(o) for o in ranked)


@settings(max_examples=200, deadline=None)
@given(
    quotes=st.lists(
        st.tuples(
            st.decimals(min_value=-1, max_value=1, places=10, allow_nan=False),
            st.sampled_from([timedelta(hours=1), timedelta(minutes=240), timedelta(hours=8)]),
        ),
        min_size=2,
        max_size=5,
    )
)
def test_spread_is_antisymmetric_in_the_pair(quotes: list[tuple[Decimal, timedelta]]) -> None:
    rates = [rate(f"v{i}", str(value), interval) for i, (value, interval) in enumerate(quotes)]
    by_pair = {key(o): o for o in rank_opportunities(rates, config())}
    assert len(by_pair) == len(quotes) * (len(quotes) - 1)
    for (symbol, long_name, short_name), opportunity in by_pair.items():
        reverse = by_pair[(symbol, short_name, long_name)]
        assert opportunity.spread_apr == -reverse.spread_apr
        assert opportunity.spread_apr == opportunity.short_apr - opportunity.long_apr


fee_levels = st.sampled_from(["0", "0.0002", "0.0005", "0.00035"])
rate_values = st.sampled_from(
    ["0.0001", "-0.0001", "0", "0.00005", "0.0003", "0.0000125"]
) | st.decimals(
    min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=9, allow_nan=False
).map(str)


@settings(max_examples=200, deadline=None)
@given(
    quotes=st.lists(
        st.tuples(
            st.sampled_from(["BTC", "ETH", "PEPE"]),
            st.sampled_from(["a", "b", "c", "d", "e"]),
            rate_values,
            st.sampled_from([1, 4, 8]),
        ),
        max_size=25,
    ),
    fees=st.dictionaries(st.sampled_from(["a", "b", "c"]), fee_levels),
)
def test_fast_ranking_equals_the_naive_exact_ranking(
    quotes: list[tuple[str, str, str, int]], fees: dict[str, str]
) -> None:
    cfg = config(fees={v: VenueFees(maker=Decimal(0), taker=Decimal(f)) for v, f in fees.items()})
    rates = [rate(v, value, timedelta(hours=h), symbol=Symbol(s)) for s, v, value, h in quotes]
    ranked = rank_opportunities(rates, cfg)
    expected = naive_ranking(rates, cfg)
    assert list(ranked) == expected
    for o in ranked:  # fast construction yields real, equal Opportunities
        assert type(o) is Opportunity
        assert o == Opportunity(
            o.symbol, o.long_rate, o.short_rate, o.spread_apr, o.cost_apr, o.net_apr
        )
    floor = Decimal("0.05")
    assert rank_opportunities(rates, cfg, min_net_apr=floor) == tuple(
        o for o in expected if o.net_apr >= floor
    )
    assert rank_opportunities(rates[::-1], cfg) == ranked  # input order is irrelevant
    assert rank_opportunities(rates, cfg, per_symbol=1) == best_per_symbol(expected)
    for count in (2, 3):
        per_symbol: dict[Symbol, int] = {}
        top = []
        for o in expected:
            per_symbol[o.symbol] = per_symbol.get(o.symbol, 0) + 1
            if per_symbol[o.symbol] <= count:
                top.append(o)
        assert rank_opportunities(rates, cfg, per_symbol=count) == tuple(top)
        assert rank_opportunities(rates, cfg, per_symbol=count, min_net_apr=floor) == tuple(
            o for o in top if o.net_apr >= floor
        )


def test_per_symbol_with_books_or_zero() -> None:
    rates = [rate("a", "0.0001"), rate("b", "0.0010"), rate("c", "0.0005")]
    books = {
        ex("a"): book("a", [("99", "5")], [("101", "5")]),
        ex("b"): book("b", [("100", "5")], [("102", "5")]),
    }
    full = rank_opportunities(rates, config(), books)
    assert rank_opportunities(rates, config(), books, per_symbol=2) == full[:2]
    assert rank_opportunities(rates, config(), per_symbol=0) == ()


def test_nets_closer_than_float_precision_are_ordered_exactly() -> None:
    # These differ in the 20th significant digit: floats cannot tell them apart.
    rates = [
        rate("a", "0", symbol=Symbol("X")),
        rate("b", "0.10000000000000000001", symbol=Symbol("X")),
        rate("a", "0", symbol=Symbol("W")),
        rate("b", "0.10000000000000000002", symbol=Symbol("W")),
    ]
    for per_symbol in (None, 1):
        ranked = rank_opportunities(rates, config(), per_symbol=per_symbol)
        assert [str(o.symbol) for o in ranked[:2]] == ["W/USD", "X/USD"]
        assert ranked[0].net_apr > ranked[1].net_apr
    rates[3] = rate("b", "0.1", symbol=Symbol("W"))
    for per_symbol in (None, 1):
        ranked = rank_opportunities(rates, config(), per_symbol=per_symbol)
        assert [str(o.symbol) for o in ranked[:2]] == ["X/USD", "W/USD"]
    # within one symbol too: two short venues a hair apart
    close = [
        rate("a", "0"),
        rate("b", "0.10000000000000000001"),
        rate("c", "0.10000000000000000002"),
    ]
    assert rank_opportunities(close, config(), per_symbol=1)[0].short_venue.name == "c"


def test_best_per_symbol_keeps_the_first_of_each_symbol() -> None:
    rates = [
        rate("a", "0.0001", symbol=Symbol("BTC")),
        rate("b", "0.0009", symbol=Symbol("BTC")),
        rate("a", "0.0001", symbol=Symbol("ETH")),
        rate("c", "0.0004", symbol=Symbol("ETH")),
    ]
    best = best_per_symbol(rank_opportunities(rates, config()))
    assert [key(o) for o in best] == [("BTC/USD", "a", "b"), ("ETH/USD", "a", "c")]


def test_latest_duplicate_quote_wins() -> None:
    old = rate("a", "0.0009", observed_at=NOW - timedelta(minutes=1))
    ranked = rank_opportunities([old, rate("a", "0.0001"), rate("b", "0.0005")], config())
    assert ranked[0].long_rate.rate == Decimal("0.0001")


def test_books_add_the_entry_gap_and_drop_unfillable_pairs() -> None:
    rates = [rate("a", "0.0001"), rate("b", "0.0010"), rate("c", "0.0010")]
    books = {
        ex("a"): book("a", [("99", "5")], [("101", "5")]),
        ex("b"): book("b", [("100", "5")], [("102", "5")]),
        ex("c"): book("c", [("100", "0.5")], [("102", "0.5")]),  # cannot fill trade_size 1
    }
    ranked = {key(o): o for o in rank_opportunities(rates, config(), books, markets=[market("a")])}
    ab = ranked[("BTC/USD", "a", "b")]
    fees = Decimal("0.002") * 8760 / 168
    assert ab.cost_apr == fees + Decimal(1) / Decimal("100.5") * 8760 / 168
    assert ab.net_apr == ab.spread_apr - ab.cost_apr
    assert not any("c" in (k[1], k[2]) for k in ranked)


def test_empty_input() -> None:
    assert rank_opportunities([], config()) == ()
    assert best_per_symbol(()) == ()


def test_one_base_quoted_in_other_quote_assets_is_one_symbol() -> None:
    """``Symbol("BTC", "USDT") == Symbol("BTC", "USDC")`` (the quote is for display): a
    venue settling in USDT and one in USDC quote one symbol, so they pair up, in the full
    ranking and in the best pair per symbol, as in the simple ranking. (The grouping once
    keyed on the quote too, and ranked no pair here.)"""
    rates = [
        rate("a", "0.0001", symbol=Symbol("BTC", "USDT")),
        rate("b", "0.0004", symbol=Symbol("BTC", "USDC")),
        rate("c", "0.00015", symbol=Symbol("BTC")),
        rate("a", "0.0001", symbol=Symbol("ETH", "USDC")),
        rate("b", "-0.00015", symbol=Symbol("ETH")),
    ]  # no two nets equal: the simple ranking breaks ties by str(symbol), quote included
    expected = naive_ranking(rates, config())
    assert len(expected) == 8
    assert rank_opportunities(rates, config()) == tuple(expected)
    assert rank_opportunities(rates, config(), per_symbol=1) == best_per_symbol(expected)
