"""Liquidity floors in the decision: a venue whose published open interest or 24 h volume
is below the [strategy] floor is left out with that reason; one that publishes none is not."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
from returns.pipeline import is_successful

from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.liquidity import liquidity_problem
from tests.core.builders import NOW, by_venue, config, flat, market, rate

decide = FundingArbitrageDecision.analyze_opportunity
HOUR = timedelta(hours=1)


def test_a_thin_venue_is_excluded_and_the_next_best_pair_trades() -> None:
    a = rate("a", "0.0001")  # 10.95 % APR, no liquidity published
    thin = attrs.evolve(rate("b", "0.0005", HOUR), open_interest=Decimal(2_000_000))
    deep = attrs.evolve(rate("c", "0.0002", HOUR), open_interest=Decimal(90_000_000))
    floors = config(min_open_interest=Decimal(10_000_000))
    result = decide(
        rates=by_venue(a, thin, deep), positions=flat("a", "b", "c"), config=floors, now=NOW
    )
    assert is_successful(result)
    assert {leg.exchange.name for leg in result.unwrap().legs} == {"a", "c"}
    # without the floor the thin venue (438 % APR) would have been the short leg
    unfloored = decide(
        rates=by_venue(a, thin, deep), positions=flat("a", "b", "c"), config=config(), now=NOW
    )
    assert {leg.exchange.name for leg in unfloored.unwrap().legs} == {"a", "b"}


def test_the_reason_names_the_figure_and_the_floor() -> None:
    a = rate("a", "0.0001")
    thin = attrs.evolve(rate("b", "0.0005", HOUR), volume_24h=Decimal(150_000))
    result = decide(
        rates=by_venue(a, thin),
        positions=flat("a", "b"),
        config=config(min_volume_24h=Decimal(1_000_000)),
        now=NOW,
    )
    assert not is_successful(result)
    assert "b: 24 h volume 150,000 below the floor 1,000,000" in result.failure().excluded


def test_market_figures_win_over_the_rates_and_unknown_passes() -> None:
    floors = config(min_open_interest=Decimal(5_000_000))
    r = attrs.evolve(rate("a", "0.0001"), open_interest=Decimal(9_000_000))
    m = attrs.evolve(market("a"), open_interest=Decimal(1_000_000))
    assert liquidity_problem(r, floors, m) == "open interest 1,000,000 below the floor 5,000,000"
    assert liquidity_problem(r, floors) is None
    assert liquidity_problem(rate("a", "0.0001"), floors) is None  # not published: passes
    assert liquidity_problem(r, config(), min_open_interest=Decimal(10**7)) is not None
