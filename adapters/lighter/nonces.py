"""Per-API-key nonces for Lighter transactions.

Lighter wants each API key's transactions numbered strictly +1 from the value
``GET /api/v1/nextNonce?account_index=&api_key_index=`` returns (L-DOCS trading). An
API-level rejection (HTTP 400 answer) does not consume the nonce; a sequencer rejection
does (L-DOCS). After an "invalid nonce" answer, or an answer we could not read
(ambiguous: it may or may not have been consumed), the next use re-syncs from
``nextNonce``, as lighter-sdk's ``nonce_manager.py`` does (``hard_refresh_nonce``); a
nonce that certainly never reached Lighter is handed out again, as the SDK's
``acknowledge_failure`` does (it steps the key's counter back by one).

:class:`NonceBook` hands out one nonce at a time: the holder keeps the book until it
reports what happened, so transactions of one key reach Lighter in nonce order and
"hand it out again" is always exact (no later nonce was handed out meanwhile). Two ways
to hold it:

- :meth:`NonceBook.lease` (``async with``): sign and send inside the block (cancels).
- :meth:`NonceBook.reserve` (issue 20, leg skew): a *prepared* order holds its nonce from
  signing until it is sent, possibly from another task, and reports with
  :meth:`NonceLease.settle`; an order abandoned before sending gives the nonce back with
  :meth:`NonceLease.release`. A reservation nobody settles (a bug, a cancelled task) is
  not allowed to block the key forever: after ``hold_seconds`` the next caller expires
  it (its order is then refused, never sent) and re-syncs from ``nextNonce``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import VenueError

FetchNonce = Callable[[], Awaitable[Result[int, VenueError]]]
HOLD_SECONDS = 60.0
"""How long a prepared order may hold its key's nonce unsent before another transaction
may expire it: far beyond a round's preparation and send (seconds), short enough that a
leaked reservation does not stop trading on the key for long."""


@attrs.define(eq=False)
class NonceLease:
    """One nonce, held until :meth:`settle` (or the end of a :meth:`NonceBook.lease`).

    The holder reports what happened: :meth:`consumed` (the venue took it),
    :meth:`unused` (refused before sequencing, or never sent: hand it out again) or
    :meth:`resync` (unknown or invalid: ask ``nextNonce`` next time). Not reporting means
    resync.
    """

    nonce: int
    outcome: str = "resync"
    held_until: float = float("inf")
    """The book's monotonic time after which an unsent reservation may be expired."""
    sending: bool = False
    """Set by the holder once the transaction is on its way: it is then never expired."""
    settled: bool = False
    expired: bool = False
    """Expired by the book (held too long unsent): its transaction must never be sent."""
    _book: NonceBook | None = attrs.field(default=None, repr=False)

    def consumed(self) -> None:
        self.outcome = "consumed"

    def unused(self) -> None:
        self.outcome = "unused"

    def resync(self) -> None:
        self.outcome = "resync"

    def settle(self) -> None:
        """Apply the reported outcome and free the book (idempotent)."""
        if self._book is not None:
            self._book.settle(self)

    def release(self) -> None:
        """The transaction signed with this nonce will not be sent: give the nonce back
        (a no-op once settled, e.g. after it was sent)."""
        if not self.settled:
            self.unused()
            self.settle()


@attrs.define
class NonceBook:
    """The next nonce of one API key, fetched lazily and re-synced on demand."""

    fetch: FetchNonce
    _next: int | None = None
    resyncs: int = 0
    hold_seconds: float = HOLD_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    _holder: NonceLease | None = attrs.field(default=None, repr=False)
    _freed: anyio.Event | None = attrs.field(default=None, repr=False)

    @property
    def known_next(self) -> int | None:
        return self._next

    @property
    def holder(self) -> NonceLease | None:
        """The lease holding the book now (``None``: free)."""
        return self._holder

    def invalidate(self) -> None:
        self._next = None

    async def _wait_free(self) -> None:
        while self._holder is not None:
            holder = self._holder
            if not holder.sending and self.monotonic() >= holder.held_until:
                # Held unsent past its time: its order may never be sent now (refused
                # at send), and whether anything used the nonce is unknown: re-sync.
                holder.expired = True
                holder.resync()
                self.settle(holder)
                return
            if self._freed is None:
                self._freed = anyio.Event()
            freed = self._freed
            wait = None if holder.sending else max(0.0, holder.held_until - self.monotonic())
            with anyio.move_on_after(wait):
                await freed.wait()

    async def reserve(self) -> Result[NonceLease, VenueError]:
        """Hold the next nonce until :meth:`NonceLease.settle` (from any task)."""
        await self._wait_free()
        lease = NonceLease(nonce=-1, held_until=self.monotonic() + self.hold_seconds, book=self)
        self._holder = lease
        try:
            if self._next is None:
                fetched = await self.fetch()
                if isinstance(fetched, Failure):
                    lease.settled = True
                    self._free()
                    return Failure(fetched.failure())
                self._next = fetched.unwrap()
                self.resyncs += 1
        except BaseException:
            lease.settled = True
            self._free()
            raise
        lease.nonce = self._next
        return Success(lease)

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[Result[NonceLease, VenueError]]:
        """Hold the next nonce for the block (sign and send inside it)."""
        reserved = await self.reserve()
        if isinstance(reserved, Failure):
            yield reserved
            return
        held = reserved.unwrap()
        held.sending = True
        try:
            yield Success(held)
        finally:
            self.settle(held)

    def settle(self, lease: NonceLease) -> None:
        """Apply ``lease``'s outcome and free the book for the next holder."""
        if lease.settled:
            return
        lease.settled = True
        if lease.outcome == "consumed":
            self._next = lease.nonce + 1
        elif lease.outcome == "unused":
            self._next = lease.nonce
        else:
            self._next = None
        if self._holder is lease:
            self._free()

    def _free(self) -> None:
        self._holder = None
        if self._freed is not None:
            self._freed.set()
            self._freed = None
