"""One in-memory cache with a TTL, loaded once however many callers ask at the same time.

Every venue caches what changes rarely (its market list, Binance's funding intervals,
a server-clock offset) for ``ttl`` seconds. :class:`TtlCache` holds one such value:

- :meth:`TtlCache.get` returns the value while it is younger than ``ttl``; otherwise it
  runs ``load`` under the cache's lock, so concurrent callers on a cold or stale cache
  wait for one refresh instead of each sending it (double-checked: a caller that waited
  for the lock finds the fresh value). A failed load is returned and *not* cached: the
  old value is never passed off as fresh, and the next call tries again.
- :meth:`TtlCache.refresh` loads now whatever the TTL says (a venue answer proved the
  cached value wrong); :meth:`TtlCache.invalidate` forgets it.
- ``generation`` counts successful loads: a caller that must know whether *its* call read
  the venue compares it before and after.

The lock is created on first use, inside the running event loop (anyio locks bind to
one; a loop-free run, :mod:`atomic_fp.concurrency`, lends its own for the run instead),
and only ever held across the load itself, never across a budget wait of another
request. Time comes from ``monotonic`` (tests pass a fake clock).

How a venue package uses it: its ``market_data.py`` keeps e.g.
``self._markets = TtlCache(ttl=markets_ttl, monotonic=monotonic)`` and asks
``await self._markets.get(self._load_markets)`` where ``_load_markets`` is an
``async () -> Result[T, VenueError]``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio
from returns.result import Failure, Result, Success

from atomic_fp import concurrency
from atomic_fp.errors import VenueError

T = TypeVar("T")

Loader = Callable[[], Awaitable[Result[T, VenueError]]]


class TtlCache(Generic[T]):
    """One value of type ``T``, fresh for ``ttl`` seconds after it was loaded."""

    def __init__(self, ttl: float, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        if not ttl > 0:
            raise ValueError(f"cache ttl must be > 0, got {ttl}")
        self.ttl = ttl
        self._monotonic = monotonic
        self._value: T | None = None
        self._loaded = False
        self._at = 0.0
        self._lock: anyio.Lock | None = None
        self.generation = 0

    @property
    def lock(self) -> concurrency.Lock:
        """The lock a refresh holds (created on first use, in the event loop; in a loop-free
        run one lent by that run, never kept here: :func:`atomic_fp.concurrency.lock_of`)."""
        lock, self._lock = concurrency.lock_of(self, self._lock)
        return lock

    def fresh(self) -> T | None:
        """The value if it is younger than ``ttl``, else ``None``."""
        if self._loaded and self._monotonic() - self._at < self.ttl:
            return self._value
        return None

    @property
    def last(self) -> T | None:
        """The last value loaded, however old (``None`` before the first load)."""
        return self._value

    def put(self, value: T, *, age: float = 0.0) -> None:
        """Store ``value`` as loaded now, or ``age`` seconds ago (a copy read from disk
        is as old as the fetch that made it: its TTL counts from then)."""
        self._value = value
        self._loaded = True
        self._at = self._monotonic() - age
        self.generation += 1

    def invalidate(self) -> None:
        """Forget the value: the next :meth:`get` loads."""
        self._loaded = False

    async def get(self, load: Loader[T]) -> Result[T, VenueError]:
        """The fresh value, or the outcome of one ``load`` shared by concurrent callers."""
        cached = self.fresh()
        if cached is not None:
            return Success(cached)
        async with self.lock:
            cached = self.fresh()
            if cached is not None:
                return Success(cached)
            return await self._load(load)

    async def refresh(self, load: Loader[T]) -> Result[T, VenueError]:
        """Load now, whatever the TTL says (one refresh at a time)."""
        async with self.lock:
            return await self._load(load)

    async def _load(self, load: Loader[T]) -> Result[T, VenueError]:
        outcome = await load()
        if isinstance(outcome, Failure):
            return outcome
        value = outcome.unwrap()
        self.put(value)
        return Success(value)


__all__ = ["Loader", "TtlCache"]
