"""Fuzz of the kit's shared parsing pieces (adapters/kit/readers.py): whatever JSON a
venue sends, ``objects`` and ``book_side`` either give well-formed values or raise
``ParseError`` (which a venue's ``parse_guard`` turns into MalformedResponse), never
another exception; ``settled_rates`` is oldest first, one per time, for any rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters._parse import ParseError
from adapters.kit.readers import book_side, objects, settled_rates
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**6), max_value=10**6
    ),
    st.text(max_size=8),
    st.sampled_from(["0", "1.5", "-2", "1e3", "0.001", "", "NaN", "65485.47"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_objects_gives_objects_or_a_parse_error(value: Any) -> None:
    try:
        found = list(objects(value, "$.data"))
    except ParseError:
        return
    assert all(isinstance(row, dict) and path.startswith("$.data[") for path, row in found)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(1, 5), st.sampled_from([Decimal(1), Decimal("0.1")]))
def test_book_side_gives_positive_levels_or_a_parse_error(
    value: Any, depth: int, scale: Decimal
) -> None:
    try:
        levels = book_side(value, "$.b", depth, scale)
    except (ParseError, ValueError):
        return  # ValueError: a level the model refuses (price <= 0), under parse_guard too
    assert len(levels) <= depth
    assert all(level.size > 0 and level.price > 0 for level in levels)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(-50, 50)), max_size=20))
def test_settled_rates_are_oldest_first_once_per_time(rows: list[tuple[int, int]]) -> None:
    base = 1_764_748_800_000
    settled = [(base + hours * 3_600_000, Decimal(bps) / 10_000) for hours, bps in rows]
    rates = settled_rates(
        ExchangeIdentifier("toy"), Symbol("BTC"), "BTCUSDT", settled, lambda *_: timedelta(hours=8)
    )
    times = [rate.funding_time for rate in rates if rate.funding_time is not None]
    assert times == sorted(set(times)) and len(times) == len(rates) == len(dict(settled))
