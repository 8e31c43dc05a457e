"""ccxt's real exception classes onto our typed errors: reads vs writes (an order whose
fate is unknown is Ambiguous, never "failed"), and no signed query string in a message."""

from __future__ import annotations

import aiohttp
import ccxt
import pytest

from adapters.ccxt_venue.errors import classify
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    NotSent,
    NotSupported,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
    VenueTimeout,
)


@pytest.mark.parametrize(
    ("error", "on_read", "on_write"),
    [
        (ccxt.RequestTimeout("bitget GET timed out"), VenueTimeout, Ambiguous),
        (ccxt.NetworkError("reset"), NetworkError, Ambiguous),
        (ccxt.ExchangeNotAvailable("503"), NetworkError, Ambiguous),
        (ccxt.OnMaintenance("maintenance"), NetworkError, Ambiguous),
        (ccxt.BadResponse("html"), MalformedResponse, Ambiguous),
        (ccxt.RateLimitExceeded("429"), RateLimited, RateLimited),
        (ccxt.DDoSProtection("cloudflare"), RateLimited, RateLimited),
        (ccxt.InsufficientFunds("margin"), VenueRejected, VenueRejected),
        (ccxt.InvalidOrder("price"), VenueRejected, VenueRejected),
        (ccxt.DuplicateOrderId("dup"), VenueRejected, VenueRejected),
        (ccxt.OrderNotFound("gone"), OrderNotFound, OrderNotFound),
        (ccxt.AuthenticationError("key"), AuthenticationError, AuthenticationError),
        (ccxt.PermissionDenied("ip"), AuthenticationError, AuthenticationError),
        (ccxt.BadSymbol("XYZ"), UnknownSymbol, UnknownSymbol),
        (ccxt.NotSupported("no"), NotSupported, NotSupported),
        (ccxt.ExchangeError("40001"), VenueRejected, VenueRejected),
        (ValueError("stray"), MalformedResponse, Ambiguous),
    ],
)
def test_ccxt_exceptions_are_classified(
    error: Exception, on_read: type[VenueError], on_write: type[VenueError]
) -> None:
    read = classify("bitget", error, write=False)
    write = classify("bitget", error, write=True)
    assert type(read) is on_read and type(write) is on_write
    assert read.venue == "bitget" and type(error).__name__ in read.message


def test_a_connection_never_made_is_not_sent_even_for_an_order() -> None:
    try:
        try:
            raise aiohttp.ClientConnectorError(
                aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 1, False, True, None, None, None),
                OSError(111, "refused"),
            )
        except aiohttp.ClientConnectorError as cause:
            raise ccxt.ExchangeNotAvailable("bitget POST refused") from cause
    except ccxt.ExchangeNotAvailable as error:
        assert type(classify("bitget", error, write=True)) is NotSent


def test_query_strings_are_cut_from_messages() -> None:
    error = ccxt.ExchangeError(
        "binance GET https://fapi.binance.com/fapi/v1/order?symbol=BTC&signature=abc123 400"
    )
    message = classify("binance", error, write=False).message
    assert "signature" not in message and "abc123" not in message
    assert "https://fapi.binance.com/fapi/v1/order?..." in message
