"""OKX v5 transport: public and signed requests, the envelope check and error mapping, on
the kit's signed-REST transport (:class:`~adapters.kit.rest.SignedRest`).

Every answer is ``{"code": "0", "msg": "", "data": [...]}``; OKX reports most errors with
HTTP 200 and a non-zero ``code`` (a failed order row carries its own ``sCode``/``sMsg``),
auth errors with HTTP 401, rate limits with HTTP 429 and code ``50011`` (OKX v5 docs,
"Error Code / REST API"). Mapped onto the typed errors:

=====================================  =============================================
``50011``, ``50061``, HTTP 429         :class:`RateLimited`
``50100``-``50114`` except ``50102``   :class:`AuthenticationError` (frozen key, wrong
                                       environment, bad passphrase/sign/key, IP)
``50102`` (timestamp expired)          server clock re-read, request re-signed, sent
                                       once more (OKX refused it unread)
``51001`` (instrument does not exist)  :class:`UnknownSymbol`
``51603`` (order does not exist)       :class:`OrderNotFound`
``50001``/``50004``/``50013``/         :class:`Ambiguous` (service unavailable,
``50026`` on a write                   endpoint timeout "does not indicate success or
                                       failure", busy, system error: the order may
                                       have been taken)
=====================================  =============================================

Each request first takes one slot of a :class:`~adapters.kit.budget.RequestBudget`: public
calls share one (10 per 2 s), private ones another (10 per 2 s): the strictest limit among
the endpoints we call (``funding-rate`` "10 requests per 2 seconds", ``account/positions``
and ``account/balance`` likewise; OKX v5 docs per endpoint), so a burst waits or is refused
locally (:class:`RefusedLocally`) instead of earning ``50011``; a 429's ``Retry-After``
stops both until it passes.

Writes (place, cancel) are never retried; a timeout, a 5xx or an unreadable 2xx on them is
:class:`Ambiguous`. Messages never carry the key, secret, passphrase or a signature.
The request time is the local clock plus the offset to ``GET /api/v5/public/time``,
re-read every ``time_sync_seconds`` (OKX refuses a timestamp more than 30 s off).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone

import httpx

from adapters.kit import CodeMap, RequestBudget
from adapters.kit.rest import RestDialect, SignedCall, SignedRest, ToSign
from adapters.okx.parsing import envelope_error, error_extractor, parse_server_time
from adapters.okx.signing import (
    Credentials,
    auth_headers,
    iso_timestamp,
    json_body,
    query_path,
    redact,
)
from atomic_fp.errors import VenueError

PATH_TIME = "/api/v5/public/time"
_RATE_CODES = frozenset({"50011", "50061"})
_AUTH_CODES = frozenset(str(code) for code in range(50100, 50115)) - {"50102"}
_TIMESTAMP_CODE = "50102"
_BUSY_CODES = frozenset({"50001", "50004", "50013", "50026"})


OKX_CODES = CodeMap(
    auth=_AUTH_CODES,
    order_not_found=frozenset({"51603"}),
    unknown_symbol=frozenset({"51001"}),
    rate_limited=_RATE_CODES,
    ambiguous_on_write=_BUSY_CODES,
)
"""OKX codes onto the typed errors (see the module docstring)."""


def refine(error: VenueError, idempotent: bool) -> VenueError:
    return OKX_CODES.refine(error, idempotent)


def _query(params: Sequence[tuple[str, str]]) -> str:
    """``k=v&k2=v2`` as :func:`~adapters.okx.signing.query_path` signs it (``ValueError``
    for anything that would need percent-encoding)."""
    return query_path("", params).removeprefix("?")


def _sign(credentials: Credentials, call: ToSign) -> dict[str, str] | None:
    """The ``OK-ACCESS-*`` headers; ``deadline`` (an order's ``expires_at``) is sent as the
    ``expTime`` header (ms): OKX does not process a place/amend request whose ``expTime``
    has passed when it reaches the server (OKX v5 docs, "Transaction timeouts": supported
    by place/amend (multiple) orders). Already passed on the server's clock: ``None``."""
    headers: dict[str, str] = {}
    if call.deadline is not None:
        expires_ms = int(call.deadline.timestamp() * 1000)
        if expires_ms <= call.server_ms:
            return None
        headers["expTime"] = str(expires_ms)
    stamp = iso_timestamp(datetime.fromtimestamp(call.server_ms / 1000, tz=timezone.utc))
    headers.update(auth_headers(credentials, stamp, call.method, call.url, call.content or ""))
    return headers


DIALECT: RestDialect[Credentials] = RestDialect(
    encode_query=_query,
    encode_body=json_body,
    sign=_sign,
    envelope_error=envelope_error,
    error_extractor=error_extractor,
    refine=refine,
    time_path=PATH_TIME,
    parse_server_time=parse_server_time,
    timestamp_code=_TIMESTAMP_CODE,
    signature_header="OK-ACCESS-SIGN",
    redact=redact,
    secrets=lambda credentials: credentials.secrets,
    credentials_hint="api_key, api_secret and passphrase",
)


class OkxHttp(SignedRest[Credentials]):
    """One OKX host: public GETs, signed GETs/POSTs, server-time offset."""

    def __init__(
        self,
        venue: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_body_bytes: int,
        credentials: Credentials | None,
        clock: Callable[[], float],
        monotonic: Callable[[], float],
        simulated: bool = False,
        time_sync_seconds: float = 600.0,
        max_budget_wait: float = 5.0,
        requests_per_2s: tuple[float, float] = (10, 10),
    ) -> None:
        headers = {"Accept": "application/json"}
        if simulated:
            headers["x-simulated-trading"] = "1"
        client = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=httpx.Timeout(timeout), headers=headers
        )
        budgets = tuple(
            RequestBudget(f"okx-{kind}", limit, 2.0, max_budget_wait, monotonic)
            for kind, limit in zip(("public", "private"), requests_per_2s, strict=True)
        )
        super().__init__(
            venue,
            client,
            DIALECT,
            credentials,
            budgets=(budgets[0], budgets[1]),
            time_sync_seconds=time_sync_seconds,
            max_body_bytes=max_body_bytes,
            clock=clock,
            monotonic=monotonic,
        )


__all__ = ["PATH_TIME", "OkxHttp", "SignedCall", "refine"]
