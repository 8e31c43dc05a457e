"""The settable clock of tests and the backtester.

The pure clock lives in :mod:`atomic_fp.clock` (the backtest engine, which imports no
adapter, uses it too); this one adds a fake ``anyio.sleep`` for drivers that give execution
a sleep (``ExecutionPolicy(sleep=clock.sleep)``), so the validity-window watch advances
simulated time instead of waiting.
"""

from __future__ import annotations

from datetime import timedelta

import anyio.lowlevel

from atomic_fp.clock import ManualClock as PureManualClock


class ManualClock(PureManualClock):
    """A :class:`atomic_fp.clock.ManualClock` whose ``sleep`` advances it and yields once."""

    async def sleep(self, seconds: float) -> None:
        """A fake ``anyio.sleep``: advances this clock, yields once, never waits."""
        self.advance(timedelta(seconds=seconds))
        await anyio.lowlevel.checkpoint()


__all__ = ["ManualClock"]
