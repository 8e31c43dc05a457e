"""Estimators (``--basis``): current, predicted, trailing 24 h / 7 d realised averages.

Outside reference: the MIT research year (``ZuShen168/funding_rate_data``, read in place
from ``../shared/research-data``): Hyperliquid BTC settled 2.92e-6 at 15:00 and 1.20e-5 at
16:00 on 2025-12-03 (the figures issue 15 quotes); the 24 h average is checked against a
plain sum over the file's rows.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from atomic_fp.decisions.estimators import (
    Basis,
    EstimateUnavailable,
    estimate,
    estimate_inputs,
    hourly_average,
)
from atomic_fp.errors import NetworkError
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.core.builders import BTC, NOW, rate

RESEARCH = (
    Path(__file__).resolve().parents[3] / "shared/research-data/funding_rate_data/derived_csv"
)
HOUR = timedelta(hours=1)


def settled(
    venue: str, value: str | Decimal, at: datetime, interval: timedelta = HOUR
) -> FundingRate:
    return FundingRate(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        rate=Decimal(value),
        interval=interval,
        kind=FundingKind.SETTLED,
        observed_at=at,
        funding_time=at,
    )


def hourly_series(venue: str, values: list[Decimal], end: datetime) -> list[FundingRate]:
    """Hourly settlements, the last one at ``end``."""
    n = len(values)
    return [settled(venue, v, end - (n - 1 - i) * HOUR) for i, v in enumerate(values)]


def test_basis_parse_names_the_choices() -> None:
    assert Basis.parse(" AVG24H ") is Basis.AVG24H
    with pytest.raises(ValueError, match="current, predicted, avg24h, avg7d"):
        Basis.parse("ema")


def test_current_is_the_rate_itself() -> None:
    now_rate = rate("a", "0.0001")
    result = estimate(Basis.CURRENT, now_rate, now=NOW)
    assert result.unwrap().rate == now_rate


def test_avg24h_weights_settlements_by_the_hours_they_paid_for() -> None:
    # 8 h venue: three settlements; their per-hour average, re-expressed per 8 h
    rows = [
        settled("a", "0.0008", NOW - 16 * HOUR, 8 * HOUR),
        settled("a", "0.0016", NOW - 8 * HOUR, 8 * HOUR),
        settled("a", "0.0000", NOW, 8 * HOUR),
    ]
    current = rate("a", "0.0040", 8 * HOUR)
    got = estimate(Basis.AVG24H, current, now=NOW, settled=rows).unwrap()
    assert got.rate.rate == Decimal("0.0008")  # (0.0008+0.0016+0)/24 h * 8 h
    assert got.rate.interval == 8 * HOUR and got.current == current and got.settlements == 3
    # a venue that switched 8 h -> 1 h mid-window: 16 h at 8 h, then 8 hourly rows
    mixed = [
        settled("a", "0.0008", NOW - 16 * HOUR, 8 * HOUR),
        settled("a", "0.0008", NOW - 8 * HOUR, 8 * HOUR),
        *hourly_series("a", [Decimal("0.0004")] * 8, NOW),
    ]
    hourly, count = hourly_average(mixed, NOW, timedelta(hours=24)).unwrap()
    assert count == 10
    assert hourly == (Decimal("0.0016") + Decimal("0.0032")) / 24


def test_too_little_history_is_a_reason_never_a_zero() -> None:
    rows = hourly_series("a", [Decimal("0.0001")] * 5, NOW)
    result = estimate(Basis.AVG24H, rate("a", "0.0001", HOUR), now=NOW, settled=rows)
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, EstimateUnavailable) and error.venue == "a"
    assert "only 5 h of settled history in the last 24 h" in error.message
    none = estimate(Basis.AVG7D, rate("a", "0.0001", HOUR), now=NOW, settled=[])
    assert "no settled rate in the last 7 d" in none.failure().message
    # a gap inside the window: 12 h missing
    gappy = hourly_series("a", [Decimal("0.0001")] * 6, NOW) + hourly_series(
        "a", [Decimal("0.0001")] * 6, NOW - 18 * HOUR
    )
    assert isinstance(hourly_average(gappy, NOW, timedelta(hours=24)), Failure)


def test_settlements_after_now_are_never_read() -> None:
    rows = [*hourly_series("a", [Decimal("0.0001")] * 24, NOW), settled("a", "0.5", NOW + HOUR)]
    hourly, count = hourly_average(rows, NOW, timedelta(hours=24)).unwrap()
    assert (hourly, count) == (Decimal("0.0001"), 24)


def test_predicted_is_re_expressed_per_the_current_interval_or_left_out() -> None:
    current = rate("a", "0.0001", 8 * HOUR)
    predicted = settled("a", "0.00002", NOW, HOUR)  # per hour
    got = estimate(Basis.PREDICTED, current, now=NOW, predicted=predicted).unwrap()
    assert got.rate.rate == Decimal("0.00016") and got.rate.apr == predicted.apr
    missing = estimate(Basis.PREDICTED, current, now=NOW)
    assert "no predicted funding rate published for BTC" in missing.failure().message


def test_decision_inputs_keep_failures_and_add_missing_estimates() -> None:
    failed = Failure(NetworkError("b", "timeout"))
    inputs = {
        ExchangeIdentifier("a"): Success(rate("a", "0.0001", HOUR)),
        ExchangeIdentifier("b"): failed,
        ExchangeIdentifier("c"): Success(rate("c", "0.0001", HOUR)),
    }
    history = {("a", BTC): hourly_series("a", [Decimal("0.00003")] * 24, NOW)}
    out = estimate_inputs(Basis.AVG24H, inputs, now=NOW, settled=history)
    assert out[ExchangeIdentifier("a")].unwrap().rate == Decimal("0.00003")
    assert out[ExchangeIdentifier("b")] == failed
    assert isinstance(out[ExchangeIdentifier("c")].failure(), EstimateUnavailable)
    assert estimate_inputs(Basis.CURRENT, inputs, now=NOW) == inputs


def _research(venue: str, symbol: str) -> list[FundingRate]:
    path = next(RESEARCH.glob(f"{venue}_{symbol}_*.csv"))
    with path.open() as handle:
        return [
            FundingRate(
                exchange=ExchangeIdentifier(venue),
                symbol=Symbol(symbol),
                rate=Decimal(row["rate_raw"]),
                interval=timedelta(hours=int(row["interval_hours"])),
                kind=FundingKind.SETTLED,
                observed_at=datetime.fromisoformat(row["settlement_ts"].replace("Z", "+00:00")),
                funding_time=datetime.fromisoformat(row["settlement_ts"].replace("Z", "+00:00")),
            )
            for row in csv.DictReader(handle)
        ]


@pytest.mark.skipif(not RESEARCH.is_dir(), reason="research data not present")
def test_research_year_hyperliquid_btc_at_the_snapshot() -> None:
    rows = _research("hyperliquid", "BTC")
    by_hour = {r.funding_time.replace(microsecond=0, second=0): r.rate for r in rows}  # type: ignore[union-attr]
    at = datetime(2025, 12, 3, tzinfo=timezone.utc)
    assert by_hour[at.replace(hour=15)] == Decimal("0.0000029226")  # issue 15's 2.92e-6
    assert by_hour[at.replace(hour=16)] == Decimal("0.0000120028")  # and 1.20e-5
    now = datetime(2025, 12, 3, 15, 12, 10, tzinfo=timezone.utc)  # the bundled snapshot
    expected_rows = [r for r in rows if now - timedelta(hours=24) < r.funding_time <= now]  # type: ignore[operator]
    assert len(expected_rows) == 24
    plain = sum(r.rate for r in expected_rows) / 24
    hourly, count = hourly_average(rows, now, timedelta(hours=24)).unwrap()
    assert (hourly, count) == (plain, 24)
    # Binance BTC (8 h): the three settlements of 2025-12-02 16:00, 12-03 00:00 and 08:00
    binance = _research("binance", "BTC")
    b_hourly, b_count = hourly_average(binance, now, timedelta(hours=24)).unwrap()
    assert b_count == 3
    assert b_hourly == (Decimal("0.00003999") - Decimal("0.00001732") + Decimal("0.00004206")) / 24


rates_st = st.decimals(min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=8)


@given(st.lists(rates_st, min_size=24, max_size=48))
def test_property_average_lies_between_the_extremes(values: list[Decimal]) -> None:
    rows = hourly_series("a", values, NOW)
    hourly, count = hourly_average(rows, NOW, timedelta(hours=24)).unwrap()
    window = values[-24:]
    assert count == 24
    assert min(window) <= hourly <= max(window)


@given(rates_st, st.sampled_from([1, 2, 4, 8]))
def test_property_constant_rate_averages_to_itself_on_any_cadence(
    per_hour: Decimal, hours: int
) -> None:
    interval = timedelta(hours=hours)
    rows = [
        settled("a", per_hour * hours, NOW - k * interval, interval)
        for k in range(0, 7 * 24 // hours)
    ]
    for basis in (Basis.AVG24H, Basis.AVG7D):
        current = rate("a", "0.5", interval)
        got = estimate(basis, current, now=NOW, settled=rows).unwrap()
        assert got.rate.hourly == per_hour
        assert got.rate.interval == interval


@given(st.lists(rates_st, min_size=8, max_size=8))
def test_property_splitting_a_settlement_into_hours_keeps_the_average(
    hourly_values: list[Decimal],
) -> None:
    """One 8 h settlement paying the sum of eight hourly ones is the same carry."""
    as_hours = [
        *hourly_series("a", [Decimal(0)] * 16, NOW - 8 * HOUR),
        *hourly_series("a", hourly_values, NOW),
    ]
    as_block = [
        *hourly_series("a", [Decimal(0)] * 16, NOW - 8 * HOUR),
        settled("a", sum(hourly_values, Decimal(0)), NOW, 8 * HOUR),
    ]
    window = timedelta(hours=24)
    assert (
        hourly_average(as_hours, NOW, window).unwrap()[0]
        == hourly_average(as_block, NOW, window).unwrap()[0]
    )
