"""GRVT's HTTP transport and auth: the market-data and trading hosts through the kit's
:class:`~adapters.kit.http.JsonHttp`, the login session, and GRVT's error codes.

Error codes (api-spec trading_api.md error tables): 1006 -> ``RateLimited``; 1000/1001/
1008/1012/1400 and the signature codes 2000-2009 -> ``AuthenticationError``; 1002/1005/1009
(server-side) -> ``NetworkError`` on a read, ``Ambiguous`` on a write; every other code
(order validation 2010+, margin, ...) -> ``VenueRejected`` with GRVT's code and message.
2090 "max open orders" arrives with HTTP 429 but is a rejection, not a rate limit, so
writes read 4xx bodies themselves. GRVT sends its code in a 4xx body, so the classifier
reads that body (``accept_status``) before the kit's status rules would apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs
from returns.result import Failure, Result

from adapters.grvt.config import GrvtCredentials, GrvtOptions
from adapters.grvt.parsers import error_extractor, error_of
from adapters.kit import JsonHttp
from adapters.kit.http_client import AsyncHttpClient, async_client, httpx_client
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    NetworkError,
    NotConfigured,
    RateLimited,
    VenueError,
    VenueRejected,
)

if TYPE_CHECKING:  # the login is imported by a client that has credentials (issue 20)
    from adapters.grvt.auth import GrvtAuth

_AUTH_CODES = frozenset({1000, 1001, 1008, 1012, 1400})
_SERVER_CODES = frozenset({1002, 1005, 1009})


def classify(venue: str, code: str, message: str, where: str, *, write: bool) -> VenueError:
    """A GRVT error code (from a 4xx/5xx body) as a typed error."""
    number = int(code) if code.lstrip("-").isdigit() else None
    text = f"{where}: {message}" if message else where
    if number == 1006:
        return RateLimited(venue, text, code)
    if number is not None and (number in _AUTH_CODES or 2000 <= number <= 2009):
        return AuthenticationError(venue, text, code)
    if number in _SERVER_CODES:
        return Ambiguous(venue, text, code) if write else NetworkError(venue, text, code)
    return VenueRejected(venue, text, code)


def not_configured(venue: str) -> NotConfigured:
    return NotConfigured(
        venue, "GRVT trading needs credentials api_key, sub_account_id and private_key"
    )


@attrs.define
class GrvtHttp:
    """The two GRVT hosts we call (market data, trading) and the session for the latter."""

    json: JsonHttp
    market_url: str
    trading_url: str
    auth: GrvtAuth | None

    @classmethod
    def build(
        cls,
        settings: VenueSettings,
        options: GrvtOptions,
        credentials: GrvtCredentials | None,
        clock: Callable[[], datetime],
    ) -> GrvtHttp:
        """One httpx client for both hosts and, with credentials, the login session."""
        venue = settings.id.name
        client: AsyncHttpClient
        auth: GrvtAuth | None = None
        if credentials is not None:  # the login (httpx: its cookies), only if usable
            from adapters.grvt.auth import GrvtAuth

            session = client = httpx_client(settings.transport, timeout=settings.timeout)
            auth = GrvtAuth(venue, session, options.auth_url, credentials.api_key, clock=clock)
        else:
            client = async_client(settings.transport, timeout=settings.timeout)
        json = JsonHttp(
            venue,
            client,
            error_extractor=error_extractor,
            max_body_bytes=settings.max_response_bytes,
        )
        return cls(json, options.market_url, options.trading_url, auth)

    @property
    def venue(self) -> str:
        return self.json.venue

    async def market_call(self, name: str, body: Mapping[str, Any]) -> Result[Any, VenueError]:
        where = f"POST full/v1/{name}"
        raw = await self.json.request(
            "POST",
            f"{self.market_url}/full/v1/{name}",
            json_body=body,
            idempotent=True,
            accept_status=lambda status: 400 <= status < 500 and status != 429,
        )
        if isinstance(raw, Failure):
            return raw
        error = error_of(raw.unwrap())
        if error is not None:
            return Failure(classify(self.venue, error[0], error[1], where, write=False))
        return raw

    async def session(self) -> Result[Mapping[str, str], VenueError]:
        """The session headers, logging in first if the cookie is missing or stale (a
        prepared order warms it, so its send is one round trip)."""
        if self.auth is None:
            return Failure(not_configured(self.venue))
        return await self.auth.headers()

    async def trading_call(
        self,
        name: str,
        body: Mapping[str, Any] | bytes,
        *,
        write: bool,
        headers: Mapping[str, str] | None = None,
    ) -> Result[Any, VenueError]:
        """One trading-host call with the session; re-logs in once on code 1000 (the
        venue refused before acting, so even a write is safe to resend). ``body`` as
        bytes is already encoded (then ``headers`` carries its content type)."""
        auth = self.auth
        if auth is None:
            return Failure(not_configured(self.venue))
        where = f"POST full/v1/{name}"
        encoded = isinstance(body, bytes)
        for attempt in range(2):
            session = await auth.headers()
            if isinstance(session, Failure):
                return Failure(session.failure())
            raw = await self.json.request(
                "POST",
                f"{self.trading_url}/full/v1/{name}",
                json_body=None if encoded else body,
                content=body if isinstance(body, bytes) else None,
                headers={**session.unwrap(), **(headers or {})},
                idempotent=not write,
                accept_status=(
                    (lambda status: 400 <= status < 500)
                    if write
                    else (lambda status: 400 <= status < 500 and status != 429)
                ),
            )
            if isinstance(raw, Failure):
                return raw
            error = error_of(raw.unwrap())
            if error is None:
                return raw
            if error[0] == "1000" and attempt == 0:
                auth.invalidate()
                continue
            return Failure(classify(self.venue, error[0], error[1], where, write=write))
        return Failure(AuthenticationError(self.venue, f"{where}: session refused", "1000"))

    async def aclose(self) -> None:
        await self.json.client.aclose()


__all__ = ["GrvtHttp", "classify", "not_configured"]
