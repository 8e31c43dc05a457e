"""ccxt's exception hierarchy onto our typed errors (no ccxt import: by class names).

ccxt raises (``ccxt/base/errors.py``): ``ExchangeError`` (the venue answered and refused:
``AuthenticationError``, ``BadRequest`` > ``BadSymbol``, ``InsufficientFunds``,
``InvalidOrder`` > ``OrderNotFound``, ``NotSupported``...) and ``OperationFailed`` (the
exchange may never have seen it, or may have: ``NetworkError`` > ``RequestTimeout``,
``ExchangeNotAvailable`` > ``OnMaintenance``, ``RateLimitExceeded``, ``DDoSProtection``,
``InvalidNonce``; ``BadResponse``). On a *write* (an order, a cancel) every failure in
which the exchange may have acted is :class:`~atomic_fp.errors.Ambiguous` (look the order
up by client id before anything else); a connection that was never made (aiohttp's
``ClientConnectorError`` as the cause) is :class:`~atomic_fp.errors.NotSent`.

Messages keep ccxt's text (exchange id, HTTP status, the venue's body) with every URL's
query string cut off: some exchanges sign in the query string.
"""

from __future__ import annotations

import re

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

_URL_QUERY = re.compile(r"(https?://[^\s?]+)\?\S*")
_MAX_MESSAGE = 300

_REFUSED = {
    # the venue answered and did not act: the same on reads and writes
    "RateLimitExceeded": RateLimited,
    "DDoSProtection": RateLimited,
    "OrderNotFound": OrderNotFound,
    "AuthenticationError": AuthenticationError,
    "BadSymbol": UnknownSymbol,
    "NotSupported": NotSupported,
    "InsufficientFunds": VenueRejected,
    "InvalidOrder": VenueRejected,
    "InvalidNonce": VenueRejected,
    "BadRequest": VenueRejected,
    "ArgumentsRequired": VenueRejected,
    "ExchangeError": VenueRejected,
}
_ON_READ = {
    "RequestTimeout": VenueTimeout,
    "ExchangeNotAvailable": NetworkError,
    "NetworkError": NetworkError,
    "BadResponse": MalformedResponse,
    "OperationFailed": NetworkError,
}


def clean_message(error: BaseException) -> str:
    """ccxt's message with URL query strings removed, cut to a readable length."""
    text = _URL_QUERY.sub(r"\1?...", str(error)) or type(error).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _never_connected(error: BaseException) -> bool:
    cause = error.__cause__
    return cause is not None and any(
        c.__name__ in {"ClientConnectorError", "ConnectionRefusedError"}
        for c in type(cause).__mro__
    )


def classify(venue: str, error: BaseException, *, write: bool) -> VenueError:
    """The typed error for a ccxt exception raised by a read (``write=False``) or by an
    order placement / cancel (``write=True``)."""
    message = f"{type(error).__name__}: {clean_message(error)}"
    if _never_connected(error):
        return NotSent(venue, message)
    for cls in type(error).__mro__:
        refused = _REFUSED.get(cls.__name__)
        if refused is not None:
            return refused(venue, message)
        if cls.__name__ in _ON_READ:
            return Ambiguous(venue, message) if write else _ON_READ[cls.__name__](venue, message)
    return Ambiguous(venue, message) if write else MalformedResponse(venue, message)


__all__ = ["classify", "clean_message"]
