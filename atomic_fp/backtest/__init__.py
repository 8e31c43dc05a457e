"""Backtesting on historical funding, through the same decisions and paper venue that
live and paper trading use (see :mod:`atomic_fp.backtest.engine`)."""
