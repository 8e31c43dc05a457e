"""GRVT API-key session: the ``gravity`` cookie and ``X-Grvt-Account-Id`` header.

``POST {auth_url}/auth/api_key/login`` with ``{"api_key": ...}`` (and ``Cookie: rm=true;``)
answers ``Set-Cookie: gravity=<token>; Expires=...`` plus an ``X-Grvt-Account-Id`` header
(api-docs /auth; grvt-pysdk ``grvt_raw_base._get_cookie``). Every trading call sends
``Cookie: gravity=<token>`` and ``X-Grvt-Account-Id``. The session logs in again
``refresh_margin`` before the cookie expires (the SDK uses 5 s; we use a minute), and
when the trading host answers code 1000 ("authenticate first").

Neither the API key nor the cookie ever appears in an error message or a repr.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie

import anyio
import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters._http import loads
from adapters.grvt.parsers import error_of
from atomic_fp.errors import (
    AuthenticationError,
    MalformedResponse,
    NetworkError,
    NotSent,
    RateLimited,
    VenueError,
    VenueTimeout,
)

LOGIN_PATH = "/auth/api_key/login"
COOKIE_NAME = "gravity"
ACCOUNT_HEADER = "X-Grvt-Account-Id"
# When the cookie carries neither Expires nor Max-Age, re-login this often.
DEFAULT_LIFETIME = timedelta(hours=1)


@attrs.frozen
class Session:
    cookie: str = attrs.field(repr=False)
    account_id: str
    expires: datetime

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE_NAME}={self.cookie}", ACCOUNT_HEADER: self.account_id}


def _expiry(morsel_expires: str, max_age: str, now: datetime) -> datetime:
    if max_age.strip().isdigit():
        return now + timedelta(seconds=int(max_age))
    if morsel_expires:
        try:
            parsed = parsedate_to_datetime(morsel_expires)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return now + DEFAULT_LIFETIME


def parse_login(
    venue: str, status: int, headers: httpx.Headers, content: bytes, now: datetime
) -> Result[Session, VenueError]:
    """Classify a login answer; a success needs the cookie and the account id."""
    try:
        body = loads(content) if content else None
    except (ValueError, RecursionError):
        body = None
    error = error_of(body)
    if status == 429 or (error is not None and error[0] == "1006"):
        return Failure(RateLimited(venue, "login: rate limited", error[0] if error else "429"))
    if status >= 500:
        return Failure(NetworkError(venue, f"login: HTTP {status}", error[0] if error else None))
    if status >= 300 or error is not None:
        code, message = error if error else (str(status), "")
        return Failure(AuthenticationError(venue, f"login refused: HTTP {status} {message}", code))
    if isinstance(body, dict) and body.get("status") not in (None, "success"):
        return Failure(AuthenticationError(venue, "login refused: status is not success"))
    jar: SimpleCookie = SimpleCookie()
    try:
        for value in headers.get_list("set-cookie"):
            jar.load(value)
    except CookieError:
        return Failure(MalformedResponse(venue, "login: unreadable Set-Cookie header"))
    morsel = jar.get(COOKIE_NAME)
    account_id = headers.get(ACCOUNT_HEADER)
    if morsel is None or not morsel.value:
        return Failure(MalformedResponse(venue, "login: no gravity cookie in the answer"))
    if not account_id:
        return Failure(MalformedResponse(venue, f"login: no {ACCOUNT_HEADER} header"))
    expires = _expiry(morsel["expires"], morsel["max-age"], now)
    return Success(Session(cookie=morsel.value, account_id=account_id, expires=expires))


@attrs.define
class GrvtAuth:
    """Logs in lazily, keeps the session, and refreshes it before it expires."""

    venue: str
    client: httpx.AsyncClient
    auth_url: str
    api_key: str = attrs.field(repr=False)
    clock: Callable[[], datetime]
    refresh_margin: timedelta = timedelta(minutes=1)
    _session: Session | None = attrs.field(default=None, init=False, repr=False)
    _lock: anyio.Lock = attrs.field(factory=anyio.Lock, init=False, repr=False)
    logins: int = attrs.field(default=0, init=False)

    def invalidate(self) -> None:
        self._session = None

    def _fresh(self) -> Session | None:
        session = self._session
        if session is not None and self.clock() < session.expires - self.refresh_margin:
            return session
        return None

    async def headers(self) -> Result[dict[str, str], VenueError]:
        """Session headers for a trading call, logging in first when needed."""
        session = self._fresh()
        if session is not None:
            return Success(session.headers())
        async with self._lock:
            session = self._fresh()
            if session is None:
                outcome = await self._login()
                if isinstance(outcome, Failure):
                    return Failure(outcome.failure())
                session = outcome.unwrap()
                self._session = session
            return Success(session.headers())

    async def _login(self) -> Result[Session, VenueError]:
        url = self.auth_url.rstrip("/") + LOGIN_PATH
        self.logins += 1
        try:
            response = await self.client.post(
                url, json={"api_key": self.api_key}, headers={"Cookie": "rm=true;"}
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            return Failure(
                NotSent(self.venue, f"login: could not connect ({type(error).__name__})")
            )
        except httpx.TimeoutException as error:
            return Failure(VenueTimeout(self.venue, f"login: {type(error).__name__}"))
        except httpx.HTTPError as error:
            return Failure(NetworkError(self.venue, f"login: {type(error).__name__}"))
        # The session is carried by explicit headers; keep httpx's jar from resending it.
        self.client.cookies.clear()
        return parse_login(
            self.venue, response.status_code, response.headers, response.content, self.clock()
        )
