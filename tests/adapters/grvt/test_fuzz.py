"""Hypothesis fuzzing of every GRVT parser: no exception ever escapes.

Inputs are either arbitrary JSON-like values or recorded real/DOCS payloads with one
subtree replaced by junk (wrong types, NaN/huge numbers, deleted keys), which reaches far
deeper into the parsers than random JSON does. A parser may succeed or answer
``MalformedResponse``; anything else fails the test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result

from adapters.grvt import parsers
from adapters.grvt.auth import parse_login
from adapters.grvt.parsing_margin_rules import maintenance_rate_bound, parse_margin_rules
from atomic_fp.errors import MalformedResponse, VenueError
from tests.adapters.grvt._data import (
    VENUE,
    btc_instrument,
    docs_sections,
    instrument_row,
    real,
    real_response,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FUZZ = settings(
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("NaN"), Decimal("-Infinity"), Decimal("1E+40"), Decimal("-0.5")]),
    st.text(max_size=12),
    st.sampled_from(
        ["", "0", "-0", "1e999", "NaN", "0x", "0x030501", "1764777600000000000", "-1", "true"]
    ),
)
_keys = st.sampled_from(
    ["result", "next", "instrument", "code", "size", "price", "bids", "state", "legs", "x"]
)
# Shallow containers keep generation cheap (2000 examples per parser); depth comes from
# ``mutated``, which plants these anywhere inside a real payload.
json_values = st.one_of(
    leaves,
    st.lists(leaves, max_size=3),
    st.dictionaries(_keys, leaves, max_size=3),
    st.dictionaries(
        _keys, st.lists(leaves, max_size=2) | st.dictionaries(_keys, leaves, max_size=2), max_size=2
    ),
)


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one node replaced by junk or (in a mapping) deleted."""
    if isinstance(base, dict) and base and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(sorted(base)))
        copy = dict(base)
        if draw(st.integers(0, 4)) == 0:
            del copy[key]
        else:
            copy[key] = draw(mutated(base[key]))
        return copy
    if isinstance(base, list) and base and draw(st.integers(0, 3)) > 0:
        index = draw(st.integers(0, len(base) - 1))
        copy_list = list(base)
        copy_list[index] = draw(mutated(base[index]))
        return copy_list
    return draw(json_values)


def payloads(*bases: Any) -> st.SearchStrategy[Any]:
    return st.one_of(json_values, *(mutated(base) for base in bases))


def only_malformed(outcome: Result[Any, Any]) -> None:
    if isinstance(outcome, Failure):
        assert isinstance(outcome.failure(), MalformedResponse)


TICKER = real_response("fetchTicker_from_ccxt_source_comment")
FEED = real()["ws_position_feed_from_ccxt_pro_source_comment"][0]["message"]["feed"]
DOCS_LIKE_ORDER = real_response("createOrder")
PAYMENT = {
    "result": [
        {
            "event_time": "1697788800000000000",
            "instrument": "BTC_USDT_Perp",
            "currency": "USDT",
            "amount": "9.75",
            "tx_id": "209358",
        }
    ],
    "next": "Qw0918=",
}


@FUZZ
@given(payloads(real_response("fetchMarkets"), {"result": [instrument_row()]}))
def test_fuzz_instruments(payload: Any) -> None:
    only_malformed(parsers.parse_instruments(VENUE, payload))


@FUZZ
@given(payloads(TICKER))
def test_fuzz_ticker(payload: Any) -> None:
    only_malformed(parsers.parse_ticker(VENUE, btc_instrument(), payload, NOW))


@FUZZ
@given(payloads(real_response("fetchFundingRateHistory")))
def test_fuzz_funding_history(payload: Any) -> None:
    only_malformed(parsers.parse_funding_page(VENUE, btc_instrument(), payload))


@FUZZ
@given(payloads(real_response("fetchOrderBook")))
def test_fuzz_book(payload: Any) -> None:
    only_malformed(parsers.parse_book(VENUE, btc_instrument(), payload))


@FUZZ
@given(payloads({"result": [FEED]}))
def test_fuzz_positions(payload: Any) -> None:
    lookup = {"BTC_USDT_Perp": btc_instrument()}
    only_malformed(parsers.parse_positions(VENUE, payload, lookup, NOW))


@FUZZ
@given(payloads(real_response("fetchBalance")))
def test_fuzz_balances(payload: Any) -> None:
    only_malformed(parsers.parse_balances(VENUE, payload, NOW))


@FUZZ
@given(payloads(PAYMENT))
def test_fuzz_funding_payments(payload: Any) -> None:
    only_malformed(parsers.parse_funding_payments(VENUE, payload, {}))


@FUZZ
@given(payloads(DOCS_LIKE_ORDER))
def test_fuzz_order(payload: Any) -> None:
    only_malformed(parsers.parse_order(VENUE, payload, {}, "afp00"))


@FUZZ
@given(payloads({"result": [DOCS_LIKE_ORDER["result"]]}))
def test_fuzz_open_orders(payload: Any) -> None:
    only_malformed(parsers.parse_orders(VENUE, payload, {}))


@FUZZ
@given(payloads(real_response("cancelAllOrders"), {"result": {"ack": "true"}}))
def test_fuzz_ack(payload: Any) -> None:
    only_malformed(parsers.parse_ack(VENUE, payload))


@FUZZ
@given(payloads({"request_id": 1, "code": 1006, "message": "slow down", "status": 429}))
def test_fuzz_error_body(payload: Any) -> None:
    found = parsers.error_of(payload)
    assert found is None or (isinstance(found[0], str) and isinstance(found[1], str))
    code, _message = parsers.error_extractor(payload)
    assert code is None or isinstance(code, str)


cookie_headers = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda value, expires: f"gravity={value}; Expires={expires}; Path=/",
        st.text(alphabet="abcdef0123456789", max_size=20),
        st.one_of(st.text(max_size=30), st.just("Wed, 21 Oct 2099 07:28:00 GMT")),
    ),
)


@FUZZ
@given(
    status=st.sampled_from([200, 400, 401, 429, 500]),
    cookie=cookie_headers,
    account=st.one_of(st.none(), st.text(max_size=10)),
    body=st.one_of(st.binary(max_size=40), json_values.map(lambda v: repr(v).encode())),
)
def test_fuzz_login_answer(status: int, cookie: str, account: str | None, body: bytes) -> None:
    headers = httpx.Headers()
    try:
        headers["set-cookie"] = cookie
        if account is not None:
            headers["x-grvt-account-id"] = account
    except (UnicodeEncodeError, ValueError):
        return  # not a header httpx would ever deliver
    outcome = parse_login("grvt", status, headers, body, NOW)
    if isinstance(outcome, Failure):
        assert isinstance(outcome.failure(), VenueError)


@settings(max_examples=500, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, max_value=100, min_value=-100))
def test_percent_to_fraction_is_exact(value: Decimal) -> None:
    assert parsers.funding_rate_fraction(value) * 100 == value


MARGIN_RULES = docs_sections("market_data_api.md")["full/v1/margin_rules"]["response"]


@FUZZ
@given(payloads(MARGIN_RULES))
def test_fuzz_margin_rules(payload: Any) -> None:
    """parse_margin_rules; whatever it accepts yields a rate in (0, 1) at any equity."""
    outcome = parse_margin_rules(VENUE.name, payload, "BTC_USDT_Perp")
    only_malformed(outcome)
    if not isinstance(outcome, Failure):
        for equity in (Decimal(-1), Decimal(0), Decimal(1000), Decimal("1e12")):
            assert Decimal(0) < maintenance_rate_bound(outcome.unwrap(), equity) < 1
