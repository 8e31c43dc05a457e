"""``parse_premium_index`` reads a row's instants and rate bound without building the error
paths it only needs on a refusal (issue 20: 500 rows per scan, the largest answer).

The oracle is the parser as it was (2fc3f03's loop, kept below): on the real 379-row
``premiumIndex`` snapshot (2024-11-27) and on rows of it mutated by hypothesis (fields
deleted or replaced by strings, floats, bools, NaN, out-of-range stamps, rates beyond
the bound, zero prices), both give equal rates with identical fields, or the very same
refusal message.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters._parse import dec_field, field, int_field, obj, opt_dec, parse_guard, str_field
from adapters._parse import ts_millis as reference_ts_millis
from adapters.binance.parsing import (
    DEFAULT_INTERVAL_HOURS,
    SymbolMap,
    _bounded_rate,
    _prefer_quotes,
    _price_or_none,
    _rows,
)
from adapters.binance.parsing_funding import parse_premium_index
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

VENUE = ExchangeIdentifier("binance")
SNAPSHOT = "binance-premiumIndex-snapshot/fapi_v1_premiumIndex_all_2024-11-27.json"
INTERVALS = {"BTCUSDT": 8, "ETHUSDT": 4, "SOLUSDT": 1}


def reference_parse_premium_index(
    exchange: ExchangeIdentifier,
    payload: object,
    symbols: SymbolMap,
    intervals: Mapping[str, int] | None = None,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """The loop before the fast path (FundingRate built by its constructor)."""
    known = intervals or {}

    def parse() -> tuple[FundingRate, ...]:
        candidates: list[tuple[Symbol, int, FundingRate]] = []
        for i, raw in enumerate(_rows(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            venue_symbol = str_field(row, "symbol", path)
            parts, mapped, rank = symbols.lookup(venue_symbol)
            if parts is None and venue_symbol not in symbols.overrides:
                continue
            next_ms = int_field(row, "nextFundingTime", path)
            if next_ms == 0:
                continue
            if mapped is None:
                continue
            symbol, _ = mapped
            hours = known.get(venue_symbol, DEFAULT_INTERVAL_HOURS)
            rate = _bounded_rate(dec_field(row, "lastFundingRate", path), f"{path}.lastFundingRate")
            funding = FundingRate(
                exchange=exchange,
                symbol=symbol,
                rate=rate,
                interval=timedelta(hours=hours),
                kind=FundingKind.CURRENT,
                observed_at=reference_ts_millis(field(row, "time", path), f"{path}.time"),
                next_funding_time=reference_ts_millis(next_ms, f"{path}.nextFundingTime"),
                mark_price=_price_or_none(opt_dec(row, "markPrice", path)),
                index_price=_price_or_none(opt_dec(row, "indexPrice", path)),
                venue_symbol=venue_symbol,
            )
            candidates.append((symbol, rank, funding))
        return tuple(_prefer_quotes(candidates))

    return parse_guard(str(exchange), parse)


def _snapshot() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(research_file(SNAPSHOT).read_text())
    return rows


def _same(ours: Result[Any, Any], theirs: Result[Any, Any]) -> None:
    assert type(ours) is type(theirs)
    if not isinstance(theirs, Success):
        assert ours.failure() == theirs.failure()
        return
    mine, reference = ours.unwrap(), theirs.unwrap()
    assert mine == reference
    for a, b in zip(mine, reference, strict=True):
        for f in attrs.fields(FundingRate):
            x, y = getattr(a, f.name), getattr(b, f.name)
            assert type(x) is type(y) and repr(x) == repr(y), f.name


def test_the_real_snapshot_parses_as_before() -> None:
    payload = _snapshot()
    ours = parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
    _same(ours, reference_parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS))
    assert len(ours.unwrap()) == 346


JUNK: list[object] = [
    None,
    "",
    "abc",
    "NaN",
    "1e999",
    "0",
    "0.00000000",
    "-0.75",
    "0.75",
    "0.5",
    "-0.5",
    "12.5",
    0,
    -1,
    1.5,
    float("nan"),
    True,
    False,
    Decimal("0.0001"),
    Decimal("NaN"),
    1_732_694_400_000,
    "1732694400000",
    253_402_300_800_000,  # year 10000: out of range
    946_684_799_999,  # just before 2000: out of range
    -5,
    10**30,
    [],
    {},
]
FIELDS = ["symbol", "nextFundingTime", "lastFundingRate", "time", "markPrice", "indexPrice"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 378),
            st.sampled_from(FIELDS),
            st.one_of(st.just("<delete>"), st.sampled_from(JUNK)),
        ),
        min_size=1,
        max_size=4,
    ),
    whole_row=st.sampled_from([None, "not a row", 7, []]),
)
def test_mutated_rows_parse_or_are_refused_as_before(
    edits: list[tuple[int, str, object]], whole_row: object
) -> None:
    payload: list[Any] = copy.deepcopy(_ROWS)
    for index, name, value in edits:
        if value == "<delete>":
            payload[index].pop(name, None)
        else:
            payload[index][name] = value
    if whole_row is not None and edits[0][0] % 3 == 0:
        payload[edits[0][0]] = whole_row
    ours = parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
    theirs = reference_parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
    _same(ours, theirs)


_ROWS = _snapshot()
