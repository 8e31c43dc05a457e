"""Bybit v5 transport and authentication, on the kit's signed-REST transport
(:class:`~adapters.kit.rest.SignedRest`): what is Bybit's own is here.

- Public calls: ``GET`` with the query string in the URL.
- Private calls: :mod:`adapters.bybit.signing` headers; a GET signs its query string, a
  POST its compact JSON body, sent as exactly that text.
- Clock: ``X-BAPI-TIMESTAMP`` is our clock plus the offset to ``GET /v5/market/time``,
  re-read every ``time_sync_seconds`` and once more after retCode ``10002`` (timestamp
  outside the window), after which the request is re-signed and sent once more: 10002
  means Bybit refused it unread.
- Order deadline: a request with a ``deadline`` (an order's ``expires_at``) sends
  ``X-BAPI-RECV-WINDOW`` = the ms left until it (at most 60000), so Bybit itself refuses
  the order if it arrives later; a deadline already passed is not sent (``NotSent``).

Rate limit: one :class:`~adapters.kit.budget.RequestBudget` of ``requests_per_5s`` (500
of Bybit's 600 requests per 5 s per IP, bybit-exchange.github.io/docs/v5/rate-limit); a
request it cannot admit within ``max_budget_wait_seconds`` is refused unsent
(:class:`~atomic_fp.errors.RefusedLocally`). Bybit answers an IP over that limit with
HTTP 403 "access too frequent" and asks for at least 10 minutes' pause (same page): a 403
is :class:`RateLimited` with ``retry_after`` 600 s and the budget refuses everything until
then, instead of hammering a venue that banned us.

Errors: Bybit answers most refusals with HTTP 200 and ``retCode != 0`` (kept as the error
code with ``retMsg``). ``10003``/``10004``/``10005``/``10007``/``10009``/``10010``/``33004``
(bad key, bad signature, permission, IP, expired key) are :class:`AuthenticationError`
(10007 on a write is :class:`Ambiguous`, see ``AMBIGUOUS_AUTH_CODE``);
``10006``/``10018`` (too many visits) :class:`RateLimited`; ``110001`` (order does not
exist) :class:`OrderNotFound`; ``10016`` (server error) on an order, a timeout, a 5xx or an
unreadable 2xx after a write are :class:`Ambiguous` (look the order up by client id).
Writes are never retried. Messages never hold the key, the secret or a signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import httpx

from adapters.bybit.parsing import error_extractor, parse_server_time, ret_error
from adapters.bybit.signing import (
    MAX_RECV_WINDOW_MS,
    Credentials,
    auth_headers,
    json_body,
    query_string,
    redact,
)
from adapters.kit import CodeMap, RequestBudget
from adapters.kit.rest import RestDialect, SignedCall, SignedRest, ToSign
from atomic_fp.errors import Ambiguous, AuthenticationError, RateLimited, VenueError

PATH_TIME = "/v5/market/time"

TIMESTAMP_CODE = "10002"
ORDER_NOT_FOUND = "110001"
IP_BAN_PAUSE = timedelta(minutes=10)
CODES = CodeMap(
    auth=frozenset({"10003", "10004", "10005", "10007", "10009", "10010", "33004"}),
    order_not_found=frozenset({ORDER_NOT_FOUND}),
    rate_limited=frozenset({"10006", "10018"}),
    ambiguous_on_write=frozenset({"10016"}),
)
"""Bybit v5 retCodes (bybit-exchange.github.io/docs/v5/error; patisson-bybit-sdk
``ret_code.rs``) onto the typed errors."""


AMBIGUOUS_AUTH_CODE = "10007"
"""v5 reads 10007 as "user authentication failed" (patisson-bybit-sdk ``ret_code.rs``),
but Bybit's older API docs as "response timeout from backend server; delivery and request
status unknown" (doc-v3 error table): on a write it is ambiguous, never a rejection."""


def refine(error: VenueError, idempotent: bool) -> VenueError:
    """A venue error typed by its retCode; an HTTP 403 (IP over the limit, the v5 error
    page's first cause) is rate limiting with Bybit's 10-minute pause."""
    if error.code == "403" and isinstance(error, AuthenticationError):
        return RateLimited(error.venue, error.message, error.code, IP_BAN_PAUSE)
    if error.code == AMBIGUOUS_AUTH_CODE and not idempotent:
        return Ambiguous(error.venue, error.message, error.code)
    return CODES.refine(error, idempotent)


def dialect(recv_window_ms: int) -> RestDialect[Credentials]:
    """Bybit's v5 REST: a GET signs its query, a POST its body; the recv window is
    ``recv_window_ms``, or the ms left until the order's deadline (at most 60000)."""

    def sign(credentials: Credentials, call: ToSign) -> dict[str, str] | None:
        window = recv_window_ms
        if call.deadline is not None:
            window = min(int(call.deadline.timestamp() * 1000) - call.local_ms, MAX_RECV_WINDOW_MS)
            if window < 1:
                return None
        payload = call.query if call.method == "GET" else (call.content or "")
        return auth_headers(credentials, call.server_ms, window, payload)

    return RestDialect(
        encode_query=query_string,
        encode_body=json_body,
        sign=sign,
        envelope_error=ret_error,
        error_extractor=error_extractor,
        refine=refine,
        time_path=PATH_TIME,
        parse_server_time=parse_server_time,
        timestamp_code=TIMESTAMP_CODE,
        signature_header="X-BAPI-SIGN",
        redact=redact,
        secrets=lambda c: (c.api_secret, c.api_key),
        credentials_hint="api_key and api_secret",
    )


class BybitHttp(SignedRest[Credentials]):
    """Sends public and signed Bybit v5 requests; every answer is a ``Result``."""

    def __init__(
        self,
        venue: str,
        client: httpx.AsyncClient,
        credentials: Credentials | None,
        *,
        recv_window_ms: int,
        time_sync_seconds: float,
        max_body_bytes: int,
        budget: RequestBudget,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            venue,
            client,
            dialect(recv_window_ms),
            credentials,
            budgets=(budget, budget),
            time_sync_seconds=time_sync_seconds,
            max_body_bytes=max_body_bytes,
            clock=clock,
            monotonic=monotonic,
        )
        self.budget = budget


__all__ = ["CODES", "BybitHttp", "SignedCall", "refine"]
