"""Lighter's HTTP transport and auth: every REST request through one budget and the kit's
classifier, and the short-lived auth token that order reads need.

Budget: a standard Lighter account may send 60 REST requests per rolling minute per IP /
L1 address (https://apidocs.lighter.xyz/docs/rate-limits; premium tiers are weighted and
much larger). Each request spends one unit of the kit's
:class:`~adapters.kit.budget.RequestBudget` (option ``requests_per_minute``); a request that
would wait longer than ``budget_max_wait_seconds`` for it is refused locally
(:class:`~atomic_fp.errors.RefusedLocally`, code ``budget``: never sent), so a burst cannot
push the account into Lighter's own 23000 "too many requests" answer. The websocket does
not spend it.

Errors: HTTP statuses are classified by :class:`~adapters.kit.http.JsonHttp`; Lighter also
answers HTTP 200 with ``{"code": <not 200>, "message": ...}``, which is a refusal, and its
codes 23000-23003 mean "rate limited" (:data:`LIGHTER_CODES`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
from returns.result import Failure, Result, Success

from adapters.kit import CodeMap, JsonHttp, RequestBudget
from adapters.kit.http_client import async_client
from adapters.lighter.config import option_float
from adapters.lighter.parsers import error_fields
from adapters.registry import VenueSettings
from atomic_fp.errors import NotSent, RateLimited, VenueError, VenueRejected

if TYPE_CHECKING:
    from adapters.lighter.signer import LighterSigner

RATE_LIMITED_CODES = frozenset({"23000", "23001", "23002", "23003"})
LIGHTER_CODES = CodeMap(rate_limited=RATE_LIMITED_CODES)
AUTH_TOKEN_LIFETIME = timedelta(minutes=10)


@attrs.define
class LighterHttp:
    """One Lighter REST endpoint: the budget, then the request, then the classification."""

    json: JsonHttp
    budget: RequestBudget
    owns_client: bool = True

    @classmethod
    def build(
        cls, settings: VenueSettings, base_url: str, monotonic: Callable[[], float]
    ) -> LighterHttp:
        """The REST client of ``settings`` behind its budget (``requests_per_minute``,
        ``budget_max_wait_seconds``; see the module)."""
        options = settings.options
        client = async_client(settings.transport, base_url=base_url, timeout=settings.timeout)
        return cls(
            json=JsonHttp(
                venue=str(settings.id),
                client=client,
                error_extractor=error_fields,
                max_body_bytes=settings.max_response_bytes,
                floats_in_bodies=True,  # its numbers are JSON floats: one decode
            ),
            budget=RequestBudget(
                "Lighter REST",
                capacity=option_float(options, "requests_per_minute", 60.0),
                period=60.0,
                max_wait=option_float(options, "budget_max_wait_seconds", 10.0),
                monotonic=monotonic,
            ),
        )

    @property
    def venue(self) -> str:
        return self.json.venue

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Result[Any, VenueError]:
        """``content``: a body encoded ahead of time (a prepared order's ``sendTx``)."""
        spent = await self.budget.acquire(self.venue, 1, f"{method} {path}")
        if isinstance(spent, Failure):
            return Failure(spent.failure())
        answer = await self.json.request(
            method,
            path,
            params=params,
            data=data,
            content=content,
            headers=headers,
            idempotent=idempotent,
        )
        if isinstance(answer, Failure):
            return Failure(LIGHTER_CODES.refine(answer.failure(), idempotent))
        body = answer.unwrap()
        if isinstance(body, Mapping):
            code = body.get("code")
            if isinstance(code, int) and not isinstance(code, bool) and code != 200:
                message = body.get("message")
                text = f"{method} {path}: code {code}" + (
                    f": {message[:200]}" if isinstance(message, str) else ""
                )
                if str(code) in RATE_LIMITED_CODES:
                    return Failure(RateLimited(self.venue, text, str(code)))
                return Failure(VenueRejected(self.venue, text, str(code)))
        return Success(body)

    async def aclose(self) -> None:
        if self.owns_client:
            await self.json.client.aclose()


@attrs.define
class AuthTokens:
    """Lighter's ``authorization`` token for account order reads, made by the signer for
    :data:`AUTH_TOKEN_LIFETIME` and renewed when less than a minute of it is left."""

    venue: str
    _held: tuple[str, datetime] | None = attrs.field(default=None, repr=False)

    def token(self, signer: LighterSigner, now: datetime) -> Result[str, VenueError]:
        if self._held is not None and self._held[1] - now > timedelta(minutes=1):
            return Success(self._held[0])
        deadline = now + AUTH_TOKEN_LIFETIME
        from adapters.lighter.signer import SignerError  # an order read's: not a scan's

        try:
            token = signer.create_auth_token(int(deadline.timestamp()))
        except SignerError as error:
            return Failure(NotSent(self.venue, f"auth token: {error}"))
        except Exception as error:
            return Failure(NotSent(self.venue, f"auth token: {type(error).__name__}"))
        self._held = (token, deadline)
        return Success(token)


__all__ = [
    "AUTH_TOKEN_LIFETIME",
    "LIGHTER_CODES",
    "RATE_LIMITED_CODES",
    "AuthTokens",
    "LighterHttp",
]
