"""The models' validators and converters try the common case first (issue 20: a scan builds
~900 funding rates); every other value still meets the full check, with the same message.

The references are the validators as they were (d7c9c6c's ``atomic_fp/models/_validators``),
composed the way they were; hypothesis feeds both every kind of value.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp import intervals
from atomic_fp.models import _validators as v


@attrs.frozen
class _Named:
    name: str


_ATTRIBUTE: Any = _Named("price")


def ref_optional_non_negative(value: object) -> None:
    if value is not None:
        v.non_negative(None, _ATTRIBUTE, value)


def ref_optional_positive(value: object) -> None:
    if value is not None:
        v.positive(None, _ATTRIBUTE, value)


def ref_optional_finite_decimal(value: object) -> None:
    if value is not None:
        v.finite_decimal(None, _ATTRIBUTE, value)


def ref_optional_utc_datetime(value: object) -> None:
    if value is not None:
        v.utc_datetime(None, _ATTRIBUTE, value)


def ref_positive_timedelta(value: object) -> None:
    if not isinstance(value, timedelta):
        raise TypeError(f"price must be a timedelta, got {type(value).__name__}")
    if value <= timedelta(0):
        raise ValueError(f"price must be > 0, got {value}")


def ref_to_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    return value


class _Moment(datetime):
    """A datetime subclass: never the fast path."""


_ZONES = st.sampled_from(
    [None, timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(0), "Z0")]
)
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.timedeltas(),
    st.builds(lambda moment, zone: moment.replace(tzinfo=zone), st.datetimes(), _ZONES),
    st.datetimes().map(lambda moment: _Moment.fromisoformat(moment.isoformat())),
)


def _outcome(call: Any, value: object) -> tuple[str, Any]:
    try:
        result = call(value)
    except (TypeError, ValueError) as error:
        return type(error).__name__, str(error)
    return "ok", (type(result), result, getattr(result, "tzinfo", None), id(result) == id(value))


@settings(max_examples=500, deadline=None)
@given(value=_VALUES)
def test_validators_answer_as_the_full_checks(value: object) -> None:
    pairs = [
        (v.optional_non_negative, ref_optional_non_negative),
        (v.optional_positive, ref_optional_positive),
        (v.optional_finite_decimal, ref_optional_finite_decimal),
        (v.optional_utc_datetime, ref_optional_utc_datetime),
        (v.positive_timedelta, ref_positive_timedelta),
    ]
    for new, old in pairs:
        assert _outcome(lambda x, f=new: f(None, _ATTRIBUTE, x), value) == _outcome(old, value)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES)
def test_utc_converters_return_what_astimezone_did(value: Any) -> None:
    assert _outcome(v.to_utc, value) == _outcome(ref_to_utc, value)
    expected = None if value is None else ref_to_utc(value)
    assert _outcome(v.optional_to_utc, value) == _outcome(lambda _: expected, value)


def ref_off_grid(moment: datetime, interval: timedelta) -> timedelta:
    since_epoch = moment - datetime.fromtimestamp(0, moment.tzinfo)
    offset = since_epoch % interval
    return min(offset, interval - offset)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=2))]),
    ),
    hours=st.sampled_from([1, 2, 4, 8]),
    minutes=st.integers(0, 59),
)
def test_off_grid_with_a_constant_epoch_is_the_same(
    moment: datetime, hours: int, minutes: int
) -> None:
    interval = timedelta(hours=hours, minutes=minutes)
    assert intervals._off_grid(moment, interval) == ref_off_grid(moment, interval)


def test_the_common_case_is_taken_without_the_full_check(monkeypatch: Any) -> None:
    """Counted, not timed: a valid price, time and interval never reach the full checks."""
    calls: list[str] = []
    monkeypatch.setattr(v, "positive", lambda *a: calls.append("positive"))
    monkeypatch.setattr(v, "non_negative", lambda *a: calls.append("non_negative"))
    monkeypatch.setattr(v, "utc_datetime", lambda *a: calls.append("utc_datetime"))
    v.optional_positive(None, _ATTRIBUTE, Decimal("1.5"))
    v.optional_non_negative(None, _ATTRIBUTE, Decimal("0"))
    v.optional_utc_datetime(None, _ATTRIBUTE, datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert calls == []
    v.optional_positive(None, _ATTRIBUTE, Decimal("0"))
    v.optional_non_negative(None, _ATTRIBUTE, Decimal("-1"))
    v.optional_utc_datetime(None, _ATTRIBUTE, datetime(2025, 1, 1))
    assert calls == ["positive", "non_negative", "utc_datetime"]


def ref_non_negative(value: object) -> None:
    v.finite_decimal(None, _ATTRIBUTE, value)
    assert isinstance(value, Decimal)
    if value < 0:
        raise ValueError(f"price must be >= 0, got {value}")


def ref_positive(value: object) -> None:
    v.finite_decimal(None, _ATTRIBUTE, value)
    assert isinstance(value, Decimal)
    if value <= 0:
        raise ValueError(f"price must be > 0, got {value}")


def ref_non_empty_str(value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"price must be a non-empty string, got {value!r}")


_TEXTS = st.one_of(
    st.text(max_size=4),
    st.text(alphabet=st.characters(categories=["Zs", "Zl", "Zp", "Cc"]), max_size=3),
    st.sampled_from(["", " ", "\u3000", "\x1c\x1d", "\x85", "\u200b", " BTC "]),
)


@settings(max_examples=500, deadline=None)
@given(value=_VALUES | _TEXTS)
def test_required_validators_answer_as_before(value: object) -> None:
    pairs = [
        (v.non_negative, ref_non_negative),
        (v.positive, ref_positive),
        (v.non_empty_str, ref_non_empty_str),
    ]
    for new, old in pairs:
        assert _outcome(lambda x, f=new: f(None, _ATTRIBUTE, x), value) == _outcome(old, value)


@pytest.mark.parametrize("name", ["", " ", "\u3000", "\x1c", 5])
def test_a_blank_venue_symbol_is_still_refused(name: object) -> None:
    from atomic_fp.models import FundingKind, FundingRate, Symbol
    from atomic_fp.models.identifiers import ExchangeIdentifier

    def build(venue_symbol: Any) -> FundingRate:
        return FundingRate(
            exchange=ExchangeIdentifier("binance"),
            symbol=Symbol("BTC"),
            rate=Decimal("0.0001"),
            interval=timedelta(hours=8),
            kind=FundingKind.CURRENT,
            observed_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
            venue_symbol=venue_symbol,
        )

    assert build("BTCUSDT").venue_symbol == "BTCUSDT"
    with pytest.raises(ValueError, match="venue_symbol must be a non-empty string"):
        build(name)
