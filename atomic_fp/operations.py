"""Layer 2: one venue, one symbol. What the design's usage example calls
``AtomicQueryer(client, symbol)`` and ``AtomicTrader(client, symbol)``.

They narrow a :class:`~atomic_fp.venue.VenueClient` to one symbol and keep its failures
as values: a symbol the venue does not list is :class:`~atomic_fp.errors.UnknownSymbol`,
never an empty answer; a flat position is ``Success(None)`` *because the venue said so*.

Method names are the seed design's (``get_position``, ``get_funding_rate``, ``get_market``,
``execute_trade(side, qty)``), one name per action; they return ``returns`` containers where
the seed returned ``None`` or a default (its documented deviation). The symbol matches a
venue's market by asset and contract type, whatever its stablecoin quote, unless the symbol
asks for ``strict_quote``; :meth:`AtomicQueryer.quote_used` says which quote the venue uses.

:func:`outcome` is the shell's one way out of ``FutureResult``: it awaits the future and
returns the plain ``Result`` the pure decisions take.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from returns.future import FutureResult
from returns.io import IOResult, IOSuccess
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

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
from atomic_fp.models._validators import Number, exact_decimal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import Capability, PreparedOrder, PreparesOrders, VenueClient

T = TypeVar("T")
E = TypeVar("E")

__all__ = ["AtomicQueryer", "AtomicTrader", "outcome", "to_result"]


def to_result(io_result: IOResult[T, E]) -> Result[T, E]:
    """The ``Result`` inside an ``IOResult`` (the unsafe step, done in one place, through
    the library's public ``unsafe_perform_io``)."""
    if isinstance(io_result, IOSuccess):
        return Success(unsafe_perform_io(io_result.unwrap()))
    return Failure(unsafe_perform_io(io_result.failure()))


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

    async def get_market(self) -> Result[Market, VenueError]:
        """The venue's market for the symbol (asset + contract type; with ``strict_quote``
        only one settling in the symbol's quote)."""
        if self._market is not None:
            return Success(self._market)
        markets = await outcome(self.client.fetch_markets())
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        listed = [m for m in markets.unwrap() if m.symbol == self.symbol]
        for market in listed:
            if self.symbol.accepts_settlement(market.settle_asset):
                self._market = market
                return Success(market)
        if listed:
            quotes = ", ".join(sorted({m.settle_asset for m in listed}))
            return Failure(
                UnknownSymbol(
                    str(self.exchange),
                    f"{self.symbol} with strict quote {self.symbol.quote}: the venue's "
                    f"{self.symbol.base} perpetual settles in {quotes}",
                )
            )
        return Failure(self._unknown("market list"))

    async def quote_used(self) -> Result[str, VenueError]:
        """The quote (settlement asset) this venue actually trades the symbol in."""
        return (await self.get_market()).map(lambda market: market.settle_asset)

    def forget_market(self) -> None:
        self._market = None

    async def _wrong_quote(self) -> VenueError | None:
        """With ``strict_quote``, why this venue's market does not qualify (read once, then
        cached); ``None`` when it does, or when the symbol is not strict (no extra call)."""
        if not self.symbol.strict_quote:
            return None
        market = await self.get_market()
        return market.failure() if isinstance(market, Failure) else None

    async def get_funding_rate(self) -> Result[FundingRate, VenueError]:
        if (wrong := await self._wrong_quote()) is not None:
            return Failure(wrong)
        rates = await outcome(self.client.fetch_funding_rates([self.symbol]))
        if isinstance(rates, Failure):
            return Failure(rates.failure())
        for rate in rates.unwrap():
            if rate.symbol == self.symbol:
                return Success(rate)
        return Failure(self._unknown("funding rates"))

    async def get_order_book(self, depth: int = 20) -> Result[OrderBook, VenueError]:
        if (wrong := await self._wrong_quote()) is not None:
            return Failure(wrong)
        return await outcome(self.client.fetch_order_book(self.symbol, depth))

    async def get_position(self) -> Result[Position | None, VenueError]:
        """This symbol's position; ``Success(None)`` when the venue reports none."""
        if (wrong := await self._wrong_quote()) is not None:
            return Failure(wrong)
        positions = await outcome(self.client.fetch_positions())
        if isinstance(positions, Failure):
            return Failure(positions.failure())
        held = [p for p in positions.unwrap() if p.symbol == self.symbol and p.size != 0]
        return Success(held[0] if held else None)

    async def get_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await outcome(self.client.fetch_balances())

    async def get_funding_history(
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

    async def execute_trade(
        self,
        side: Side | str,
        qty: Number,
        *,
        limit_price: Number | None = None,
        reduce_only: bool = False,
        client_order_id: str | None = None,
    ) -> Result[Order, VenueError]:
        """The seed's one-call trade: ``execute_trade(side="buy", qty=0.1)`` sends an IOC
        order of ``qty`` venue units (a market order, or a limit at ``limit_price``), sent
        once (never retried). ``qty`` converts exactly (``0.1`` is ``Decimal("0.1")``).
        Without ``client_order_id`` a fresh random one is used, in the shape every
        adapter accepts (``afp`` + 20 hex digits).
        """
        cid = client_order_id if client_order_id is not None else f"afp{secrets.token_hex(10)}"
        return await self.place_order(
            self.request(
                Side.parse(side),
                exact_decimal(qty, "qty"),
                cid,
                limit_price=None
                if limit_price is None
                else exact_decimal(limit_price, "limit_price"),
                reduce_only=reduce_only,
            )
        )

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await outcome(self.client.place_order(request))

    async def prepare_order(
        self, request: OrderRequest
    ) -> Result[PreparedOrder | None, VenueError]:
        """``request`` signed and encoded, nothing sent (:class:`PreparesOrders`), or
        ``None`` when the client has no two-step path (then use :meth:`place_order`)."""
        if not isinstance(self.client, PreparesOrders):
            return Success(None)
        prepared = await outcome(self.client.prepare_order(request))
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return Success(prepared.unwrap())

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        """Send an order :meth:`prepare_order` prepared (its client has the two-step path)."""
        if not isinstance(self.client, PreparesOrders):
            return await self.place_order(prepared.request)
        return await outcome(self.client.send_prepared(prepared))

    async def cancel_order(self, client_order_id: str) -> Result[Order, VenueError]:
        return await outcome(self.client.cancel_order(self.symbol, client_order_id))

    async def fetch_order(self, client_order_id: str) -> Result[Order, VenueError]:
        return await outcome(self.client.fetch_order(self.symbol, client_order_id))
