"""A Binance rate's ``fundingInfo`` cap/floor and its interval doubt are set in one
construction (``_finished``), not by ``attrs.evolve`` twice (issue 20: ~13 us each, per
adjusted symbol per scan).

The oracle is the code as it was (8b38cf8): ``_marked(_with_cap(rate, caps), doubt)``
with ``attrs.evolve``. Over hypothesis' rates (every optional field absent or present,
caps and floors that the constructor accepts or refuses, doubts or none) both give
equal rates with identical fields, or the same exception with the same message; and the
warm fetch builds no rate through ``attrs.evolve`` (counted).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.binance import market_data
from adapters.binance.market_data import _finished
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


def _reference(
    rate: FundingRate, bounds: tuple[Decimal, Decimal] | None, doubt: str | None
) -> FundingRate:
    capped = rate if bounds is None else attrs.evolve(rate, cap=bounds[0], floor=bounds[1])
    return capped if doubt is None else attrs.evolve(capped, interval_doubt=doubt)


def _outcome(build: Any, *args: Any) -> Any:
    try:
        return build(*args)
    except Exception as error:  # the refusal itself is what is compared
        return (type(error), str(error))


decimals = st.decimals(min_value=Decimal("-1"), max_value=Decimal("1"), places=6)
optional_decimal = st.none() | decimals
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@st.composite
def rates(draw: st.DrawFn) -> FundingRate:
    cap = draw(optional_decimal)
    floor = draw(optional_decimal)
    if cap is not None and floor is not None and floor > cap:
        cap, floor = floor, cap
    return FundingRate(
        exchange=ExchangeIdentifier("binance"),
        symbol=Symbol(draw(st.sampled_from(["BTC", "ETH", "PEPE"]))),
        rate=draw(decimals),
        interval=timedelta(hours=draw(st.sampled_from([1, 2, 4, 8]))),
        kind=draw(st.sampled_from(list(FundingKind))),
        observed_at=draw(moments),
        next_funding_time=draw(st.none() | moments),
        funding_time=draw(st.none() | moments),
        mark_price=draw(st.none() | decimals.filter(lambda d: d > 0)),
        index_price=draw(st.none() | decimals.filter(lambda d: d > 0)),
        venue_symbol=draw(st.none() | st.sampled_from(["BTCUSDT", "1000PEPEUSDT"])),
        cap=cap,
        floor=floor,
        open_interest=draw(st.none() | decimals.filter(lambda d: d >= 0)),
        volume_24h=draw(st.none() | decimals.filter(lambda d: d >= 0)),
        interval_doubt=draw(st.none() | st.just("earlier doubt")),
    )


@settings(max_examples=400, deadline=None)
@given(
    rate=rates(),
    bounds=st.none() | st.tuples(decimals, decimals) | st.just((Decimal("NaN"), Decimal(0))),
    doubt=st.none() | st.sampled_from(["next funding is off the 8 h grid", ""]),
)
def test_one_construction_equals_the_two_evolves(
    rate: FundingRate, bounds: tuple[Decimal, Decimal] | None, doubt: str | None
) -> None:
    ours = _outcome(_finished, rate, bounds, doubt)
    theirs = _outcome(_reference, rate, bounds, doubt)
    if isinstance(theirs, FundingRate):
        assert isinstance(ours, FundingRate) and ours == theirs
        for f in attrs.fields(FundingRate):
            x, y = getattr(ours, f.name), getattr(theirs, f.name)
            assert type(x) is type(y) and repr(x) == repr(y), f.name
    else:
        assert ours == theirs


def test_the_field_list_is_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_finished`` names every field of FundingRate; were one added, it evolves."""
    assert market_data._ONE_BUILD
    assert tuple(f.name for f in attrs.fields(FundingRate)) == market_data._RATE_FIELDS


def test_no_evolve_for_a_capped_and_doubted_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real_evolve = attrs.evolve

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_evolve(*args, **kwargs)

    monkeypatch.setattr(attrs, "evolve", counting)
    rate = FundingRate(
        exchange=ExchangeIdentifier("binance"),
        symbol=Symbol("BTC"),
        rate=Decimal("0.0001"),
        interval=timedelta(hours=8),
        kind=FundingKind.CURRENT,
        observed_at=datetime(2026, 1, 1, 1, tzinfo=UTC),
        next_funding_time=datetime(2026, 1, 1, 2, tzinfo=UTC),
        venue_symbol="BTCUSDT",
    )
    done = _finished(rate, (Decimal("0.03"), Decimal("-0.03")), "off the grid")
    assert (done.cap, done.floor, done.interval_doubt) == (
        Decimal("0.03"),
        Decimal("-0.03"),
        "off the grid",
    )
    assert calls == []
