"""Turning adapter coroutines into ``FutureResult`` values that cannot raise."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar, cast

from returns.future import FutureResult
from returns.result import Failure, Result

from atomic_fp import concurrency
from atomic_fp.errors import MalformedResponse, NotSupported, VenueError

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


async def _guard(venue: str, work: Awaitable[Result[T, VenueError]]) -> Result[T, VenueError]:
    try:
        return await work
    except Exception as error:
        return Failure(
            MalformedResponse(venue, f"internal error: {type(error).__name__}: {error}"[:300])
        )


def guarded(venue: str, work: Awaitable[Result[T, VenueError]]) -> FutureResult[T, VenueError]:
    """Wrap an adapter coroutine; any stray exception becomes a typed failure.

    Cancellation (``BaseException``) still propagates, as structured concurrency needs.
    """
    return FutureResult(_guard(venue, work))


async def _fail(error: VenueError) -> Result[T, VenueError]:
    return Failure(error)


def failed(error: VenueError) -> FutureResult[T, VenueError]:
    return FutureResult(_fail(error))


def not_supported(venue: str, what: str) -> FutureResult[T, VenueError]:
    return failed(NotSupported(venue, f"{what} is not supported by this venue client"))


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await two independent calls at the same time; their outcomes, in argument order.

    For requests whose answers are joined afterwards (a market list and the rates that
    need it): the caller waits one round trip, not two. Both run to completion (adapter
    calls return failures as values, so neither cuts the other short); an exception in
    one cancels the other and propagates, and :func:`guarded` turns it into a value.
    """
    outcomes: list[Any] = [None, None]

    async def run(index: int, work: Awaitable[Any]) -> None:
        outcomes[index] = await work

    async with concurrency.task_group() as group:
        group.start_soon(run, 0, first)
        group.start_soon(run, 1, second)
    return cast(A, outcomes[0]), cast(B, outcomes[1])
