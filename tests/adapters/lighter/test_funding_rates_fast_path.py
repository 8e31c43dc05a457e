"""``parse_funding_rates`` reads a common row inline (issue 20: ~480 rows per scan, most of
them the other venues' reference rows) and leaves every other row to the checked path.

The oracle is the loop as it was (ab5105e, kept below): on ccxt's recorded
``fetchFundingRates`` answer, on the benchmark's 120-market answer, and on rows mutated
by hypothesis (fields deleted or replaced by strings, padded and exponent spellings,
floats, bools, NaN, huge magnitudes, subclasses, unknown market ids, non-objects), both
give equal rates with identical fields or the very same refusal message.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters._parse import arr, dec_field, field, int_field, obj, parse_guard
from adapters.lighter.parsing import (
    FUNDING_RATES_PER_SETTLEMENT,
    SETTLEMENT_INTERVAL,
    LighterMarket,
    _by_id,
    _code_ok,
    next_hour,
)
from adapters.lighter.parsing_funding import parse_funding_rates
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.lighter._data import LIGHTER, ccxt, eth_market

NOW = datetime(2026, 1, 1, 12, 30, tzinfo=timezone.utc)


def reference(
    payload: object,
    exchange: ExchangeIdentifier,
    markets: list[LighterMarket],
    observed_at: datetime,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``_parse_funding_rates`` before the inline read."""

    def parse() -> tuple[FundingRate, ...]:
        body = obj(payload)
        _code_ok(body, "$")
        rows = arr(field(body, "funding_rates"), "$.funding_rates")
        known = _by_id(markets)
        rates: list[FundingRate] = []
        next_funding = next_hour(observed_at)
        for i, raw in enumerate(rows):
            path = f"$.funding_rates[{i}]"
            row = obj(raw, path)
            if row.get("exchange") != "lighter":
                continue
            market_id = int_field(row, "market_id", path)
            market = known.get(market_id)
            if market is None:
                continue
            rates.append(
                checked_funding_rate(
                    exchange=exchange,
                    symbol=market.market.symbol,
                    rate=dec_field(row, "rate", path) / FUNDING_RATES_PER_SETTLEMENT,
                    interval=SETTLEMENT_INTERVAL,
                    kind=FundingKind.CURRENT,
                    observed_at=observed_at,
                    next_funding_time=next_funding,
                    venue_symbol=str(market_id),
                    open_interest=market.market.open_interest,
                    volume_24h=market.market.volume_24h,
                )
            )
        return tuple(rates)

    return parse_guard("lighter", parse)


def _same(ours: Result[Any, Any], theirs: Result[Any, Any]) -> None:
    assert type(ours) is type(theirs)
    if not isinstance(theirs, Success):
        assert ours.failure() == theirs.failure()
        return
    assert ours.unwrap() == theirs.unwrap()
    for a, b in zip(ours.unwrap(), theirs.unwrap(), strict=True):
        for f in attrs.fields(FundingRate):
            x, y = getattr(a, f.name), getattr(b, f.name)
            assert type(x) is type(y) and repr(x) == repr(y), f.name


def _markets(count: int) -> list[LighterMarket]:
    eth = eth_market()
    return [
        attrs.evolve(
            eth, market_id=i, market=attrs.evolve(eth.market, symbol=Symbol(f"S{i:03d}"))
        )
        for i in range(count)
    ]


def _bench_body() -> Any:
    from adapters.snapshot.replay import bundled_snapshot
    from bench.realistic_bodies import realistic_snapshot

    recording = realistic_snapshot(bundled_snapshot()).venue("lighter")
    assert recording is not None
    for exchange in recording.exchanges:
        if exchange.path.endswith("/funding-rates"):
            return exchange.body
    raise AssertionError("no funding-rates answer in the benchmark's bodies")


MARKETS = _markets(130)
BENCH = _bench_body()


def test_recorded_and_benchmark_answers_read_as_before() -> None:
    recorded = ccxt("fetchFundingRates")
    _same(
        parse_funding_rates(recorded, LIGHTER, [eth_market()], NOW),
        reference(recorded, LIGHTER, [eth_market()], NOW),
    )
    ours = parse_funding_rates(BENCH, LIGHTER, MARKETS, NOW)
    _same(ours, reference(BENCH, LIGHTER, MARKETS, NOW))
    assert len(ours.unwrap()) >= 100


class _Int(int):
    """An int that is not exactly ``int``."""


JUNK: list[object] = [
    "<delete>",
    None,
    "",
    "abc",
    "NaN",
    "1e999",
    " 0.0001 ",
    "1E-4",
    "-0.0002",
    "9" * 70,
    "7",
    0,
    5,
    129,
    9999,
    -1,
    _Int(3),
    0.0001,
    float("nan"),
    True,
    Decimal("0.0001"),
    Decimal("NaN"),
    Decimal("1e31"),
    "lighter",
    "binance",
    [],
    {},
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(BENCH["funding_rates"]) - 1),
            st.sampled_from(["market_id", "exchange", "rate", "symbol"]),
            st.sampled_from(JUNK),
        ),
        min_size=1,
        max_size=4,
    ),
    whole=st.sampled_from([None, None, "subclass", "not a row", 3]),
)
def test_mutated_rows_read_or_refused_as_before(
    edits: list[tuple[int, str, object]], whole: object
) -> None:
    body: Any = copy.deepcopy(BENCH)
    rows = body["funding_rates"]
    for index, name, value in edits:
        if value == "<delete>":
            rows[index].pop(name, None)
        else:
            rows[index][name] = value
    target = edits[0][0]
    if whole == "subclass":
        rows[target] = type("Row", (dict,), {})(rows[target])
    elif whole is not None:
        rows[target] = whole
    _same(
        parse_funding_rates(body, LIGHTER, MARKETS, NOW), reference(body, LIGHTER, MARKETS, NOW)
    )
