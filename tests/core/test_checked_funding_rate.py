"""``checked_funding_rate`` is ``FundingRate(...)``: the same object or the same refusal.

Parsers build ~900 funding rates per scan through it (issue 20); it checks every field
once and sets the slots directly, and hands anything else to the constructor. The
reference is the attrs constructor itself, fed every kind of value by hypothesis: good
ones, NaN/sNaN/infinite/negative/zero numbers, floats, ints, bools, strings, Decimal
subclasses, naive datetimes, other UTC and non-UTC offsets, zero/negative intervals, blank
venue symbols and floors above their caps.
"""

from __future__ import annotations

import dis
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp.models import ExchangeIdentifier, FundingKind, FundingRate, Symbol
from atomic_fp.models import funding as funding_module
from atomic_fp.models.funding import checked_funding_rate


class _OddDecimal(Decimal):
    """A Decimal subclass: the constructor's validators accept it; the one check does not
    look at it (not its exact type), so the constructor decides."""


_NOW = datetime(2026, 1, 1, 8, tzinfo=timezone.utc)
_OTHER_UTC = timezone(timedelta(0), "Z")  # UTC, but not ``timezone.utc`` (which is unnamed)

decimals = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10, max_value=10),
    st.sampled_from(
        [
            Decimal(0),
            Decimal("-0"),
            Decimal("0.0001"),
            Decimal("-0.0001"),
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("Infinity"),
            Decimal("-Infinity"),
            Decimal("1E+30"),
            _OddDecimal("0.5"),
            _OddDecimal("-0.5"),
        ]
    ),
)
numbers = st.one_of(
    decimals,
    st.sampled_from([0.1, 1, 0, -1, True, False, "0.1", "", None, float("nan")]),
)
instants = st.one_of(
    st.just(_NOW),
    st.datetimes(
        min_value=datetime(2001, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(timezone.utc),
    ),
    st.sampled_from(
        [
            _NOW.replace(tzinfo=None),  # naive: refused
            _NOW.replace(tzinfo=_OTHER_UTC),  # UTC by another tzinfo: converted
            _NOW.astimezone(timezone(timedelta(hours=2))),  # another offset: converted
            "2026-01-01T00:00:00Z",
            1_767_225_600,
        ]
    ),
)
optional_instants = st.one_of(st.none(), instants)
intervals = st.one_of(
    st.sampled_from([timedelta(hours=1), timedelta(hours=8), timedelta(minutes=1)]),
    st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(hours=30)),
    st.sampled_from([timedelta(0), 8, "8h", None]),
)
venue_symbols = st.one_of(
    st.none(),
    st.sampled_from(["BTCUSDT", "", " ", "\u3000", "\t\n", 7, b"BTC"]),
    st.text(max_size=4),
)
optional_numbers = st.one_of(st.none(), numbers)


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    drawn: dict[str, Any] = {
        "exchange": draw(st.sampled_from([ExchangeIdentifier("binance"), "not-an-id", None])),
        "symbol": draw(st.sampled_from([Symbol("BTC"), Symbol("ETH"), 3])),
        "rate": draw(numbers),
        "interval": draw(intervals),
        "kind": draw(st.sampled_from([*FundingKind, "current"])),
        "observed_at": draw(instants),
    }
    for name, strategy in (
        ("next_funding_time", optional_instants),
        ("funding_time", optional_instants),
        ("mark_price", optional_numbers),
        ("index_price", optional_numbers),
        ("venue_symbol", venue_symbols),
        ("cap", optional_numbers),
        ("floor", optional_numbers),
        ("open_interest", optional_numbers),
        ("volume_24h", optional_numbers),
        ("interval_doubt", st.one_of(st.none(), st.text(max_size=3))),
    ):
        if draw(st.booleans()):  # given or left to its default
            drawn[name] = draw(strategy)
    return drawn


def _outcome(build: Any, drawn: dict[str, Any]) -> tuple[str, Any]:
    try:
        made = build(**drawn)
    except Exception as error:  # the refusal: its type and its message
        return "refused", (type(error), str(error))
    return "built", made


def _is_nan(value: object) -> bool:
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, float) and value != value


def _same_object(ours: FundingRate, theirs: FundingRate) -> None:
    assert type(ours) is FundingRate
    if not any(_is_nan(getattr(theirs, f.name)) for f in attrs.fields(FundingRate)):
        assert ours == theirs  # (a NaN, let through with validators disabled, equals nothing)
        assert hash(ours) == hash(theirs)
    for field in attrs.fields(FundingRate):
        mine, reference = getattr(ours, field.name), getattr(theirs, field.name)
        assert type(mine) is type(reference), field.name
        assert repr(mine) == repr(reference), field.name
        if isinstance(reference, datetime):
            assert mine.tzinfo is reference.tzinfo, field.name
    assert repr(ours) == repr(theirs)


@settings(max_examples=1500, deadline=None)
@given(fields())
def test_the_same_object_or_the_same_refusal_as_the_constructor(drawn: dict[str, Any]) -> None:
    ours = _outcome(checked_funding_rate, drawn)
    theirs = _outcome(FundingRate, drawn)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "refused":
        assert ours[1] == theirs[1]
    else:
        _same_object(ours[1], theirs[1])


@settings(max_examples=300, deadline=None)
@given(fields())
def test_with_validators_disabled_it_still_equals_the_constructor(drawn: dict[str, Any]) -> None:
    attrs.validators.set_disabled(True)
    try:
        ours = _outcome(checked_funding_rate, drawn)
        theirs = _outcome(FundingRate, drawn)
    finally:
        attrs.validators.set_disabled(False)
    assert ours[0] == theirs[0]
    if ours[0] == "built":
        _same_object(ours[1], theirs[1])


def _good() -> dict[str, Any]:
    return {
        "exchange": ExchangeIdentifier("binance"),
        "symbol": Symbol("BTC"),
        "rate": Decimal("0.0001"),
        "interval": timedelta(hours=8),
        "kind": FundingKind.CURRENT,
        "observed_at": _NOW,
        "next_funding_time": _NOW,
        "mark_price": Decimal("100"),
        "venue_symbol": "BTCUSDT",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate", Decimal("NaN"), "rate must be finite, got NaN"),
        ("rate", 0.0001, "rate must be a Decimal, got float"),
        ("interval", timedelta(0), "interval must be > 0, got 0:00:00"),
        ("observed_at", _NOW.replace(tzinfo=None), "observed_at must be timezone-aware UTC"),
        ("mark_price", Decimal(-1), "mark_price must be > 0, got -1"),
        ("open_interest", Decimal(-1), "open_interest must be >= 0, got -1"),
        ("venue_symbol", " ", "venue_symbol must be a non-empty string"),
        ("floor", Decimal("0.1"), "funding floor 0.1 is above its cap 0.01"),
    ],
)
def test_bad_fields_are_refused_with_the_constructors_message(
    field: str, value: object, message: str
) -> None:
    drawn = {**_good(), "cap": Decimal("0.01"), field: value}
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(")):
        checked_funding_rate(**drawn)


def test_the_common_case_skips_the_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: a parser's usual rate is built without ``FundingRate.__init__``;
    one with a value the one check does not cover goes through it."""
    calls: list[dict[str, Any]] = []
    init = FundingRate.__init__

    def counting(self: FundingRate, **kwargs: Any) -> None:
        calls.append(kwargs)
        init(self, **kwargs)

    monkeypatch.setattr(FundingRate, "__init__", counting)
    assert checked_funding_rate(**_good()) == FundingRate(**_good())
    assert len(calls) == 1  # the reference only
    other_utc = {**_good(), "observed_at": _NOW.replace(tzinfo=_OTHER_UTC)}
    assert checked_funding_rate(**other_utc).observed_at.tzinfo is timezone.utc
    assert len(calls) == 2


def test_another_shape_of_the_model_disables_the_one_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check was written for FundingRate's fields, validators and converters as they
    are: the setters exist for that shape only (so a new field or validator cannot be
    skipped silently), and without them every rate goes through the constructor."""
    assert funding_module._slot_setters() is not None
    changed = (*funding_module._SHAPE[:-1], ("interval_doubt", object(), None))
    monkeypatch.setattr(funding_module, "_SHAPE", changed)
    assert funding_module._slot_setters() is None
    monkeypatch.setattr(funding_module, "_SETTERS", None)
    calls = []
    init = FundingRate.__init__

    def counting(self: FundingRate, **kwargs: Any) -> None:
        calls.append(kwargs)
        init(self, **kwargs)

    monkeypatch.setattr(FundingRate, "__init__", counting)
    assert checked_funding_rate(**_good()) == FundingRate(**_good())
    assert len(calls) == 2


def _calls_made_by(function: Any, **fields: Any) -> int:
    """How many calls ``function``'s own frame makes (CALL instructions executed, traced
    opcode by opcode): counted, not timed."""
    code = function.__code__
    raw = code.co_code
    made = 0

    def trace(frame: Any, event: str, _arg: Any) -> Any:
        nonlocal made
        if frame.f_code is not code:
            return None
        frame.f_trace_opcodes = True
        if event == "opcode" and dis.opname[raw[frame.f_lasti]] == "CALL":
            made += 1
        return trace

    previous = sys.gettrace()  # a coverage tool's or debugger's tracer, put back after
    sys.settrace(trace)
    try:
        function(**fields)
    finally:
        sys.settrace(previous)
    return made


def test_the_common_case_sets_the_fields_without_a_call_each() -> None:
    """Issue 20 (~900 rates a warm scan round): the slots are set by plain stores on
    ``_Unfrozen``, then the object becomes a FundingRate, instead of one slot-setter call
    per field (16 calls: ~9,500 instructions a rate, callgrind). The earlier code made
    26 calls here (10 now); the checks' own calls remain (``is_finite``, ``isspace``, the new
    object). The object is the constructor's (and never an ``_Unfrozen``)."""
    assert _calls_made_by(checked_funding_rate, **_good()) < len(attrs.fields(FundingRate))
    made = checked_funding_rate(**_good())
    _same_object(made, FundingRate(**_good()))
    assert not isinstance(made, funding_module._Unfrozen)
