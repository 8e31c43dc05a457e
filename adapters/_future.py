"""Turning adapter coroutines into ``FutureResult`` values that cannot raise."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result

from atomic_fp.errors import MalformedResponse, NotSupported, VenueError

T = TypeVar("T")


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
