"""Fuzz: our mapping of ccxt's unified structures never raises on junk where it must not
(``parse_interval``, ``parse_market``: ``None`` instead), and ``parse_order`` either maps
or raises a plain error the facade turns into ``MalformedResponse``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.ccxt_venue.parsing import parse_interval, parse_market, parse_order
from atomic_fp.models import Market, Order, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

VENUE = ExchangeIdentifier("bitget")
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["BTC", "0.1", "-1", "NaN", "inf", "8h", "1e400"]),
)
values = st.recursive(
    scalars, lambda inner: st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=8
)
KEYS = [
    "symbol",
    "base",
    "settle",
    "swap",
    "linear",
    "contractSize",
    "precision",
    "limits",
    "amount",
    "filled",
    "average",
    "status",
    "id",
    "fee",
    "timestamp",
]
structures = st.dictionaries(st.sampled_from(KEYS), values, max_size=10)


@given(scalars)
def test_parse_interval_is_a_positive_timedelta_or_none(value: Any) -> None:
    got = parse_interval(value)
    assert got is None or (isinstance(got, timedelta) and got > timedelta(0))


@given(structures)
def test_parse_market_never_raises(market: dict[str, Any]) -> None:
    got = parse_market(VENUE, market, {}, None)
    assert got is None or isinstance(got, Market)


@given(structures)
def test_parse_order_maps_or_fails_plainly(raw: dict[str, Any]) -> None:
    try:
        got = parse_order(VENUE, Symbol("BTC"), raw, "afp-1", Side.BUY, Decimal(1))
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        return
    assert isinstance(got, Order) and got.client_order_id == "afp-1"
