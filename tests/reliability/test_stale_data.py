"""Stale data and clocks: a rate older than ``config.max_data_age`` never opens a position.

Checked twice: through the decisions directly (hypothesis over the ages of every venue's
rate, with everything else fresh and a spread that would otherwise trade), and through
``run_strategy_cycle`` on paper venues with a clock we control -- a venue serving a cached
rate of a given age, and venues whose clocks are skewed against ours.

The non-vacuity half of each property is asserted too: with every age within the limit a
position *is* opened, so the property cannot pass by never trading.

Ages run both ways: data stamped *ahead* of our clock by more than the limit (a venue clock
running ahead, or ours behind) cannot be aged at all and must not open either. (This suite
found such data always taken as fresh; fixed in 882eb1e, kept as regression cases.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters.paper import ManualClock, PaperMarketState, PaperVenue
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, SignalKind, TradingSignal
from tests.core.builders import NOW, book, by_venue, config, flat, market, position, rate
from tests.shell.helpers import BTC, PRICE, T0, TAKER_ONLY, orchestrator
from tests.shell.helpers import market as paper_market

LIMIT = timedelta(minutes=5)
VENUES = ("a", "b", "c")
# Funding per 8 h: a pays little, c a lot: any pair among fresh venues trades.
RATES = {"a": "0.0001", "b": "0.0008", "c": "0.0016"}

ages = st.integers(min_value=0, max_value=4 * 3600).map(lambda s: timedelta(seconds=s))
signed_ages = st.integers(min_value=-4 * 3600, max_value=4 * 3600).map(
    lambda s: timedelta(seconds=s)
)
"""Negative: stamped ahead of our clock."""


def decide(
    observed: dict[str, datetime], limit: timedelta = LIMIT
) -> Result[TradingSignal, object]:
    rates = by_venue(*(rate(v, RATES[v], observed_at=observed[v]) for v in VENUES))
    books = by_venue(*(book(v, [("49999", "100")], [("50001", "100")]) for v in VENUES))
    markets = by_venue(*(market(v) for v in VENUES))
    return FundingArbitrageDecision.analyze_opportunity(
        rates=rates,
        positions=flat(*VENUES),
        config=config(max_data_age=limit),
        markets=markets,
        books=books,
        now=NOW,
    )


@settings(max_examples=400, deadline=None, database=None)
@given(
    age_a=signed_ages,
    age_b=signed_ages,
    age_c=signed_ages,
    limit_s=st.integers(min_value=1, max_value=3600),
)
def test_decision_never_opens_on_a_rate_older_than_the_limit(
    age_a: timedelta, age_b: timedelta, age_c: timedelta, limit_s: int
) -> None:
    limit = timedelta(seconds=limit_s)
    age = {"a": age_a, "b": age_b, "c": age_c}
    result = decide({v: NOW - age[v] for v in VENUES}, limit)
    fresh = [v for v in VENUES if abs(age[v]) <= limit]
    if isinstance(result, Success) and result.unwrap().kind is SignalKind.OPEN:
        for leg in result.unwrap().legs:
            assert abs(age[leg.exchange.name]) <= limit, (leg.exchange, age, limit)
    if len(fresh) >= 2:
        # Non-vacuity: two fresh venues with this spread always trade.
        assert isinstance(result, Success), result
        assert {leg.exchange.name for leg in result.unwrap().legs} <= set(fresh)
    else:
        assert not isinstance(result, Success), result


@settings(max_examples=300, deadline=None, database=None)
@given(
    rate_age_a=signed_ages,
    rate_age_b=signed_ages,
    position_age=signed_ages,
)
def test_may_open_refuses_stale_rates_and_positions(
    rate_age_a: timedelta, rate_age_b: timedelta, position_age: timedelta
) -> None:
    rates = by_venue(
        rate("a", "0.0001", observed_at=NOW - rate_age_a),
        rate("b", "0.0010", observed_at=NOW - rate_age_b),
    )
    positions = by_venue(
        position("a", "0.5", observed_at=NOW - position_age),
        position("b", "-0.5", observed_at=NOW - position_age),
    )
    gate = SafetyDecision.may_open(rates=rates, positions=positions, config=config(), now=NOW)
    fresh = max(abs(rate_age_a), abs(rate_age_b), abs(position_age)) <= LIMIT
    assert isinstance(gate, Success) == fresh, gate


# ---------------------------------------------------------------- through the cycle


class CachedRatePaper(PaperVenue):
    """A paper venue that serves its funding rate as observed ``rate_age`` ago (a venue
    or a proxy answering from a stale cache)."""

    rate_age: timedelta = timedelta(0)

    def _rates_now(self, symbols: object) -> Result[tuple[FundingRate, ...], VenueError]:
        fresh = super()._rates_now(symbols)  # type: ignore[arg-type]
        return fresh.map(
            lambda rates: tuple(
                FundingRate(
                    exchange=r.exchange,
                    symbol=r.symbol,
                    rate=r.rate,
                    interval=r.interval,
                    kind=r.kind,
                    observed_at=r.observed_at - self.rate_age,
                    next_funding_time=r.next_funding_time,
                    mark_price=r.mark_price,
                    index_price=r.index_price,
                    venue_symbol=r.venue_symbol,
                )
                for r in rates
            )
        )


def paper(name: str, rate_value: str, clock: ManualClock) -> CachedRatePaper:
    return CachedRatePaper(
        name,
        [PaperMarketState(paper_market(name), PRICE, funding_rate=Decimal(rate_value))],
        fees=TAKER_ONLY,
        clock=clock,
    )


def cycle_opens(venues: list[CachedRatePaper], clock: ManualClock) -> bool:
    """Run one strategy cycle; whether it opened a position (checked on the venues)."""

    async def run() -> bool:
        for venue in venues:
            venue.client_clock = clock  # orders' deadlines are on our clock (issue 13)
        orch = orchestrator(venues, clock=clock)
        report = await orch.run_strategy_cycle()
        opened = any(v.position_base(BTC) != 0 for v in venues)
        placed = any("place_order" in v.calls for v in venues)
        assert opened == placed == (report.execution is not None), report.describe()
        return opened

    return anyio.run(run)


@settings(max_examples=60, deadline=None, database=None)
@given(age_a=ages, age_b=ages)
def test_cycle_never_opens_on_a_cached_rate_older_than_the_limit(
    age_a: timedelta, age_b: timedelta
) -> None:
    clock = ManualClock(T0)
    a, b = paper("a", "0.0001", clock), paper("b", "0.001", clock)
    a.rate_age, b.rate_age = age_a, age_b
    assert cycle_opens([a, b], clock) == (max(age_a, age_b) <= LIMIT)


@settings(max_examples=60, deadline=None, database=None)
@given(skew_a=signed_ages, skew_b=signed_ages)
def test_cycle_with_venue_clocks_skewed_against_ours(skew_a: timedelta, skew_b: timedelta) -> None:
    """Each venue stamps its data with its own clock; ours is the reference. A venue whose
    clock is off by more than the limit, either way, serves data whose age is unknown (or
    stale): nothing opens. Within the limit, trading goes on."""
    clock = ManualClock(T0)
    a = paper("a", "0.0001", ManualClock(T0 + skew_a))
    b = paper("b", "0.001", ManualClock(T0 + skew_b))
    assert cycle_opens([a, b], clock) == (max(abs(skew_a), abs(skew_b)) <= LIMIT)


def test_cycle_with_one_stale_venue_of_three_trades_only_the_fresh_pair() -> None:
    clock = ManualClock(T0)
    a, b, c = paper("a", "0.0001", clock), paper("b", "0.001", clock), paper("c", "0.003", clock)
    c.rate_age = LIMIT + timedelta(seconds=1)  # c has the best rate, but it is stale
    assert cycle_opens([a, b, c], clock)
    assert c.position_base(BTC) == 0 and "place_order" not in c.calls
    assert a.position_base(BTC) > 0 > b.position_base(BTC)


def test_the_age_limit_is_inclusive_to_the_second() -> None:
    clock = ManualClock(T0)
    for age, opens in ((LIMIT, True), (LIMIT + timedelta(microseconds=1), False)):
        a, b = paper("a", "0.0001", clock), paper("b", "0.001", clock)
        b.rate_age = age
        assert cycle_opens([a, b], clock) is opens, age


# ---------------------------------------------------------------- found by this suite


@pytest.mark.parametrize("ahead", [timedelta(minutes=6), timedelta(hours=2), timedelta(days=3)])
def test_rate_stamped_far_in_the_future_does_not_open(ahead: timedelta) -> None:
    """Regression: future-stamped rates used to be always fresh (fixed in 882eb1e)."""
    observed = {"a": NOW, "b": NOW + ahead, "c": NOW + ahead}
    result = decide(observed)
    opened = isinstance(result, Success) and result.unwrap().kind is SignalKind.OPEN
    assert not opened, result
    assert "clock skew" in str(result.failure())


def test_venue_clock_far_ahead_does_not_open() -> None:
    clock = ManualClock(T0)
    a = paper("a", "0.0001", clock)
    b = paper("b", "0.001", ManualClock(T0 + timedelta(hours=1)))
    assert not cycle_opens([a, b], clock)
