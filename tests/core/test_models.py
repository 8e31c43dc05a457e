from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from atomic_fp.models import (
    ExchangeIdentifier,
    FundingKind,
    FundingRate,
    Market,
    Position,
    Symbol,
)
from atomic_fp.serialization import from_json_dict, to_json_dict

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def rate(value: str, hours: float, venue: str = "a") -> FundingRate:
    return FundingRate(
        exchange=ExchangeIdentifier(venue),
        symbol=Symbol("BTC"),
        rate=Decimal(value),
        interval=timedelta(hours=hours),
        kind=FundingKind.CURRENT,
        observed_at=NOW,
    )


def test_apr_of_the_worked_example() -> None:
    assert rate("0.0001", 8).apr == Decimal("0.1095")
    assert rate("0.0005", 1).apr == Decimal("4.38")


def test_nan_rate_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="rate must be finite"):
        rate("NaN", 8)


def test_float_rate_is_refused() -> None:
    with pytest.raises(TypeError, match="rate must be a Decimal"):
        FundingRate(
            exchange=ExchangeIdentifier("a"),
            symbol=Symbol("BTC"),
            rate=0.0001,  # type: ignore[arg-type]
            interval=timedelta(hours=8),
            kind=FundingKind.CURRENT,
            observed_at=NOW,
        )


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FundingRate(
            exchange=ExchangeIdentifier("a"),
            symbol=Symbol("BTC"),
            rate=Decimal("0.0001"),
            interval=timedelta(hours=8),
            kind=FundingKind.CURRENT,
            observed_at=datetime(2026, 1, 1),
        )


def test_negative_lot_size_is_refused() -> None:
    with pytest.raises(ValueError, match="lot_size must be > 0"):
        Market(
            exchange=ExchangeIdentifier("a"),
            symbol=Symbol("BTC"),
            venue_symbol="BTCUSDT",
            tick_size=Decimal("0.1"),
            lot_size=Decimal("-0.001"),
        )


def test_position_base_size_uses_multiplier() -> None:
    position = Position(
        exchange=ExchangeIdentifier("binance"),
        symbol=Symbol("PEPE"),
        size=Decimal("-3"),
        observed_at=NOW,
        contract_multiplier=Decimal(1000),
    )
    assert position.base_size == Decimal(-3000)


def test_json_round_trip_keeps_decimals_exact() -> None:
    original = rate("0.00009599999999999999", 8)
    data = to_json_dict(original)
    assert data["rate"] == "0.00009599999999999999"
    assert from_json_dict(data, FundingRate).unwrap() == original


def test_json_with_bad_value_is_a_failure_naming_the_field() -> None:
    data = to_json_dict(rate("0.0001", 8))
    data["rate"] = "NaN"
    failure = from_json_dict(data, FundingRate).failure()
    assert "rate" in failure
