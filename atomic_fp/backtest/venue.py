"""What the backtest needs of a simulated venue, given to it by injection.

The engine (:func:`atomic_fp.backtest.engine.run_backtest`) imports no adapter: the caller
passes a :class:`SimulatedVenueFactory` (the shell passes
:func:`adapters.paper.backtest.backtest_venue`, the same paper venue live paper trading
uses, so a backtest and a paper run can only differ by the data). A simulated venue is a
:class:`~atomic_fp.venue.VenueClient` (the decisions read it through the same calls as a
live venue) plus the controls a replay drives: list a market, move its mark, set and settle
its funding rate.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol, runtime_checkable

from returns.result import Result

from atomic_fp.errors import VenueError
from atomic_fp.models import (
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
    VenueFees,
)
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import VenueClient


class SimulatedMarket(Protocol):
    """One listed market's simulated state."""

    @property
    def market(self) -> Market: ...

    @property
    def mark_price(self) -> Decimal: ...


class SimulatedLiquidation(Protocol):
    """A position the venue liquidated (its margin model: ``adapters/paper/margin.py``)."""

    @property
    def position(self) -> Position: ...

    @property
    def price(self) -> Decimal: ...

    @property
    def fee(self) -> Decimal: ...

    @property
    def equity(self) -> Decimal: ...

    @property
    def maintenance_margin(self) -> Decimal: ...


class SimulatedVenue(VenueClient, Protocol):
    @property
    def liquidations(self) -> Sequence[SimulatedLiquidation]:
        """Every liquidation so far, oldest first (the engine books the new ones)."""
        ...

    def list_market(
        self,
        market: Market,
        *,
        mark_price: Decimal,
        funding_rate: Decimal,
        half_spread: Decimal,
        depth: Decimal,
    ) -> None:
        """List ``market`` with a synthetic book of ``depth`` a side at
        ``mark * (1 +- half_spread)``."""
        ...

    def market_state(self, symbol: Symbol) -> SimulatedMarket: ...

    def set_mark_price(self, symbol: Symbol, price: Decimal) -> None:
        """The mark now. A venue's mark moves only through this and :meth:`list_market`:
        the engine keeps the last mark it gave each venue (``SeriesState.venue_mark``)
        instead of reading it back, and its entry-gap screen reads :meth:`book`, which
        must depend only on that mark and the listing's half spread, depth and tick
        (``tests/backtest/test_engine_loop_is_6ec6cd0.py`` checks the first at every use)."""
        ...

    def set_funding_rate(
        self, symbol: Symbol, rate: Decimal, interval: timedelta | None = None
    ) -> None:
        """The rate now accruing. The engine sends a new interval at once, but a new rate
        at an unchanged interval only before the rate is next read (through
        ``fetch_funding_rates`` or ``funding_rates_now``, the only readers of it in a
        backtest): a venue must not read its own rate anywhere else, e.g. to settle
        (the engine passes the settled rate to :meth:`settle_funding`)."""
        ...

    def settle_funding(
        self, symbol: Symbol, at: datetime, rate: Decimal | None = None
    ) -> FundingPayment | None: ...

    def book(self, symbol: Symbol) -> OrderBook: ...

    def balance(self, asset: str = "USD") -> Decimal: ...

    def margin(self, asset: str | None = None) -> AccountMargin:
        """The cross-margin account of ``asset`` (the opening check reads it)."""
        ...


@runtime_checkable
class DirectVenue(Protocol):
    """Optional synchronous calls of a simulated venue (``BacktestPaperVenue`` has them).
    Each answers exactly what its async ``VenueClient`` call answers on a venue without
    faults or latency; the engine uses them when present (checked once per venue) and
    the async calls otherwise, with identical results (``tests/backtest/
    test_fast_path_equivalence.py``)."""

    def funding_rates_now(
        self, symbols: Collection[Symbol] | None = None
    ) -> Result[tuple[FundingRate, ...], VenueError]: ...

    def positions_now(self) -> Result[tuple[Position, ...], VenueError]: ...

    def position_now(self, symbol: Symbol) -> Result[Position | None, VenueError]:
        """``symbol``'s position among what :meth:`positions_now` answers (``None``:
        flat)."""
        ...

    def place_now(self, request: OrderRequest) -> Result[Order, VenueError]: ...


@runtime_checkable
class LiquidationFloor(Protocol):
    """Optional: a lower bound on the liquidation distance of every position the venue
    reports in ``asset`` now (``None``: no bound), cheaper than reading the positions.
    The engine certifies a held symbol's cycle with it (:mod:`atomic_fp.backtest.
    run_quiet`); a venue without it has every held cycle decided in full."""

    def liquidation_floor(self, asset: str) -> Decimal | None: ...


class SimulatedVenueFactory(Protocol):
    """Builds one venue of a run: ``name``, its ``fees``, a starting USD ``balance``, and
    the run's ``clock`` (the only "now" it may read); funding is settled by the engine."""

    def __call__(
        self,
        name: str,
        *,
        fees: VenueFees,
        balance: Decimal,
        clock: Callable[[], datetime],
    ) -> SimulatedVenue: ...


__all__ = [
    "DirectVenue",
    "LiquidationFloor",
    "SimulatedLiquidation",
    "SimulatedMarket",
    "SimulatedVenue",
    "SimulatedVenueFactory",
]
