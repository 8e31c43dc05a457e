"""Layer 2: one venue, one symbol. What the design's usage example calls
``AtomicQueryer(client, symbol)`` and ``AtomicTrader(client, symbol)``.

They narrow a :class:`~atomic_fp.venue.VenueClient` to one symbol and keep its failures
as values: a symbol the venue does not list is :class:`~atomic_fp.errors.UnknownSymbol`,
never an empty answer; a flat position is ``Success(None)`` *because the venue said so*.

:func:`outcome` is the shell's one way out of ``FutureResult``: it awaits the future and
returns the plain ``Result`` the pure decisions take.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from returns.future import FutureResult
from returns.io import IOResult
from returns.result import Failure, Result, Success

from atomic_fp.errors import UnknownSymbol, VenueError
from atomic_fp.models import (
    Balance,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability, VenueClient

T = TypeVar("T")
E = TypeVar("E")

__all__ = ["AtomicQueryer", "AtomicTrader", "outcome", "to_result"]


def to_result(io_result: IOResult[T, E]) -> Result[T, E]:
    """The ``Result`` inside an ``IOResult`` (the unsafe step, done in one place)."""
    inner: Result[T, E] = io_result._inner_value
    return inner


async def outcome(future: FutureResult[T, E]) -> Result[T, E]:
    """Await a ``FutureResult`` and hand back its plain ``Result``."""
    io_result: IOResult[T, E] = await future
    return to_result(io_result)


class AtomicQueryer:
    """Read-only view of one symbol on one venue. Successful market lookups are cached
    (a venue's trading rules do not change within a run; call :meth:`forget_market` to
    refresh)."""

    def __init__(self, client: VenueClient, symbol: Symbol) -> None:
        self.client = client
        self.symbol = symbol
        self._market: Market | None = None

    def __repr__(self) -> str:
        return f"AtomicQueryer({self.exchange}, {self.symbol})"

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self.client.exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        return self.client.capabilities

    def _unknown(self, what: str) -> UnknownSymbol:
        return UnknownSymbol(str(self.exchange), f"{self.symbol} not in the venue's {what}")

    async def market(self) -> Result[Market, VenueError]:
        if self._market is not None:
            return Success(self._market)
        markets = await outcome(self.client.fetch_markets())
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        for market in markets.unwrap():
            if market.symbol == self.symbol:
                self._market = market
                return Success(market)
        return Failure(self._unknown("market list"))

    def forget_market(self) -> None:
        self._market = None

    async def funding_rate(self) -> Result[FundingRate, VenueError]:
        rates = await outcome(self.client.fetch_funding_rates([self.symbol]))
        if isinstance(rates, Failure):
            return Failure(rates.failure())
        for rate in rates.unwrap():
            if rate.symbol == self.symbol:
                return Success(rate)
        return Failure(self._unknown("funding rates"))

    async def order_book(self, depth: int = 20) -> Result[OrderBook, VenueError]:
        return await outcome(self.client.fetch_order_book(self.symbol, depth))

    async def position(self) -> Result[Position | None, VenueError]:
        """This symbol's position; ``Success(None)`` when the venue reports none."""
        positions = await outcome(self.client.fetch_positions())
        if isinstance(positions, Failure):
            return Failure(positions.failure())
        held = [p for p in positions.unwrap() if p.symbol == self.symbol and p.size != 0]
        return Success(held[0] if held else None)

    async def balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await outcome(self.client.fetch_balances())

    async def order(self, client_order_id: str) -> Result[Order, VenueError]:
        return await outcome(self.client.fetch_order(self.symbol, client_order_id))

    async def funding_history(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await outcome(self.client.fetch_funding_history(self.symbol, start, end))


class AtomicTrader:
    """Order entry for one symbol on one venue. It never retries: retry policy (with new,
    deterministic client ids) belongs to the orchestrator."""

    def __init__(self, client: VenueClient, symbol: Symbol) -> None:
        self.client = client
        self.symbol = symbol

    def __repr__(self) -> str:
        return f"AtomicTrader({self.exchange}, {self.symbol})"

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self.client.exchange

    def request(
        self,
        side: Side,
        size: Decimal,
        client_order_id: str,
        *,
        limit_price: Decimal | None,
        reduce_only: bool = False,
        time_in_force: TimeInForce = TimeInForce.IOC,
    ) -> OrderRequest:
        """An order for this venue and symbol: a limit order when a price is given
        (an IOC limit is a slippage-capped market order), else a market order."""
        return OrderRequest(
            exchange=self.exchange,
            symbol=self.symbol,
            side=side,
            size=size,
            client_order_id=client_order_id,
            order_type=OrderType.MARKET if limit_price is None else OrderType.LIMIT,
            limit_price=limit_price,
            time_in_force=time_in_force,
            reduce_only=reduce_only,
        )

    def place(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return self.client.place_order(request)

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await outcome(self.client.place_order(request))

    async def cancel_order(self, client_order_id: str) -> Result[Order, VenueError]:
        return await outcome(self.client.cancel_order(self.symbol, client_order_id))

    async def fetch_order(self, client_order_id: str) -> Result[Order, VenueError]:
        return await outcome(self.client.fetch_order(self.symbol, client_order_id))
