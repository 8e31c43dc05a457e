"""The paper venue as the backtest's simulated venue (injected into
:func:`atomic_fp.backtest.engine.run_backtest` by the shell).

:class:`BacktestPaperVenue` is the same :class:`PaperVenue` (same books, fills, fees,
funding, margin and liquidations) plus three synchronous calls, the
:class:`atomic_fp.backtest.venue.DirectVenue` protocol: the engine calls the venue
in-process tens of thousands of times per simulated year, and going through the
``FutureResult`` of each async call (coroutine, call log, fault checks, result wrapping)
cost about a fifth of a run. They answer what the async calls answer on a venue with no
faults and no latency, which is how a backtest venue is built; with a fault set they
refuse (a drill must use the async calls, which model the fault).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal

from returns.result import Result

from adapters.paper.faults import OrderFault, PaperFaults
from adapters.paper.venue import PaperVenue
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Order, OrderRequest, Position, Symbol, VenueFees


class BacktestPaperVenue(PaperVenue):
    """A paper venue with synchronous reads and order placement for in-process drivers."""

    def _require_faultless(self, call: str) -> None:
        faults = self.faults
        if faults.down or faults.latency or faults.response_latency or faults.order_latency:
            raise RuntimeError(f"{call}: the direct calls model no faults or latency")
        if faults.read_failure_probability:
            raise RuntimeError(f"{call}: the direct calls model no faults or latency")

    def funding_rates_now(
        self, symbols: Collection[Symbol] | None = None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """What ``fetch_funding_rates(symbols)`` answers."""
        self._require_faultless("funding_rates_now")
        self._tick()
        return self._rates_now(symbols)

    def positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        """What ``fetch_positions()`` answers (with liquidation prices)."""
        self._require_faultless("positions_now")
        self._tick()
        return self._positions_now()

    def place_now(self, request: OrderRequest) -> Result[Order, VenueError]:
        """What ``place_order(request)`` answers, for an order without ``expires_at``."""
        self._require_faultless("place_now")
        if self.faults != PaperFaults(rng=self.faults.rng) or request.expires_at is not None:
            raise RuntimeError("place_now: order faults and deadlines need place_order")
        self._tick()
        result = self._accept(request, OrderFault.NONE)
        self._save()
        return result


def backtest_venue(
    name: str, *, fees: VenueFees, balance: Decimal, clock: Callable[[], datetime]
) -> BacktestPaperVenue:
    """A :class:`~atomic_fp.backtest.venue.SimulatedVenueFactory`: a paper venue with no
    markets yet, no automatic funding (the engine settles at each venue's real settlement
    times) and no ledger history kept (the engine records its own)."""
    return BacktestPaperVenue(
        name,
        (),
        fees=fees,
        balances={"USD": balance},
        clock=clock,
        auto_funding=False,
        ledger_retention=0,
    )


__all__ = ["BacktestPaperVenue", "backtest_venue"]
