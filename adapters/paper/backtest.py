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

from collections.abc import Callable, Collection, Hashable
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Result

from adapters.paper.faults import OrderFault, PaperFaults
from adapters.paper.venue import PaperVenue
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    FundingRate,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
    VenueFees,
)
from atomic_fp.models.margin import AccountMargin


class BacktestPaperVenue(PaperVenue):
    """A paper venue with synchronous reads and order placement for in-process drivers.

    Two memos, each keyed by everything its answer is computed from (so a stale answer
    is impossible, not merely unlikely; ``tests/backtest/test_fast_path_equivalence.py``
    compares every booking with the plain paper venue's):

    - :meth:`margin` (and the positions read from it): a decision reads each venue's
      positions and then its margin at the same instant, and building the account's
      models (a ``Position`` and a liquidation estimate per held leg) twice was a large
      share of a backtest's run;
    - the synthetic book's levels per symbol, by mark, spread, tick and depth (rounding
      both sides to the tick for every read was); the book is re-stamped with the
      current time, which the decisions judge staleness by.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._margin_memo: dict[str, tuple[tuple[Any, ...], AccountMargin]] = {}
        self._levels_memo: dict[Symbol, tuple[tuple[Hashable, ...], OrderBook]] = {}

    def _margin_key(self, asset: str) -> tuple[Any, ...]:
        """Everything :meth:`PaperVenue.margin` reads for ``asset``: the clock, the
        wallet, leverage and margin rules, the markets listed, and per open position its
        size, entry, market and mark."""
        held: list[Any] = []
        markets = self._markets
        for symbol, pos in self._positions.items():
            if pos.size == 0:
                continue
            state = markets[symbol]
            held.append((symbol, pos.size, pos.entry_price, state.market, state.mark_price))
        return (
            self.now(),
            self._balances.get(asset),
            self.leverage,
            self.margin_rules,
            tuple(markets),
            tuple(state.market.settle_asset for state in markets.values()),
            tuple(held),
        )

    def margin(self, asset: str | None = None) -> AccountMargin:
        if asset is None:
            return super().margin(asset)
        memo = self._margin_memo
        key = self._margin_key(asset)
        cached = memo.get(asset)
        if cached is not None and cached[0] == key:
            return cached[1]
        computed = super().margin(asset)
        memo[asset] = (key, computed)
        return computed

    def _book(self, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return state.book
        memo = self._levels_memo
        key = (state.mark_price, state.half_spread, state.market.tick_size, state.depth)
        cached = memo.get(symbol)
        if cached is None or cached[0] != key:
            book = super()._book(symbol)
            memo[symbol] = (key, book)
            return book
        book = cached[1]
        now = self.now()
        if book.timestamp == now:
            return book
        book = OrderBook(
            exchange=book.exchange, symbol=symbol, bids=book.bids, asks=book.asks, timestamp=now
        )
        memo[symbol] = (key, book)
        return book

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
