"""``parse_ticker`` reads a common ticker inline (issue 20: one per instrument, ~80 per
scan from the websocket snapshot) and leaves every other one to the checked path.

The oracle is ``_ticker`` as it was (232b0aa, kept below): on the real ticker (ccxt's
source comment), the api-spec example (a JSON-number rate), the benchmark's 80 feeds, and
tickers mutated by hypothesis (fields deleted or replaced by padded, signed, exponent,
zero, negative and non-ASCII-digit spellings, JSON numbers, bools, NaN, out-of-range
stamps, another instrument's name, a str subclass, non-objects), with and without the
instrument's funding cap and floor, both give equal rates with identical fields or the
very same refusal message.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters._liquidity import non_negative, quote_value
from adapters._parse import obj, opt_dec, parse_guard, str_field, ts_nanos
from adapters.grvt import parsing_funding
from adapters.grvt.parsing import (
    GrvtInstrument,
    _nonnegative_or_none,
    _result,
    funding_rate_fraction,
)
from adapters.grvt.parsing_funding import _ticker_rate, parse_ticker
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, FundingRate
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.grvt._data import VENUE, btc_instrument, real_response

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _reference_ticker(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object, observed_at: datetime
) -> FundingRate:
    row = obj(_result(payload), "$.result")
    name = str_field(row, "instrument", "$.result")
    if name != instrument.name:
        raise ValueError(f"$.result.instrument: asked for {instrument.name}, got {name}")
    event = row.get("event_time")
    next_time = row.get("next_funding_time")
    mark = _nonnegative_or_none(opt_dec(row, "mark_price", "$.result"))
    buys = opt_dec(row, "buy_volume_24h_q", "$.result")
    sells = opt_dec(row, "sell_volume_24h_q", "$.result")
    volume = non_negative(buys + sells) if buys is not None and sells is not None else None
    return checked_funding_rate(
        exchange=venue,
        symbol=instrument.symbol,
        rate=funding_rate_fraction(_ticker_rate(row, "$.result")),
        interval=instrument.funding_interval,
        kind=FundingKind.CURRENT,
        observed_at=ts_nanos(event, "$.result.event_time") if event else observed_at,
        next_funding_time=(
            ts_nanos(next_time, "$.result.next_funding_time") if next_time else None
        ),
        mark_price=mark,
        index_price=_nonnegative_or_none(opt_dec(row, "index_price", "$.result")),
        venue_symbol=instrument.name,
        open_interest=quote_value(opt_dec(row, "open_interest", "$.result"), mark),
        volume_24h=volume,
        cap=instrument.funding_cap,
        floor=instrument.funding_floor,
    )


def reference(
    instrument: GrvtInstrument, payload: object
) -> Result[FundingRate, MalformedResponse]:
    return parse_guard(VENUE.name, lambda: _reference_ticker(VENUE, instrument, payload, NOW))


def _same(ours: Result[Any, Any], theirs: Result[Any, Any]) -> None:
    assert type(ours) is type(theirs)
    if not isinstance(theirs, Success):
        assert ours.failure() == theirs.failure()
        return
    a, b = ours.unwrap(), theirs.unwrap()
    assert a == b
    for f in attrs.fields(FundingRate):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert type(x) is type(y) and repr(x) == repr(y), f.name


CAPPED = attrs.evolve(btc_instrument(), funding_cap=Decimal("0.3"), funding_floor=Decimal("-0.3"))


def _bench_feeds() -> list[dict[str, Any]]:
    from adapters.snapshot.replay import bundled_snapshot
    from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot

    recording = realistic_snapshot(bundled_snapshot()).venue("grvt")
    assert recording is not None
    return [feed["feed"] for feed in grvt_ticker_feeds(recording.exchanges).values()]


def test_real_and_benchmark_tickers_read_inline_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[object] = []
    original = parsing_funding._checked_ticker

    def counting(*args: Any) -> Any:
        checked.append(args[2])
        return original(*args)

    monkeypatch.setattr(parsing_funding, "_checked_ticker", counting)
    real = real_response("fetchTicker_from_ccxt_source_comment")
    feeds = _bench_feeds()
    assert len(feeds) >= 80
    for instrument in (btc_instrument(), CAPPED):
        _same(parse_ticker(VENUE, instrument, real, NOW), reference(instrument, real))
        for feed in feeds:
            named = attrs.evolve(instrument, name=feed["instrument"])
            body = {"result": feed}
            _same(parse_ticker(VENUE, named, body, NOW), reference(named, body))
    assert checked == []  # all common: read inline
    odd = copy.deepcopy(real)
    odd["result"]["funding_rate"] = 0.0037  # a JSON number: the checked path reads it
    _same(parse_ticker(VENUE, btc_instrument(), odd, NOW), reference(btc_instrument(), odd))
    assert checked == [odd]


class _Str(str):
    """A str that is not exactly ``str``."""


JUNK: list[object] = [
    "<delete>",
    None,
    "",
    " ",
    "abc",
    "NaN",
    "1e999",
    "0",
    "-0",
    "0.0",
    "-2.5",
    "+2.5",
    " 1.25 ",
    "1E-3",
    "9" * 70,
    "١٧٦٤٧٧٤٧٣٠٠٢٥٠٥٥٢٠٥",  # Arabic-Indic digits: isdigit() but not ASCII
    "²",
    "-1764774730025055205",
    "1764774730025055205",
    "999999999999999999999999999",
    "99",
    1764774730025055205,
    0,
    -4,
    3,
    0.5,
    float("nan"),
    True,
    False,
    Decimal("0.5"),
    _Str("BTC_USDT_Perp"),
    "ETH_USDT_Perp",
    [],
    {},
]
FIELDS = [
    "instrument",
    "event_time",
    "next_funding_time",
    "mark_price",
    "index_price",
    "funding_rate",
    "funding_rate_8h_curr",
    "buy_volume_24h_q",
    "sell_volume_24h_q",
    "open_interest",
]
_REAL = real_response("fetchTicker_from_ccxt_source_comment")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(JUNK)), max_size=4),
    shape=st.sampled_from(["as is", "as is", "no result", "result not an object", "list"]),
    capped=st.booleans(),
)
def test_mutated_tickers_read_or_refused_as_before(
    edits: list[tuple[str, object]], shape: str, capped: bool
) -> None:
    body: Any = copy.deepcopy(_REAL)
    for name, value in edits:
        if value == "<delete>":
            body["result"].pop(name, None)
        else:
            body["result"][name] = value
    if shape == "no result":
        body = {"feed": body["result"]}
    elif shape == "result not an object":
        body = {"result": [body["result"]]}
    elif shape == "list":
        body = [body]
    instrument = CAPPED if capped else btc_instrument()
    _same(parse_ticker(VENUE, instrument, body, NOW), reference(instrument, body))
