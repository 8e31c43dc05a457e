"""A settable clock for drivers (tests, the backtester): no wall-clock reads at all. Pure
(it only holds the time it was given), so the backtest engine and the paper venue share it."""

from __future__ import annotations

from datetime import datetime, timedelta

from atomic_fp.models._validators import to_utc


class ManualClock:
    """Callable returning the time it was last set to; share one among paper venues."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")
        self._now = to_utc(start)

    def __call__(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")
        self._now = to_utc(now)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


__all__ = ["ManualClock"]
