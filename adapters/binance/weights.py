"""Binance request-weight budget.

Binance meters every REST call by *weight* per IP (2 400 per minute by default for
USDⓈ-M, ``exchangeInfo.rateLimits``; the binance.com futures rate-limit FAQ) and answers
429 then 418 (an IP ban of minutes to days) to clients that exceed it. ``fundingInfo`` and
``fundingRate`` additionally share a separate limit of 500 requests per 5 minutes per IP
(Binance docs "Get Funding Rate History" / "Get Funding Rate Info").

:class:`WeightBudget` is a token bucket refilled continuously at ``capacity / period``.
A request takes its weight up front. When the bucket is short, the request *waits* for
the refill if that takes at most ``max_wait`` seconds (the weight is reserved before the
wait, so concurrent callers queue fairly and can never overdraw together); otherwise it
is refused without being sent (:class:`~atomic_fp.errors.NotSent`), which is safe to retry
later. Our defaults stay below Binance's limits so another process on the same IP keeps
some headroom. Order-count limits (per 10 s / per minute, per account) are not budgeted
here: this bot places a handful of orders per decision.

The budget also remembers a venue back-off: after a 429/418 with ``Retry-After`` every
request is refused locally until that moment, instead of hammering a venue that has
asked us to stop (which is what turns a 429 into a 418 ban).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import NotSent, RateLimited, VenueError

DEPTH_WEIGHTS = ((5, 2), (10, 2), (20, 2), (50, 2), (100, 5), (500, 10), (1000, 20))
"""``GET /fapi/v1/depth`` limits and their weights (Binance docs "Order Book")."""


def depth_limit_and_weight(depth: int) -> tuple[int, int]:
    """The smallest ``limit`` Binance accepts that covers ``depth`` levels, and its weight."""
    for limit, weight in DEPTH_WEIGHTS:
        if depth <= limit:
            return limit, weight
    return DEPTH_WEIGHTS[-1]


@attrs.define
class WeightBudget:
    """A token bucket of ``capacity`` weight refilled over ``period`` seconds."""

    name: str
    capacity: float
    period: float
    max_wait: float = 5.0
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep
    _tokens: float = attrs.field(init=False, default=0.0)
    _stamp: float = attrs.field(init=False, default=0.0)
    _blocked_until: float = attrs.field(init=False, default=0.0)

    def __attrs_post_init__(self) -> None:
        if self.capacity <= 0 or self.period <= 0:
            raise ValueError(f"weight budget {self.name}: capacity and period must be > 0")
        self._tokens = self.capacity
        self._stamp = self.monotonic()

    @property
    def available(self) -> float:
        self._refill()
        return self._tokens

    def _refill(self) -> None:
        now = self.monotonic()
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.capacity / self.period)

    def back_off(self, seconds: float) -> None:
        """The venue asked us to stop for ``seconds`` (429/418 ``Retry-After``)."""
        self._blocked_until = max(self._blocked_until, self.monotonic() + max(0.0, seconds))

    async def acquire(self, venue: str, weight: int, what: str) -> Result[None, VenueError]:
        """Take ``weight``; wait for it if that is quick, else refuse (never sent)."""
        now = self.monotonic()
        if now < self._blocked_until:
            remaining = self._blocked_until - now
            return Failure(
                RateLimited(
                    venue,
                    f"{what}: not sent, the venue asked us to back off "
                    f"for another {remaining:.1f}s",
                    "local-backoff",
                    timedelta(seconds=remaining),
                )
            )
        if weight > self.capacity:
            return Failure(
                NotSent(venue, f"{what}: weight {weight} exceeds the {self.name} budget")
            )
        self._refill()
        deficit = weight - self._tokens
        wait = 0.0 if deficit <= 0 else deficit * self.period / self.capacity
        if wait > self.max_wait:
            return Failure(
                NotSent(
                    venue,
                    f"{what}: not sent, {self.name} weight budget exhausted "
                    f"(needs {wait:.1f}s of refill, waiting at most {self.max_wait:.1f}s)",
                    "weight-budget",
                )
            )
        self._tokens -= weight
        if wait > 0:
            await self.sleep(wait)
        return Success(None)
