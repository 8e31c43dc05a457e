"""A request budget for Lighter's REST limits.

A standard Lighter account may send 60 REST requests per rolling minute per IP / L1
address (https://apidocs.lighter.xyz/docs/rate-limits; premium tiers are weighted and much
larger). :class:`RequestBudget` is a token bucket: ``capacity`` requests at once, refilled
at ``capacity / period`` per second. A request waits for a token up to ``max_wait``;
beyond that it is refused locally as :class:`~atomic_fp.errors.RateLimited` (never sent),
so a burst cannot push the account into Lighter's own 23000 "too many requests" answer.
Prices and live funding come from the websocket, which does not spend this budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import RateLimited


@attrs.define
class RequestBudget:
    capacity: float = 60.0
    period: float = 60.0
    max_wait: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _tokens: float | None = None
    _updated: float = 0.0
    _lock: anyio.Lock = attrs.field(factory=anyio.Lock)
    spent: int = 0

    @property
    def rate(self) -> float:
        return self.capacity / self.period

    def _refill(self) -> float:
        now = self.clock()
        if self._tokens is None:
            self._tokens = self.capacity
        else:
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        return self._tokens

    def available(self) -> float:
        return self._refill()

    async def acquire(self, venue: str, cost: float = 1.0) -> Result[None, RateLimited]:
        async with self._lock:
            tokens = self._refill()
            if tokens < cost:
                wait = (cost - tokens) / self.rate
                if wait > self.max_wait:
                    return Failure(
                        RateLimited(
                            venue,
                            f"local request budget exhausted ({self.capacity:g} per "
                            f"{self.period:g}s); next slot in {wait:.1f}s",
                            "budget",
                            timedelta(seconds=wait),
                        )
                    )
                await anyio.sleep(wait)
                tokens = self._refill()
            self._tokens = max(0.0, tokens - cost)
            self.spent += 1
            return Success(None)
