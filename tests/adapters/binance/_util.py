"""Awaiting a client call as a plain ``Result``."""

from __future__ import annotations

from typing import Any, TypeVar

from returns.future import FutureResult
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from atomic_fp.errors import VenueError

T = TypeVar("T")


async def run(call: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    """The call's outcome (``FutureResult`` awaits to an ``IOResult``)."""
    outcome: Any = await call
    result: Result[T, VenueError] = unsafe_perform_io(outcome)
    return result
