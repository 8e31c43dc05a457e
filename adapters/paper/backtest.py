"""The paper venue as the backtest's simulated venue (injected into
:func:`atomic_fp.backtest.engine.run_backtest` by the shell)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from adapters.paper.venue import PaperVenue
from atomic_fp.models import VenueFees


def backtest_venue(
    name: str, *, fees: VenueFees, balance: Decimal, clock: Callable[[], datetime]
) -> PaperVenue:
    """A :class:`~atomic_fp.backtest.venue.SimulatedVenueFactory`: a paper venue with no
    markets yet, no automatic funding (the engine settles at each venue's real settlement
    times) and no ledger history kept (the engine records its own)."""
    return PaperVenue(
        name,
        (),
        fees=fees,
        balances={"USD": balance},
        clock=clock,
        auto_funding=False,
        ledger_retention=0,
    )


__all__ = ["backtest_venue"]
