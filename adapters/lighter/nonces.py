"""Per-API-key nonces for Lighter transactions.

Lighter wants each API key's transactions numbered strictly +1 from the value
``GET /api/v1/nextNonce?account_index=&api_key_index=`` returns (L-DOCS trading). An
API-level rejection (HTTP 400 answer) does not consume the nonce; a sequencer rejection
does (L-DOCS). After an "invalid nonce" answer, or an answer we could not read
(ambiguous: it may or may not have been consumed), the next use re-syncs from
``nextNonce``, as lighter-sdk's ``nonce_manager.py`` does (``hard_refresh_nonce``).

:class:`NonceBook` hands out one nonce at a time under a lock that the caller holds while
signing *and sending*, so transactions of one key reach Lighter in nonce order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import VenueError

FetchNonce = Callable[[], Awaitable[Result[int, VenueError]]]


@attrs.define
class NonceLease:
    """One nonce, valid while the lease's ``async with`` block runs.

    The holder reports what happened: :meth:`consumed` (the venue took it),
    :meth:`unused` (refused before sequencing: hand it out again) or :meth:`resync`
    (unknown or invalid: ask ``nextNonce`` next time). Not reporting means resync.
    """

    nonce: int
    outcome: str = "resync"

    def consumed(self) -> None:
        self.outcome = "consumed"

    def unused(self) -> None:
        self.outcome = "unused"

    def resync(self) -> None:
        self.outcome = "resync"


@attrs.define
class NonceBook:
    """The next nonce of one API key, fetched lazily and re-synced on demand."""

    fetch: FetchNonce
    _next: int | None = None
    _lock: anyio.Lock = attrs.field(factory=anyio.Lock)
    resyncs: int = 0

    @property
    def known_next(self) -> int | None:
        return self._next

    def invalidate(self) -> None:
        self._next = None

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[Result[NonceLease, VenueError]]:
        async with self._lock:
            if self._next is None:
                fetched = await self.fetch()
                if isinstance(fetched, Failure):
                    yield Failure(fetched.failure())
                    return
                self._next = fetched.unwrap()
                self.resyncs += 1
            lease = NonceLease(nonce=self._next)
            try:
                yield Success(lease)
            finally:
                if lease.outcome == "consumed":
                    self._next = lease.nonce + 1
                elif lease.outcome == "unused":
                    self._next = lease.nonce
                else:
                    self._next = None
