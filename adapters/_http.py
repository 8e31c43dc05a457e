"""One HTTP JSON call, classified into typed venue errors.

Shared by every httpx-based adapter. What it guarantees:

- no exception escapes: transport errors, timeouts, HTTP errors, HTML error pages,
  invalid JSON, NaN/Infinity literals and absurd nesting all become a typed
  :class:`~atomic_fp.errors.VenueError`;
- reads (``idempotent=True``) are retried with exponential backoff on transport errors,
  timeouts and 5xx; writes never are;
- a write that may have reached the venue (read timeout, 5xx) is :class:`Ambiguous`;
  one that provably did not (connect error) is :class:`NotSent`;
- 429/418 become :class:`RateLimited` carrying ``Retry-After``;
- JSON floats are read as ``Decimal`` so no value is ever rounded through binary floats;
- messages carry the request *path* and the venue's own error text, never headers,
  query strings or bodies we sent (they hold keys and signatures).

The ``httpx.AsyncClient`` is injectable, which is how tests replay recorded responses
(``httpx.MockTransport``) or talk to a local 127.0.0.1 server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import anyio
import attrs
import httpx
from returns.result import Failure, Result, Success

from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    NotSent,
    RateLimited,
    VenueError,
    VenueRejected,
    VenueTimeout,
)

ErrorExtractor = Callable[[Any], tuple[str | None, str | None]]
"""Reads ``(code, message)`` out of a venue's error body (already JSON-decoded)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not a number we accept")


def loads(text: str | bytes) -> Any:
    """Strict JSON: floats as Decimal, NaN/Infinity refused."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


def _no_extractor(_: Any) -> tuple[str | None, str | None]:
    return None, None


@attrs.define
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 2.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.base_delay * (2**attempt)))


def _retry_after(response: httpx.Response) -> timedelta | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return timedelta(seconds=max(0.0, float(value)))
    except ValueError:
        return None


@attrs.define
class JsonHttp:
    """A venue's HTTP endpoint: base URL, client, timeouts and retry policy."""

    venue: str
    client: httpx.AsyncClient
    error_extractor: ErrorExtractor = _no_extractor
    retry: RetryPolicy = attrs.Factory(RetryPolicy)
    max_retry_after: float = 5.0

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
            if isinstance(last, RateLimited) and last.retry_after is not None:
                wait = last.retry_after.total_seconds()
                if wait > self.max_retry_after:
                    return Failure(last)
                delay = max(delay, wait)
            await anyio.sleep(delay)
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
            response = await self.client.request(
                method,
                url,
                params=params,
                json=json_body,
                content=content,
                data=data,
                headers=headers,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            return Failure(
                NotSent(self.venue, f"{where}: could not connect ({type(error).__name__})")
            )
        except httpx.TimeoutException as error:
            if idempotent:
                return Failure(VenueTimeout(self.venue, f"{where}: {type(error).__name__}"))
            return Failure(Ambiguous(self.venue, f"{where}: timed out after sending"))
        except httpx.HTTPError as error:
            if idempotent:
                return Failure(NetworkError(self.venue, f"{where}: {type(error).__name__}"))
            return Failure(
                Ambiguous(self.venue, f"{where}: transport failed ({type(error).__name__})")
            )
        except Exception as error:
            message = f"{where}: unexpected {type(error).__name__}"
            return Failure(
                NetworkError(self.venue, message) if idempotent else Ambiguous(self.venue, message)
            )
        return self._classify(response, where, idempotent, accept_status)

    def _classify(
        self,
        response: httpx.Response,
        where: str,
        idempotent: bool,
        accept_status: Callable[[int], bool] | None,
    ) -> Result[Any, VenueError]:
        status = response.status_code
        body: Any = None
        decoded = True
        try:
            body = loads(response.content) if response.content else None
        except (ValueError, RecursionError):
            decoded = False
        ok = 200 <= status < 300 or (accept_status is not None and accept_status(status))
        if ok:
            if not decoded:
                snippet = response.text[:80].replace("\n", " ")
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
        if status in (418, 429):
            return Failure(RateLimited(self.venue, detail, code, _retry_after(response)))
        if status in (401, 403):
            return Failure(AuthenticationError(self.venue, detail, code))
        if status >= 500:
            if idempotent:
                return Failure(NetworkError(self.venue, detail, code))
            return Failure(Ambiguous(self.venue, detail, code))
        return Failure(VenueRejected(self.venue, detail, code))


def _retryable(error: VenueError) -> bool:
    return isinstance(error, NetworkError | VenueTimeout | NotSent | RateLimited)


def _path(url: str) -> str:
    """The path of a URL without its query string (which may carry a signature)."""
    return url.split("?", 1)[0]
