"""One HTTP JSON call, classified into typed venue errors (the kit's HTTP layer).

How a venue package uses it: its ``http.py`` builds one :class:`JsonHttp` around its
``httpx.AsyncClient`` (with the venue's ``error_extractor`` reading ``(code, message)``
out of an error body) and one :class:`CodeMap` naming which of the venue's own error
codes mean "bad credentials", "no such order", "unknown symbol", "rate limited" or "may
have acted"; every answer goes through ``codes.refine(error, idempotent)``. Requests sent
together and joined afterwards report :func:`joined_failure`.

(This module was ``adapters/_http.py``; that name re-exports it.) What it guarantees:

- no exception escapes: transport errors, timeouts, HTTP errors, HTML error pages,
  invalid JSON, NaN/Infinity literals and absurd nesting all become a typed
  :class:`~atomic_fp.errors.VenueError`;
- reads (``idempotent=True``) are retried with exponential backoff on transport errors,
  timeouts and 5xx; writes never are;
- a write that may have reached the venue (read timeout, 5xx) is :class:`Ambiguous`;
  one that provably did not (connect error) is :class:`NotSent`;
- 429/418 become :class:`RateLimited` carrying ``Retry-After``; a 503's ``Retry-After`` is
  carried too (on the :class:`NetworkError` of a read, the :class:`Ambiguous` of a write).
  Every retry here waits at least that long, and gives up instead when the venue asks for
  more than ``max_retry_after`` seconds; execution honours it for orders (Binance: "HTTP
  429 ... back off", 418 = IP auto-banned for not doing so, 2 min to 3 days;
  developers.binance.com/docs/derivatives/usds-margined-futures/general-info);
- a response body is capped at ``max_body_bytes`` (default 4 MiB), checked against
  ``Content-Length`` and again while streaming, so a huge or endless body never grows
  the process: it is refused after at most the cap has been read (a read's answer is
  :class:`MalformedResponse`; a write's is :class:`Ambiguous`: the venue may have acted);
- JSON floats are read as ``Decimal`` so no value is ever rounded through binary floats;
- messages carry the request *path* and the venue's own error text, never headers,
  query strings or bodies we sent (they hold keys and signatures).

The ``httpx.AsyncClient`` is injectable, which is how tests replay recorded responses
(``httpx.MockTransport``) or talk to a local 127.0.0.1 server; so is an in-process client
(:mod:`adapters.kit.http_client`: the offline snapshot, which never loads httpx). httpx's
errors are told apart only if httpx is loaded: an error can only be one of them then.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.json_decode import loads_like
from adapters.kit.http_client import AsyncHttpClient, HttpResponse
from atomic_fp import concurrency
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    NotSent,
    OrderNotFound,
    RateLimited,
    RefusedLocally,
    UnknownSymbol,
    VenueError,
    VenueRejected,
    VenueTimeout,
)

ErrorExtractor = Callable[[Any], tuple[str | None, str | None]]
"""Reads ``(code, message)`` out of a venue's error body (already JSON-decoded)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not a number we accept")


def strict_loads(text: str | bytes) -> Any:
    """Strict JSON by the standard decoder: floats as Decimal, NaN/Infinity refused."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


ORJSON_FROM_BYTES = 16 * 1024
"""Bodies this long or longer are decoded by orjson when that gives :func:`strict_loads`'s
very value (:func:`adapters.json_decode.loads_like`); shorter ones (the offline snapshot's
answers are all under 5 KB) by the standard decoder, where importing orjson would cost
more than it saves. Either way the value, or the refusal, is the same."""


def loads(text: str | bytes) -> Any:
    """Strict JSON: floats as Decimal, NaN/Infinity refused (exactly :func:`strict_loads`:
    tests/adapters/test_json_decode.py)."""
    if type(text) not in _ORJSON_TYPES or len(text) < ORJSON_FROM_BYTES:
        return strict_loads(text)  # anything else (None, memoryview ...) decided as before
    return loads_like(strict_loads, text)


_ORJSON_TYPES = (bytes, bytearray, str)
"""What ``json.loads`` and orjson both read as a JSON document (orjson also reads a
``memoryview``, which ``json.loads`` refuses)."""


def _no_extractor(_: Any) -> tuple[str | None, str | None]:
    return None, None


@attrs.define
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 2.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.base_delay * (2**attempt)))


DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest response body read (the biggest real answers, full exchange-info and
instrument lists, are a few hundred KiB)."""


class BodyTooLarge(Exception):
    """The response body exceeds the cap (raised while reading, caught in ``_once``)."""


def _retry_after(response: HttpResponse) -> timedelta | None:
    """``Retry-After`` as seconds or as an HTTP date (RFC 9110 section 10.2.3)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return timedelta(seconds=max(0.0, float(value)))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # rarely needed; costly to import

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(timedelta(0), when - datetime.now(timezone.utc))


async def read_capped(response: HttpResponse, limit: int) -> bytes:
    """The (decoded) body, refusing (``BodyTooLarge``) as soon as more than ``limit``
    bytes are announced or have arrived; never holds more than ``limit`` plus one chunk."""
    announced = response.headers.get("Content-Length")
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise BodyTooLarge(f"Content-Length {announced} exceeds the {limit}-byte cap")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body exceeds the {limit}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


@attrs.define
class JsonHttp:
    """A venue's HTTP endpoint: base URL, client, timeouts and retry policy."""

    venue: str
    client: AsyncHttpClient
    error_extractor: ErrorExtractor = _no_extractor
    retry: RetryPolicy = attrs.Factory(RetryPolicy)
    max_retry_after: float = 5.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    floats_in_bodies: bool = False
    """The venue's bodies hold float literals (Lighter's numbers): decoded by
    :func:`strict_loads` at once. :func:`loads` would try orjson first, walk its answer,
    find a float and decode again (Lighter's ``orderBookDetails`` at the bench's 120
    markets, 117 KB: 12.6 M -> 8.2 M instructions by callgrind). The same value or refusal
    either way (:func:`loads` is :func:`strict_loads`): tests/adapters/lighter/
    test_bodies_decoded_once.py."""

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: str | bytes | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        accept_status: Callable[[int], bool] | None = None,
    ) -> Result[Any, VenueError]:
        """Send one request; decode its JSON body or classify its failure.

        ``accept_status`` lets a venue treat a non-2xx status as a normal body (some
        answer 400 with a JSON error the adapter wants to read itself).
        """
        attempts = self.retry.attempts if idempotent else 1
        last: VenueError = NetworkError(self.venue, f"{method} {_path(url)}: not attempted")
        for attempt in range(attempts):
            outcome = await self._once(
                method, url, params, json_body, content, data, headers, idempotent, accept_status
            )
            if isinstance(outcome, Success):
                return outcome
            last = outcome.failure()
            if not idempotent or not _retryable(last) or attempt == attempts - 1:
                return Failure(last)
            delay = self.retry.delay(attempt)
            if last.retry_after is not None:
                wait = last.retry_after.total_seconds()
                if wait > self.max_retry_after:
                    return Failure(last)
                delay = max(delay, wait)
            await concurrency.sleep(delay)  # anyio's (a loop-free run refuses to wait)
        return Failure(last)

    async def _once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        content: str | bytes | None,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        idempotent: bool,
        accept_status: Callable[[int], bool] | None,
    ) -> Result[Any, VenueError]:
        where = f"{method} {_path(url)}"
        try:
            request = self.client.build_request(
                method,
                url,
                params=params,
                json=json_body,
                content=content,
                data=data,
                headers=headers,
            )
            response = await self.client.send(request, stream=True)
            try:
                raw = await read_capped(response, self.max_body_bytes)
            finally:
                await response.aclose()
        except BodyTooLarge as error:
            message = f"{where}: response refused: {error}"
            if idempotent:
                return Failure(MalformedResponse(self.venue, message))
            return Failure(Ambiguous(self.venue, message))
        except Exception as error:
            return Failure(self._transport_failure(error, where, idempotent))
        return self._classify(response, raw, where, idempotent, accept_status)

    def _transport_failure(self, error: Exception, where: str, idempotent: bool) -> VenueError:
        name = type(error).__name__
        httpx: Any = sys.modules.get("httpx")  # not loaded: the error is none of its own
        if httpx is not None:
            if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
                return NotSent(self.venue, f"{where}: could not connect ({name})")
            if isinstance(error, httpx.TimeoutException):
                if idempotent:
                    return VenueTimeout(self.venue, f"{where}: {name}")
                return Ambiguous(self.venue, f"{where}: timed out after sending")
            if isinstance(error, httpx.HTTPError):
                if idempotent:
                    return NetworkError(self.venue, f"{where}: {name}")
                return Ambiguous(self.venue, f"{where}: transport failed ({name})")
        message = f"{where}: unexpected {name}"
        return NetworkError(self.venue, message) if idempotent else Ambiguous(self.venue, message)

    def _classify(
        self,
        response: HttpResponse,
        raw: bytes,
        where: str,
        idempotent: bool,
        accept_status: Callable[[int], bool] | None,
    ) -> Result[Any, VenueError]:
        status = response.status_code
        body: Any = None
        decoded = True
        try:
            body = (strict_loads if self.floats_in_bodies else loads)(raw) if raw else None
        except (ValueError, RecursionError):
            decoded = False
        ok = 200 <= status < 300 or (accept_status is not None and accept_status(status))
        if ok:
            if not decoded:
                snippet = raw[:80].decode("utf-8", "replace").replace("\n", " ")
                return Failure(
                    MalformedResponse(
                        self.venue, f"{where}: HTTP {status} body is not JSON: {snippet!r}"
                    )
                )
            return Success(body)
        code, message = (None, None)
        if decoded:
            try:
                code, message = self.error_extractor(body)
            except Exception:
                code, message = None, None
        detail = f"{where}: HTTP {status}" + (f": {message}" if message else "")
        code = code or str(status)
        wait = _retry_after(response) if status in (418, 429, 503) else None
        if wait is not None:
            detail += f" (Retry-After {wait.total_seconds():g} s)"
        if status in (418, 429):
            return Failure(RateLimited(self.venue, detail, code, wait))
        if status in (401, 403):
            return Failure(AuthenticationError(self.venue, detail, code))
        if status >= 500:
            if idempotent:
                return Failure(NetworkError(self.venue, detail, code, wait))
            return Failure(Ambiguous(self.venue, detail, code, wait))
        return Failure(VenueRejected(self.venue, detail, code))


def _retryable(error: VenueError) -> bool:
    return isinstance(error, NetworkError | VenueTimeout | NotSent | RateLimited)


def _path(url: str) -> str:
    """The path of a URL without its query string (which may carry a signature)."""
    return url.split("?", 1)[0]


@attrs.frozen
class CodeMap:
    """A venue's own error codes onto the typed errors: the second half of the classifier
    (:meth:`JsonHttp.request` classifies by HTTP status; this by the code in the body).

    ``refine`` keeps an error whose type already says more (transport failures, local
    refusals, ambiguity) and otherwise maps: ``auth`` -> :class:`AuthenticationError`,
    ``order_not_found`` -> :class:`OrderNotFound`, ``unknown_symbol`` ->
    :class:`UnknownSymbol`, ``rate_limited`` -> :class:`RateLimited` (keeping
    ``retry_after``), and on a write (``idempotent=False``) ``ambiguous_on_write`` ->
    :class:`Ambiguous`. A 2xx body that cannot be read is :class:`Ambiguous` on a write
    too: the venue accepted the request and may have acted on it.
    """

    auth: frozenset[str] = frozenset()
    order_not_found: frozenset[str] = frozenset()
    unknown_symbol: frozenset[str] = frozenset()
    rate_limited: frozenset[str] = frozenset()
    ambiguous_on_write: frozenset[str] = frozenset()

    def refine(self, error: VenueError, idempotent: bool) -> VenueError:
        code = error.code
        if isinstance(error, MalformedResponse) and not idempotent:
            return Ambiguous(error.venue, error.message, code)
        if code is None or isinstance(error, Ambiguous | NotSent | NetworkError | VenueTimeout):
            return error
        if code in self.auth:
            return AuthenticationError(error.venue, error.message, code)
        if code in self.order_not_found:
            return OrderNotFound(error.venue, error.message, code)
        if code in self.unknown_symbol:
            return UnknownSymbol(error.venue, error.message, code)
        if code in self.rate_limited and not isinstance(error, RateLimited):
            return RateLimited(error.venue, error.message, code, error.retry_after)
        if code in self.ambiguous_on_write and not idempotent:
            return Ambiguous(error.venue, error.message, code)
        return error


def joined_failure(*outcomes: Result[Any, VenueError]) -> Failure[VenueError]:
    """The failure to report for requests sent together (at least one failed): the
    venue's own answer before a local refusal it may have caused (a 418 on one request
    sets the back-off that refuses the other), otherwise the first in argument order."""
    errors = [o.failure() for o in outcomes if isinstance(o, Failure)]
    if not errors:
        raise ValueError("joined_failure needs a failure")
    venue_said = [e for e in errors if not isinstance(e, RefusedLocally)]
    return Failure((venue_said or errors)[0])
