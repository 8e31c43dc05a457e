"""A published cap/floor bounds every APR computed from a rate (properties), and the ranking
(what ``scan`` prints) agrees with ``FundingRate.apr`` when caps apply."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.decisions.ranking import rank_opportunities
from atomic_fp.models import ArbitrageConfig, FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
rates = st.decimals(min_value=Decimal("-0.5"), max_value=Decimal("0.5"), places=8)
bounds = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.05"), places=6)
hours = st.sampled_from([1, 4, 8])


def _rate(venue: str, value: Decimal, h: int, cap: Decimal | None) -> FundingRate:
    return FundingRate(
        exchange=ExchangeIdentifier(venue),
        symbol=Symbol("BTC"),
        rate=value,
        interval=timedelta(hours=h),
        kind=FundingKind.CURRENT,
        observed_at=NOW,
        cap=cap,
        floor=None if cap is None else -cap,
    )


@given(value=rates, cap=bounds, h=hours)
def test_the_apr_never_exceeds_the_cap_annualised(value: Decimal, cap: Decimal, h: int) -> None:
    rate = _rate("a", value, h, cap)
    assert -cap <= rate.payable <= cap
    assert abs(rate.apr) <= cap * 8760 / h
    assert rate.capped == (abs(value) > cap)
    if not rate.capped:
        assert rate.apr == value * 8760 / h  # an uncapped rate is untouched


@given(a=rates, b=rates, cap=bounds, ha=hours, hb=hours)
def test_ranking_uses_the_capped_aprs(
    a: Decimal, b: Decimal, cap: Decimal, ha: int, hb: int
) -> None:
    first, second = _rate("a", a, ha, cap), _rate("b", b, hb, None)
    config = ArbitrageConfig(
        build_threshold=Decimal("0.1"),
        close_threshold=Decimal("0.01"),
        max_position=Decimal(1),
        trade_size=Decimal(1),
    )
    for opportunity in rank_opportunities([first, second], config):
        assert opportunity.spread_apr == opportunity.short_rate.apr - opportunity.long_rate.apr
        by_venue = {"a": first.apr, "b": second.apr}
        assert opportunity.long_apr == by_venue[opportunity.long_venue.name]
