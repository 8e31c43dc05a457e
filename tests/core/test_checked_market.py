"""``checked_market`` is ``Market(...)``: the same object or the same refusal.

Hyperliquid's answer rebuilds its ~200 markets (with their liquidity) every scan (issue
20); ``checked_market`` checks every validated field once and sets the slots directly,
and hands anything else to the constructor. The reference is the attrs constructor
itself, fed by hypothesis good values and every kind of bad one (NaN/sNaN/infinite,
zero and negative sizes, floats, ints, bools, strings, Decimal subclasses, blank venue
symbols, zero/negative intervals), with fields given or left to their defaults.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp.models import ExchangeIdentifier, Market, Symbol
from atomic_fp.models import market as market_module
from atomic_fp.models.market import checked_market


class _OddDecimal(Decimal):
    """A Decimal subclass: the validators accept it, the one check leaves it to them."""


numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-5, max_value=5),
    st.sampled_from(
        [
            Decimal(0),
            Decimal("-0"),
            Decimal("0.001"),
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("Infinity"),
            Decimal("-Infinity"),
            _OddDecimal("2"),
            _OddDecimal("-2"),
            0.5,
            1,
            0,
            True,
            "1",
            None,
        ]
    ),
)
intervals = st.one_of(
    st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(hours=9)),
    st.sampled_from([timedelta(0), timedelta(hours=1), 8, None]),
)
venue_symbols = st.one_of(st.sampled_from(["BTC", "", " ", "\u3000", 5, None]), st.text(max_size=3))


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    drawn: dict[str, Any] = {
        "exchange": draw(st.sampled_from([ExchangeIdentifier("hyperliquid"), "x"])),
        "symbol": draw(st.sampled_from([Symbol("BTC"), None])),
        "venue_symbol": draw(venue_symbols),
        "tick_size": draw(numbers),
        "lot_size": draw(numbers),
    }
    for name, strategy in (
        ("min_size", numbers),
        ("min_notional", numbers),
        ("contract_multiplier", numbers),
        ("funding_interval", intervals),
        ("settle_asset", st.sampled_from(["USDC", "", 3])),
        ("max_leverage", numbers),
        ("open_interest", numbers),
        ("volume_24h", numbers),
    ):
        if draw(st.booleans()):
            drawn[name] = draw(strategy)
    return drawn


def _outcome(build: Any, drawn: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "built", build(**drawn)
    except Exception as error:
        return "refused", (type(error), str(error))


def _nan(value: object) -> bool:
    return (isinstance(value, Decimal) and value.is_nan()) or value != value


def _same_object(ours: Market, theirs: Market) -> None:
    assert type(ours) is Market
    values = [getattr(theirs, f.name) for f in attrs.fields(Market)]
    if not any(_nan(v) for v in values if isinstance(v, Decimal | float)):
        assert ours == theirs
        assert hash(ours) == hash(theirs)
    for field in attrs.fields(Market):
        mine, reference = getattr(ours, field.name), getattr(theirs, field.name)
        assert type(mine) is type(reference), field.name
        assert repr(mine) == repr(reference), field.name
        if reference is field.default:  # a default: the very same object
            assert mine is reference, field.name


@settings(max_examples=1500, deadline=None)
@given(fields())
def test_the_same_object_or_the_same_refusal_as_the_constructor(drawn: dict[str, Any]) -> None:
    ours, theirs = _outcome(checked_market, drawn), _outcome(Market, drawn)
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
        ours, theirs = _outcome(checked_market, drawn), _outcome(Market, drawn)
    finally:
        attrs.validators.set_disabled(False)
    assert ours[0] == theirs[0]
    if ours[0] == "built":
        _same_object(ours[1], theirs[1])


def _good() -> dict[str, Any]:
    return {
        "exchange": ExchangeIdentifier("hyperliquid"),
        "symbol": Symbol("BTC"),
        "venue_symbol": "BTC",
        "tick_size": Decimal("0.1"),
        "lot_size": Decimal("0.001"),
    }


def test_omitted_fields_are_the_constructors_own_defaults() -> None:
    ours, theirs = checked_market(**_good()), Market(**_good())
    for name in ("min_size", "min_notional", "contract_multiplier", "funding_interval"):
        assert getattr(ours, name) is getattr(theirs, name)


def test_the_common_case_skips_the_constructor_and_another_shape_disables_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted, not timed."""
    calls: list[dict[str, Any]] = []
    init = Market.__init__

    def counting(self: Market, **kwargs: Any) -> None:
        calls.append(kwargs)
        init(self, **kwargs)

    monkeypatch.setattr(Market, "__init__", counting)
    assert checked_market(**_good()) == Market(**_good())
    assert len(calls) == 1  # the reference only
    changed = (*market_module._SHAPE[:-1], ("volume_24h", object(), None))
    monkeypatch.setattr(market_module, "_SHAPE", changed)
    assert market_module._slot_setters() is None
    monkeypatch.setattr(market_module, "_SETTERS", None)
    assert checked_market(**_good()) == Market(**_good())
    assert len(calls) == 3
