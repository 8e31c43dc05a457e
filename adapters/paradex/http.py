"""Paradex REST transport (public GETs): request budget, JSON decoding, error mapping.

Errors come with a 4xx/5xx status and ``{"error": "<IDENTIFIER>", "message": "..."}``
(docs.paradex.trade API reference, ``responses.ApiError``; allowed identifiers include
``VALIDATION_ERROR``, ``BINDING_ERROR``, ``INTERNAL_ERROR``, ``NOT_FOUND``...). The kit's
:class:`~adapters.kit.http.JsonHttp` classifies by status (429 -> ``RateLimited`` with its
``Retry-After``, 5xx retried on reads); :data:`PARADEX_CODES` refines by identifier.

Budget: one :class:`~adapters.kit.budget.RequestBudget` of 20 requests per second for the
public endpoints, under Paradex's published per-IP public limit (1,500 requests per
minute per IP on docs.paradex.trade "Rate limits": UNCONFIRMED in the copy we could read,
so we stay well below it); a burst waits or is refused locally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from returns.result import Failure, Result

from adapters.kit import CodeMap, JsonHttp, RequestBudget
from adapters.paradex.parsing import error_extractor
from atomic_fp.errors import InvalidRequest, RateLimited, VenueError

PARADEX_CODES = CodeMap(
    auth=frozenset({"INVALID_TOKEN", "INVALID_STARKNET_SIGNATURE", "NOT_ONBOARDED"}),
    unknown_symbol=frozenset({"MARKET_NOT_FOUND", "INVALID_MARKET"}),
    rate_limited=frozenset({"RATE_LIMIT_EXCEEDED"}),
)
"""Paradex error identifiers onto the typed errors (identifier names as listed in ccxt
``paradex.py`` ``exceptions``; UNCONFIRMED against the live API for the last two rows)."""

_SAFE = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")


def query_path(path: str, params: Sequence[tuple[str, str]]) -> str:
    """``path?k=v...``; values needing percent-encoding are refused (our own identifiers
    and numbers never do; a cursor that does is not one we were given)."""
    for key, value in params:
        if not _SAFE.match(key) or not _SAFE.match(value):
            raise ValueError(f"paradex query parameter {key!r} has characters we do not send")
    return path if not params else path + "?" + "&".join(f"{k}={v}" for k, v in params)


class ParadexHttp:
    """One Paradex REST root (``.../v1``)."""

    def __init__(
        self,
        venue: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_body_bytes: int,
        monotonic: Callable[[], float],
        max_budget_wait: float = 5.0,
        requests_per_second: float = 20.0,
    ) -> None:
        self.venue = venue
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json"},
        )
        self._http = JsonHttp(
            venue, self.client, error_extractor=error_extractor, max_body_bytes=max_body_bytes
        )
        self._budget = RequestBudget(
            "paradex-public",
            requests_per_second,
            1.0,
            max_budget_wait,
            monotonic,
            refusal_code="budget",
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def public(
        self, path: str, params: Sequence[tuple[str, str]] = ()
    ) -> Result[Any, VenueError]:
        """``GET path`` (relative to the ``/v1`` root, no leading slash needed)."""
        try:
            url = query_path(path.lstrip("/"), params)
        except ValueError as refused:
            return Failure(InvalidRequest(self.venue, f"GET {path}: {refused} (not sent)"))
        allowed = await self._budget.acquire(self.venue, 1, f"GET {path}")
        if isinstance(allowed, Failure):
            return allowed
        result = await self._http.request("GET", url, idempotent=True)
        if isinstance(result, Failure):
            error = result.failure()
            if isinstance(error, RateLimited) and error.retry_after is not None:
                self._budget.back_off(error.retry_after.total_seconds())
            return Failure(PARADEX_CODES.refine(error, True))
        return result


__all__ = ["PARADEX_CODES", "ParadexHttp", "query_path"]
