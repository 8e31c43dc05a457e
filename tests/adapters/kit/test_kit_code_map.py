"""The kit's HTTP error classifier, second half (``CodeMap``): a venue's own error codes
onto the typed errors. Codes below are Binance's documented ones
(developers.binance.com/docs/derivatives/usds-margined-futures/error-code): -2015 invalid
key/IP/permissions, -2013 order does not exist, -1121 invalid symbol, -1003 too many
requests, -1007 "timeout waiting for response from backend server; send status unknown"."""

from __future__ import annotations

from datetime import timedelta

from returns.result import Failure, Success

from adapters.kit.http import CodeMap, joined_failure
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    OrderNotFound,
    RateLimited,
    RefusedLocally,
    UnknownSymbol,
    VenueRejected,
)

CODES = CodeMap(
    auth=frozenset({"-2015"}),
    order_not_found=frozenset({"-2013"}),
    unknown_symbol=frozenset({"-1121"}),
    rate_limited=frozenset({"-1003"}),
    ambiguous_on_write=frozenset({"-1007"}),
)


def rejected(code: str | None) -> VenueRejected:
    return VenueRejected("binance", "m", code, timedelta(seconds=3) if code == "-1003" else None)


def test_codes_map_onto_typed_errors() -> None:
    assert isinstance(CODES.refine(rejected("-2015"), True), AuthenticationError)
    assert isinstance(CODES.refine(rejected("-2013"), True), OrderNotFound)
    assert isinstance(CODES.refine(rejected("-1121"), True), UnknownSymbol)
    limited = CODES.refine(rejected("-1003"), True)
    assert isinstance(limited, RateLimited) and limited.retry_after == timedelta(seconds=3)
    assert type(CODES.refine(rejected("-9999"), True)) is VenueRejected
    assert type(CODES.refine(rejected(None), False)) is VenueRejected


def test_send_status_unknown_is_ambiguous_only_on_a_write() -> None:
    assert type(CODES.refine(rejected("-1007"), True)) is VenueRejected
    assert isinstance(CODES.refine(rejected("-1007"), False), Ambiguous)


def test_an_unreadable_2xx_on_a_write_is_ambiguous() -> None:
    unreadable = MalformedResponse("binance", "not JSON")
    assert isinstance(CODES.refine(unreadable, False), Ambiguous)
    assert CODES.refine(unreadable, True) is unreadable


def test_transport_errors_keep_their_type_whatever_the_code() -> None:
    error = NetworkError("binance", "502", "-2015")
    assert CODES.refine(error, True) is error


def test_joined_failure_prefers_what_the_venue_said_over_a_local_refusal() -> None:
    local = RefusedLocally("binance", "backing off", "local-backoff")
    venue = RateLimited("binance", "HTTP 418", "418")
    assert joined_failure(Failure(local), Failure(venue)).failure() is venue
    assert joined_failure(Success(1), Failure(local)).failure() is local
