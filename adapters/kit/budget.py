"""One rate-limit budget for every venue: request weights, ``Retry-After``, one refusal.

A venue meters REST calls by count or by *weight* per window (Binance: 2 400 weight per
minute per IP, and 500 fundingInfo/fundingRate requests per 5 minutes; Lighter: 60
requests per rolling minute on a standard account) and answers 429 (then 418, an IP ban,
on Binance) to a client that exceeds it. :class:`RequestBudget` is a token bucket of
``capacity`` weight refilled continuously at ``capacity / period`` per second:

- a request takes its weight up front. When the bucket is short it *waits* for the
  refill if that takes at most ``max_wait`` seconds; the weight is reserved *before* the
  wait, in one synchronous step (no ``await`` between reading the bucket and taking from
  it), so concurrent callers queue fairly, can never overdraw together, and **no lock is
  held while sleeping** (a sleeper never blocks a caller that would not have to wait);
- beyond ``max_wait`` it is refused without being sent, as
  :class:`~atomic_fp.errors.RefusedLocally` (a ``NotSent`` and a ``RateLimited``; its
  ``retry_after`` says when the weight will be there) with ``code=refusal_code``;
- :meth:`back_off` records the venue's ``Retry-After`` (429/418): until then every
  request is refused locally (``code="local-backoff"``) instead of hammering a venue that
  asked us to stop, which is what turns a 429 into a ban.

How a venue package uses it: its ``http.py`` owns one budget per venue limit, calls
``await budget.acquire(venue, weight, "GET /path")`` before each request (a failure is
returned as is: never sent), and ``budget.back_off(error.retry_after.total_seconds())``
when the venue answered :class:`~atomic_fp.errors.RateLimited` with a ``Retry-After``.
Time comes from ``monotonic`` and waiting from ``sleep``: tests pass a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import attrs
from returns.result import Failure, Result, Success

from atomic_fp import concurrency
from atomic_fp.errors import RefusedLocally

BACKOFF_CODE = "local-backoff"
"""``code`` of a refusal because the venue's ``Retry-After`` has not passed yet."""


@attrs.define
class RequestBudget:
    """A token bucket of ``capacity`` weight refilled over ``period`` seconds."""

    name: str
    capacity: float
    period: float
    max_wait: float = 5.0
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = concurrency.sleep
    """``anyio.sleep`` (a loop-free run refuses to wait: :mod:`atomic_fp.concurrency`)."""
    refusal_code: str = "budget"
    spent: int = attrs.field(init=False, default=0)
    """Requests admitted so far (for tests and diagnostics)."""
    _tokens: float = attrs.field(init=False, default=0.0)
    _stamp: float = attrs.field(init=False, default=0.0)
    _blocked_until: float = attrs.field(init=False, default=0.0)

    def __attrs_post_init__(self) -> None:
        if not (self.capacity > 0 and self.period > 0):
            raise ValueError(f"request budget {self.name}: capacity and period must be > 0")
        if self.max_wait < 0:
            raise ValueError(f"request budget {self.name}: max_wait must be >= 0")
        self._tokens = self.capacity
        self._stamp = self.monotonic()

    @property
    def rate(self) -> float:
        """Weight refilled per second."""
        return self.capacity / self.period

    @property
    def available(self) -> float:
        """Weight available now (may be negative while reserved weight refills)."""
        self._refill()
        return self._tokens

    def _refill(self) -> None:
        now = self.monotonic()
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)

    def back_off(self, seconds: float) -> None:
        """The venue asked us to stop for ``seconds`` (429/418 ``Retry-After``)."""
        self._blocked_until = max(self._blocked_until, self.monotonic() + max(0.0, seconds))

    def refusal(self, venue: str, weight: float, what: str) -> RefusedLocally | None:
        """Why ``weight`` cannot be taken now without waiting over ``max_wait``, or
        ``None`` when it can (then nothing is taken: :meth:`acquire` takes it)."""
        now = self.monotonic()
        if now < self._blocked_until:
            remaining = self._blocked_until - now
            return RefusedLocally(
                venue,
                f"{what}: not sent, the venue asked us to back off for another {remaining:.1f}s",
                BACKOFF_CODE,
                timedelta(seconds=remaining),
            )
        if weight > self.capacity:
            return RefusedLocally(
                venue,
                f"{what}: not sent, weight {weight:g} exceeds the {self.name} budget "
                f"({self.capacity:g} per {self.period:g}s)",
                self.refusal_code,
            )
        wait = self._wait_for(weight)
        if wait > self.max_wait:
            return RefusedLocally(
                venue,
                f"{what}: not sent, {self.name} budget exhausted ({self.capacity:g} per "
                f"{self.period:g}s; needs {wait:.1f}s of refill, waiting at most "
                f"{self.max_wait:.1f}s)",
                self.refusal_code,
                timedelta(seconds=wait),
            )
        return None

    def _wait_for(self, weight: float) -> float:
        self._refill()
        deficit = weight - self._tokens
        return 0.0 if deficit <= 0 else deficit / self.rate

    async def acquire(
        self, venue: str, weight: float = 1, what: str = "request"
    ) -> Result[None, RefusedLocally]:
        """Take ``weight``; wait for it if that is quick, else refuse (never sent)."""
        refused = self.refusal(venue, weight, what)
        if refused is not None:
            return Failure(refused)
        wait = self._wait_for(weight)
        self._tokens -= weight  # reserved before sleeping: no await since the check
        self.spent += 1
        if wait > 0:
            await self.sleep(wait)
        return Success(None)


__all__ = ["BACKOFF_CODE", "RequestBudget"]
