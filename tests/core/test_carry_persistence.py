"""Persistence (share of recent settlements in which a spread kept its sign) and
break-even days (days of carry that pay the round-trip fees)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp import costs
from atomic_fp.decisions.carry import Persistence, break_even_days, persistence
from tests.core.builders import NOW, config
from tests.core.test_estimators import HOUR, hourly_series, settled

DAY = timedelta(days=1)


def test_break_even_days_hand_computed() -> None:
    # issue 15 / README: Binance 0.05 % + Hyperliquid 0.045 % taker, entry and exit:
    # 2 * (0.0005 + 0.00045) = 0.0019 of notional; at a 11.48 % APR spread that is
    # 0.0019 * 365 / 0.1148 = 6.04 days of carry
    fee = Decimal("0.0019")
    days = break_even_days(fee, Decimal("0.1148"))
    assert days is not None and days.quantize(Decimal("0.01")) == Decimal("6.04")
    assert break_even_days(fee, Decimal(0)) is None
    assert break_even_days(fee, Decimal("-0.2")) is None


def test_break_even_matches_the_amortised_cost_at_the_horizon() -> None:
    """At a spread equal to cost_apr the fees are paid back exactly at the horizon."""
    cfg = config(holding_horizon=timedelta(days=7))
    fee = costs.round_trip_fee_fraction(cfg, "a", "b")
    cost_apr = costs.fee_apr(cfg, "a", "b")
    days = break_even_days(fee, cost_apr)
    assert days is not None
    assert abs(days - 7) < Decimal("1e-20")


def test_persistence_compares_an_8h_leg_with_each_hourly_settlement() -> None:
    # long venue settles 8-hourly at 0.0008 (0.0001 per hour); the short venue hourly:
    # above 0.0001 in 6 of the last 8 hours
    long_rows = [settled("long", "0.0008", NOW - k * 8 * HOUR, 8 * HOUR) for k in range(3)]
    short_values = [Decimal("0.0002")] * 6 + [Decimal("0.00005")] * 2
    short_rows = hourly_series("short", short_values, NOW)
    got = persistence(long_rows, short_rows, spread_apr=Decimal("0.5"), now=NOW, window=8 * HOUR)
    assert got == Persistence(held=6, samples=8)
    assert got.share == Decimal("0.75")
    flipped = persistence(
        long_rows, short_rows, spread_apr=Decimal("-0.5"), now=NOW, window=8 * HOUR
    )
    assert flipped == Persistence(held=2, samples=8)


def test_persistence_needs_both_legs_and_never_reads_the_future() -> None:
    long_rows = hourly_series("long", [Decimal("0.0001")] * 4, NOW - 10 * HOUR)
    short_rows = hourly_series("short", [Decimal("0.0002")] * 4, NOW)
    assert persistence(long_rows, short_rows, spread_apr=Decimal(1), now=NOW, window=DAY) is None
    # an 8 h period that ends after now is not settled yet: hours inside it are skipped
    open_period = [settled("long", "0.0008", NOW + 4 * HOUR, 8 * HOUR)]
    assert persistence(open_period, short_rows, spread_apr=Decimal(1), now=NOW, window=DAY) is None


values = st.lists(
    st.decimals(min_value=Decimal("-0.001"), max_value=Decimal("0.001"), places=6),
    min_size=1,
    max_size=30,
)


@given(values, values, st.decimals(min_value=Decimal("-1"), max_value=Decimal("1"), places=3))
def test_property_share_is_a_fraction_and_signs_partition(
    long_values: list[Decimal], short_values: list[Decimal], spread: Decimal
) -> None:
    long_rows = hourly_series("long", long_values, NOW)
    short_rows = hourly_series("short", short_values, NOW)
    got = persistence(long_rows, short_rows, spread_apr=spread, now=NOW, window=DAY)
    overlap = min(len(long_values), len(short_values), 24)
    assert got is not None and got.samples == overlap
    assert 0 <= got.share <= 1
    up = persistence(long_rows, short_rows, spread_apr=Decimal(1), now=NOW, window=DAY)
    down = persistence(long_rows, short_rows, spread_apr=Decimal(-1), now=NOW, window=DAY)
    flat = persistence(long_rows, short_rows, spread_apr=Decimal(0), now=NOW, window=DAY)
    assert up is not None and down is not None and flat is not None
    assert up.held + down.held + flat.held == overlap  # every sample has exactly one sign
    # swapping the legs swaps the signs
    swapped = persistence(short_rows, long_rows, spread_apr=Decimal(-1), now=NOW, window=DAY)
    assert swapped == up


@given(
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.01"), places=6),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5"), places=4),
    st.decimals(min_value=Decimal("1.01"), max_value=Decimal("10"), places=2),
)
def test_property_break_even_pays_the_fee_and_falls_as_the_spread_grows(
    fee: Decimal, spread: Decimal, factor: Decimal
) -> None:
    days = break_even_days(fee, spread)
    assert days is not None and days > 0
    earned = spread * days / 365
    assert abs(earned - fee) <= fee * Decimal("1e-20")
    wider = break_even_days(fee, spread * factor)
    assert wider is not None and wider < days
