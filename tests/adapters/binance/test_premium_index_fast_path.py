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
import pytest
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


class _Int(int):
    """An int that is not exactly ``int`` (a row's inline read leaves it to the checks)."""


class _Str(str):
    """A str that is not exactly ``str``."""


class _Row(dict):  # type: ignore[type-arg]
    """A row that is a ``dict`` subclass (read by the checked path)."""

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
    # values the inline read of a row (issue 20) must leave to the checked path, or read
    # exactly as it does: padded, signed, exponent and zero spellings, the bound's edges,
    # subclasses of int and str, a stamp that is a string of digits
    " 0.0001 ",
    "+0.0001",
    "1e-4",
    "0E-8",
    "-0",
    "-0.50000000",
    "0.50000001",
    "-0.50000001",
    "1" * 70,
    "  ",
    "-0.00000000",
    _Int(1_732_694_400_000),
    _Str("BTCUSDT"),
    _Str("0.0001"),
    "BTCUSDT",
    "BTCUSDT_250328",
    "1000PEPEUSDT",
    "ÄBCUSDT",
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
    whole_row=st.sampled_from([None, "not a row", 7, [], "subclass"]),
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
    if whole_row == "subclass":
        payload[edits[0][0]] = _Row(payload[edits[0][0]])
    elif whole_row is not None and edits[0][0] % 3 == 0:
        payload[edits[0][0]] = whole_row
    ours = parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
    theirs = reference_parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
    _same(ours, theirs)


_ROWS = _snapshot()


def test_every_common_row_is_read_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded snapshot and the benchmark's 500-row answer never take the checked
    path (the inline read is what a scan runs), and a row it must check does: counted."""
    from adapters.binance import parsing_funding
    from adapters.snapshot.replay import bundled_snapshot
    from bench.realistic_bodies import realistic_snapshot

    checked: list[int] = []
    original = parsing_funding._premium_row

    def counting(*args: Any) -> Any:
        checked.append(args[3])
        return original(*args)

    monkeypatch.setattr(parsing_funding, "_premium_row", counting)
    recorded = realistic_snapshot(bundled_snapshot()).venue("binance")
    assert recorded is not None
    bench_rows = next(
        e.body for e in recorded.exchanges if e.path.endswith("/premiumIndex")
    )
    assert len(bench_rows) >= 500
    for payload in (_snapshot(), bench_rows):
        ours = parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
        _same(ours, reference_parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS))
        assert checked == []
    odd = copy.deepcopy(_ROWS)
    kept = [i for i, row in enumerate(odd) if row["symbol"].endswith("USDT")][:2]
    odd[kept[0]]["markPrice"] = 1.5  # a JSON number: read exactly by the checked path
    odd[kept[1]] = _Row(odd[kept[1]])
    ours = parse_premium_index(VENUE, odd, SymbolMap(), INTERVALS)
    _same(ours, reference_parse_premium_index(VENUE, odd, SymbolMap(), INTERVALS))
    assert checked == kept


@pytest.mark.parametrize("rate", ["-0.75", "-0.50000001", "-0.50000000", "0.50000001", "0.5"])
def test_a_rate_at_or_past_the_bound_is_read_or_refused_as_before(rate: str) -> None:
    """The bound's edges on both sides, pinned (review: a wrong lower bound in the inline
    read was caught by the random edits above on some seeds only)."""
    payload: list[Any] = copy.deepcopy(_ROWS)
    payload[5]["lastFundingRate"] = rate
    ours = parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS)
    _same(ours, reference_parse_premium_index(VENUE, payload, SymbolMap(), INTERVALS))
