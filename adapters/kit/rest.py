"""One signed-REST transport for venues that sign each request with an API key (HMAC).

Bybit v5 and OKX v5 (and most centralised venues) share one shape: public ``GET``s with a
query string; private requests whose headers carry a timestamp on the *server's* clock and
a signature over the exact text sent; errors delivered with HTTP 200 inside an envelope
(Bybit ``{"retCode", "retMsg", "result"}``, OKX ``{"code", "msg", "data"}``); one code for
"your timestamp is outside the window" after which the venue has refused the request unread
(so it is signed again on a re-read server clock and sent once more); and a rate limit that
answers 429 (or 403) with a pause. :class:`SignedRest` does all of that once:

- every request first takes a slot of a :class:`~adapters.kit.budget.RequestBudget`
  (public and private calls may have separate budgets); a refusal is returned unsent, and
  a :class:`RateLimited` answer with ``retry_after`` backs both budgets off;
- :class:`~adapters.kit.http.JsonHttp` sends it (size cap, strict JSON, status
  classification, retries of reads only); the venue's envelope check turns a 2xx error
  body into :class:`VenueRejected` with the venue's code; the venue's ``refine`` (usually a
  :class:`~adapters.kit.http.CodeMap`) types every failure;
- the server-clock offset (``GET time_path``) is cached ``time_sync_seconds`` in a
  :class:`~adapters.kit.cache.TtlCache` (one read for concurrent callers) and re-read after
  ``timestamp_code``;
- a private request can be *prepared* (signed, nothing sent: :class:`SignedCall`) and sent
  later (issue 20, leg skew: both legs signed before either is sent); the venue's ``sign``
  fixes the validity window (Bybit ``X-BAPI-RECV-WINDOW``, OKX ``expTime``) from the order's
  deadline, or answers ``None`` when the deadline has passed (then :class:`NotSent`);
- messages never carry credentials or a signature (:meth:`SignedRest.scrub`).

A venue supplies a :class:`RestDialect`: query and body encoders, ``sign``, the envelope
check, its code map and its server-time parser.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters.kit.budget import RequestBudget
from adapters.kit.cache import TtlCache
from adapters.kit.http import ErrorExtractor, JsonHttp
from atomic_fp.errors import (
    InvalidRequest,
    MalformedResponse,
    NotConfigured,
    NotSent,
    RateLimited,
    VenueError,
    VenueRejected,
)

C = TypeVar("C")
Params = Sequence[tuple[str, str]]


@attrs.frozen
class ToSign:
    """What a venue's ``sign`` sees: the request exactly as it will be sent, and the time
    (``local_ms`` our clock, ``offset_ms`` the server's clock minus ours)."""

    method: str
    path: str
    query: str
    content: str | None
    local_ms: int
    offset_ms: int
    deadline: datetime | None

    @property
    def url(self) -> str:
        """The path with its query string (what goes on the wire)."""
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def server_ms(self) -> int:
        return self.local_ms + self.offset_ms


@attrs.frozen
class RestDialect(Generic[C]):
    """What one venue's REST API differs in (everything else is :class:`SignedRest`)."""

    encode_query: Callable[[Params], str]
    """Query text of ``params`` in their order; ``ValueError`` refuses them (not sent)."""
    encode_body: Callable[[Mapping[str, Any]], str]
    sign: Callable[[C, ToSign], dict[str, str] | None]
    """Auth headers (incl. the validity window); ``None``: the deadline has passed."""
    envelope_error: Callable[[Any], tuple[str, str] | None]
    """``(code, message)`` when a 2xx body is the venue's error, else ``None``."""
    error_extractor: ErrorExtractor
    refine: Callable[[VenueError, bool], VenueError]
    """Types a failure by the venue's code (``idempotent`` says read or write)."""
    time_path: str
    parse_server_time: Callable[[str, Any], Result[int, MalformedResponse]]
    timestamp_code: str
    """The code of "timestamp outside the window": refused unread, so re-signed and resent."""
    signature_header: str
    redact: Callable[[str, Sequence[str]], str]
    secrets: Callable[[C], Sequence[str]]
    credentials_hint: str
    """Named in :class:`NotConfigured`, e.g. ``"api_key and api_secret"``."""


@attrs.frozen
class SignedCall:
    """A signed request ready to send (see :meth:`SignedRest.prepare_signed`)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    body: dict[str, Any] | None
    idempotent: bool
    deadline: datetime | None
    url: str
    content: str | None
    headers: dict[str, str] = attrs.field(repr=False)
    resynced: bool = False


class SignedRest(Generic[C]):
    """One venue host: public GETs, signed requests, the server-clock offset."""

    def __init__(
        self,
        venue: str,
        client: httpx.AsyncClient,
        dialect: RestDialect[C],
        credentials: C | None,
        *,
        budgets: tuple[RequestBudget, RequestBudget],
        time_sync_seconds: float,
        max_body_bytes: int,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.venue = venue
        self.credentials = credentials
        self.client = client
        self.dialect = dialect
        self.public_budget, self.private_budget = budgets
        self._http = JsonHttp(
            venue, client, error_extractor=dialect.error_extractor, max_body_bytes=max_body_bytes
        )
        self._clock = clock
        self._offsets: TtlCache[int] = TtlCache(time_sync_seconds, monotonic=monotonic)

    async def aclose(self) -> None:
        await self.client.aclose()

    def scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        secrets = list(extra)
        if self.credentials is not None:
            secrets += list(self.dialect.secrets(self.credentials))
        clean = self.dialect.redact(error.message, secrets)
        return error if clean == error.message else attrs.evolve(error, message=clean)

    def not_configured(self, what: str) -> Failure[VenueError]:
        hint = self.dialect.credentials_hint
        return Failure(NotConfigured(self.venue, f"{what} needs credentials {hint}"))

    async def _send(
        self,
        method: str,
        path: str,
        url: str,
        *,
        content: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        private: bool,
    ) -> Result[Any, VenueError]:
        where = f"{method} {path}"
        budget = self.private_budget if private else self.public_budget
        allowed = await budget.acquire(self.venue, 1, where)
        if isinstance(allowed, Failure):
            return Failure(allowed.failure())
        result = await self._http.request(
            method, url, content=content, headers=headers, idempotent=idempotent
        )
        if isinstance(result, Failure):
            error = self.dialect.refine(result.failure(), idempotent)
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self.public_budget.back_off(error.retry_after.total_seconds())
                self.private_budget.back_off(error.retry_after.total_seconds())
            return Failure(error)
        refused = self.dialect.envelope_error(result.unwrap())
        if refused is not None:
            code, message = refused
            error = VenueRejected(self.venue, f"{where}: {message}", code)
            return Failure(self.dialect.refine(error, idempotent))
        return result

    def _query(self, method: str, path: str, params: Params) -> Result[str, VenueError]:
        try:
            return Success(self.dialect.encode_query(params))
        except ValueError as error:
            return Failure(InvalidRequest(self.venue, f"{method} {path}: {error} (not sent)"))

    async def public(self, path: str, params: Params = ()) -> Result[Any, VenueError]:
        query = self._query("GET", path, params)
        if isinstance(query, Failure):
            return query
        url = f"{path}?{query.unwrap()}" if query.unwrap() else path
        return await self._send("GET", path, url, idempotent=True, private=False)

    # ------------------------------------------------------------------ clock

    async def _read_offset(self) -> Result[int, VenueError]:
        before = self._clock()
        body = await self.public(self.dialect.time_path)
        after = self._clock()
        if isinstance(body, Failure):
            return body
        server = self.dialect.parse_server_time(self.venue, body.unwrap())
        if isinstance(server, Failure):
            return Failure(server.failure())
        return Success(server.unwrap() - int((before + after) / 2 * 1000))

    async def offset(self, force: bool = False) -> Result[int, VenueError]:
        """Server clock minus ours (ms), cached ``time_sync_seconds``; ``force`` re-reads."""
        if force:
            return await self._offsets.refresh(self._read_offset)
        return await self._offsets.get(self._read_offset)

    # ------------------------------------------------------------------ signed

    async def signed(
        self,
        method: str,
        path: str,
        params: Params = (),
        *,
        body: Mapping[str, Any] | None = None,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[Any, VenueError]:
        """A private request (``params`` in the query, ``body`` as JSON), signed and sent."""
        call = await self.prepare_signed(
            method, path, params, body=body, idempotent=idempotent, deadline=deadline
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self.send_signed(call.unwrap())

    async def prepare_signed(
        self,
        method: str,
        path: str,
        params: Params = (),
        *,
        body: Mapping[str, Any] | None = None,
        idempotent: bool,
        deadline: datetime | None = None,
        resync: bool = False,
    ) -> Result[SignedCall, VenueError]:
        """The signed request, nothing sent: timestamp and validity window are fixed here
        (the window ending at ``deadline``), so it holds until then whenever it is sent;
        ``resync`` re-reads the server clock's offset first."""
        credentials = self.credentials
        if credentials is None:
            return self.not_configured(f"{method} {path}")
        query = self._query(method, path, params)
        if isinstance(query, Failure):
            return Failure(query.failure())
        content = self.dialect.encode_body(body) if body is not None else None
        offset = await self.offset(force=resync)
        if isinstance(offset, Failure):
            return Failure(offset.failure())
        local_ms = int(self._clock() * 1000)
        to_sign = ToSign(method, path, query.unwrap(), content, local_ms, offset.unwrap(), deadline)
        headers = self.dialect.sign(credentials, to_sign)
        if headers is None:
            return Failure(NotSent(self.venue, f"{method} {path}: the order's deadline passed"))
        if content is not None:
            headers["Content-Type"] = "application/json"
        frozen = None if body is None else dict(body)
        call = (method, path, tuple(params), frozen, idempotent, deadline, to_sign.url, content)
        return Success(SignedCall(*call, headers, resync))

    async def send_signed(self, call: SignedCall) -> Result[Any, VenueError]:
        """Send a prepared request; the venue's timestamp refusal on the first try re-reads
        the server clock, signs again and sends once more (the venue did not read it)."""
        result = await self._send(
            call.method,
            call.path,
            call.url,
            content=call.content,
            headers=call.headers,
            idempotent=call.idempotent,
            private=True,
        )
        if isinstance(result, Success):
            return result
        error = self.scrub(result.failure(), [call.headers[self.dialect.signature_header]])
        if error.code != self.dialect.timestamp_code or call.resynced:
            return Failure(error)
        again = await self.prepare_signed(
            call.method,
            call.path,
            call.params,
            body=call.body,
            idempotent=call.idempotent,
            deadline=call.deadline,
            resync=True,
        )
        if isinstance(again, Failure):
            return Failure(again.failure())
        return await self.send_signed(again.unwrap())


__all__ = ["RestDialect", "SignedCall", "SignedRest", "ToSign"]
