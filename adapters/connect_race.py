"""A connect of our own raced against a pre-made connection still being made
(:mod:`adapters.preconnect`, issue 20).

When a client claims a pre-made connection whose thread has not finished (the server is
slow, or one of its addresses drops packets), waiting for it could take longer than the
connect the client makes today, or fail where that connect would succeed. So
:func:`first_of` starts that very connect (same arguments, same timeouts) alongside the
wait for the thread: the pre-made connection is used only if it is ready and usable
before the connect finishes; otherwise the connect's result, or its error, is the answer
exactly as without pre-connecting. The loser is closed.

The connect starts at once when the thread has not even finished its TCP connect, else
after :meth:`adapters.prepared_connection.PreparedConnection.hedge_delay` (the round
trips left by the thread's own measure, plus one, and at least half a second): a
pre-connect merely mid-handshake is ahead of any new connect, and starting one anyway
would open a second connection per venue on every cold scan at real round-trip times
(``tests/bench/test_scan_round_trips.py``: every connection opened before any answer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.normal: list[T] = []
        self.prepared: list[T] = []
        self.error: Exception | None = None


async def first_of(
    normal: Callable[[], Awaitable[T]],
    prepared: Callable[[], Awaitable[T | None]],
    close: Callable[[T], Awaitable[None]],
    delay: Callable[[], float] | None = None,
) -> T:
    """``prepared()``'s value if it is not ``None`` and comes before ``normal()`` ends;
    else ``normal()``'s value or exception (an error of ``prepared`` counts as ``None``).
    ``normal()`` starts once ``delay()`` (asked again each time it has passed) says zero,
    or at once if ``prepared`` gives ``None`` meanwhile. The one not used is cancelled, or
    closed with ``close`` if both finished."""
    outcome: _Outcome[T] = _Outcome()
    prepared_failed = anyio.Event()
    try:
        async with anyio.create_task_group() as group:

            async def run_normal() -> None:
                wait = 0.0 if delay is None else delay()
                while wait > 0 and not prepared_failed.is_set():
                    with anyio.move_on_after(wait):
                        await prepared_failed.wait()
                    wait = 0.0 if delay is None else delay()
                try:
                    outcome.normal.append(await normal())
                except Exception as error:  # re-raised below, as it was raised
                    outcome.error = error
                group.cancel_scope.cancel()

            async def run_prepared() -> None:
                try:
                    got = await prepared()
                except Exception:
                    got = None  # the connect carries on, and decides
                if got is None:
                    prepared_failed.set()
                else:
                    outcome.prepared.append(got)
                    group.cancel_scope.cancel()

            group.start_soon(run_normal)
            group.start_soon(run_prepared)
    except BaseException:  # cancelled from outside: close anything made meanwhile
        with anyio.CancelScope(shield=True):
            for made in (*outcome.normal, *outcome.prepared):
                await close(made)
        raise
    if outcome.prepared:
        if outcome.normal:  # both made it in the same turn: keep the pre-made one
            with anyio.CancelScope(shield=True):
                await close(outcome.normal[0])
        return outcome.prepared[0]
    if outcome.error is not None:
        raise outcome.error
    return outcome.normal[0]


__all__ = ["first_of"]
