"""The kit's funding-read steps (adapters/kit/rates.py): ranges refused unsent, the
settled window half-open, symbol filters, and interval doubts attached."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
from returns.result import Failure

from adapters.kit.rates import for_symbols, millis, range_refusal, settled_within, with_doubt
from atomic_fp.errors import InvalidRequest
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

T0 = datetime(2025, 12, 3, 8, tzinfo=timezone.utc)


def rate(symbol: str, at: datetime) -> FundingRate:
    return FundingRate(
        exchange=ExchangeIdentifier("toy"),
        symbol=Symbol(symbol),
        rate=Decimal("0.0001"),
        interval=timedelta(hours=8),
        kind=FundingKind.SETTLED,
        observed_at=at,
        funding_time=at,
    )


def test_a_range_must_be_aware_and_forward() -> None:
    assert range_refusal("toy", T0, T0 + timedelta(hours=1), "history") is None
    for start, end in ((T0, T0), (T0.replace(tzinfo=None), T0 + timedelta(1))):
        refused = range_refusal("toy", start, end, "history")
        assert isinstance(refused, Failure) and isinstance(refused.failure(), InvalidRequest)
        assert refused.failure().message == "history needs aware start < end"


def test_the_settled_window_is_half_open_and_symbols_filter() -> None:
    rates = [rate("BTC", T0 + timedelta(hours=8 * i)) for i in range(4)]
    kept = settled_within(rates, T0 + timedelta(hours=8), T0 + timedelta(hours=24))
    assert [r.funding_time for r in kept] == [T0 + timedelta(hours=8), T0 + timedelta(hours=16)]
    mixed = [rate("BTC", T0), rate("ETH", T0)]
    assert [r.symbol for r in for_symbols(mixed, [Symbol("ETH")])] == [Symbol("ETH")]
    assert for_symbols(mixed, None) == tuple(mixed)
    assert millis(T0) == 1_764_748_800_000


def test_a_rate_whose_interval_contradicts_its_next_funding_carries_the_doubt() -> None:
    current = attrs.evolve(
        rate("BTC", T0),
        kind=FundingKind.CURRENT,
        funding_time=None,
        next_funding_time=T0 + timedelta(minutes=30),  # off the 8 h grid
    )
    doubted = with_doubt(current)
    assert doubted.interval_doubt is not None
    already = attrs.evolve(current, interval_doubt="the venue said so")
    assert with_doubt(already).interval_doubt == "the venue said so"
    on_grid = attrs.evolve(current, next_funding_time=T0 + timedelta(hours=8))
    assert with_doubt(on_grid) == on_grid
