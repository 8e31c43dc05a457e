"""The settable clock of tests and the backtester (defined in :mod:`atomic_fp.clock`, where
the backtest engine, which imports no adapter, uses it too)."""

from atomic_fp.clock import ManualClock

__all__ = ["ManualClock"]
