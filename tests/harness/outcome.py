"""Test helpers around a client call: its outcome as a plain ``Result``, and a fake clock."""

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


class FakeClock:
    """A monotonic clock and a ``sleep`` that only advances it: what a budget, a cache or
    a retry waited is read from ``slept``, never measured."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


__all__ = ["FakeClock", "run"]
