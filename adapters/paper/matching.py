"""The paper venue's order book and matching engine: the book (explicit, or synthetic around
the mark), validation by the market's rules, IOC / FOK / GTC / post-only and reduce-only
orders, duplicate client ids refused, taker fills against the book (consuming it when
``consume_liquidity`` is set), resting orders filled as maker when the book or mark moves,
cancels, and the order records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs
from returns.result import Failure, Result, Success

from adapters.paper.faults import OrderFault
from adapters.paper.funding import PaperFunding
from adapters.paper.grid import ceil_to_tick, floor_to_tick
from adapters.paper.records import PaperMarketState
from atomic_fp.errors import InvalidRequest, OrderNotFound, UnknownSymbol, VenueError, VenueRejected
from atomic_fp.models import (
    BookLevel,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.rounding import floor_to_step as floor_to


class PaperMatching(PaperFunding):
    """The book, the matching engine and the orders."""

    def _book(self, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return state.book
        tick = state.market.tick_size
        offset = state.mark_price * state.half_spread
        bid = floor_to_tick(state.mark_price - offset, tick)
        ask = ceil_to_tick(state.mark_price + offset, tick)
        if ask <= bid:
            ask = bid + tick
        bids = (BookLevel(bid, state.depth),) if bid > 0 else ()
        return OrderBook(
            exchange=self._exchange,
            symbol=symbol,
            bids=bids,
            asks=(BookLevel(ask, state.depth),),
            timestamp=self.now(),
        )

    def _book_now(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if symbol not in self._markets:
            return Failure(UnknownSymbol(str(self._exchange), f"{symbol} is not listed"))
        book = self._book(symbol)
        return Success(attrs.evolve(book, bids=book.bids[:depth], asks=book.asks[:depth]))

    def _reject(self, message: str, code: str = "rejected") -> Result[Order, VenueError]:
        return Failure(VenueRejected(str(self._exchange), message, code))

    def _validate(self, request: OrderRequest, state: PaperMarketState) -> str | None:
        market = state.market
        if request.size % market.lot_size != 0:
            return f"size {request.size} is not a multiple of the lot {market.lot_size}"
        if request.size < market.min_size:
            return f"size {request.size} is below the minimum {market.min_size}"
        if request.limit_price is not None and request.limit_price % market.tick_size != 0:
            return f"price {request.limit_price} is not a multiple of the tick {market.tick_size}"
        if not request.reduce_only and market.min_notional > 0:
            notional = request.size * (request.limit_price or state.mark_price)
            if notional < market.min_notional:
                return f"notional {notional} is below the minimum {market.min_notional}"
        return None

    def _accept(self, request: OrderRequest, fault: OrderFault) -> Result[Order, VenueError]:
        venue = str(self._exchange)
        state = self._markets.get(request.symbol)
        if state is None:
            return Failure(UnknownSymbol(venue, f"{request.symbol} is not listed"))
        if request.exchange != self._exchange:
            return Failure(InvalidRequest(venue, f"order addressed to {request.exchange}"))
        cid = request.client_order_id
        if cid in self._orders or cid in self._resting or cid in self._late:
            return self._reject(f"duplicate client order id {request.client_order_id}", "duplicate")
        if fault is OrderFault.REJECT or (request.reduce_only and self.faults.reject_reduce_only):
            return self._reject("injected rejection", "injected")
        problem = self._validate(request, state)
        if problem is not None:
            return self._reject(problem, "invalid")
        cap = request.size
        if request.reduce_only:
            position = self.position_size(request.symbol)
            if position == 0 or (position > 0) == (request.side is Side.BUY):
                return self._reject("reduce-only order would increase the position", "reduce")
            cap = min(cap, abs(position))
        if fault is OrderFault.PARTIAL_FILL:
            cap = min(
                cap, floor_to(request.size * self.faults.partial_fill_ratio, state.market.lot_size)
            )
        book = self._book(request.symbol)
        levels = book.asks if request.side is Side.BUY else book.bids
        crosses = self._crossing(levels, request)
        available = sum((size for _, size in crosses), Decimal(0))
        if request.time_in_force is TimeInForce.POST_ONLY:
            if crosses:
                return self._reject("post-only order would take liquidity", "post_only")
            return Success(self._rest(request, Decimal(0), None, Decimal(0)))
        if request.time_in_force is TimeInForce.FOK and min(available, cap) < request.size:
            return Success(self._record(request, OrderStatus.EXPIRED, Decimal(0), None, Decimal(0)))
        fill, cost = self._take(request.symbol, crosses, cap, request.side)
        average = cost / fill if fill > 0 else None
        fee = cost * self.fees.taker
        if fill > 0:
            self._apply_fill(request, fill, cost, -fee)
        if fill == request.size:
            status = OrderStatus.FILLED
        elif request.time_in_force is TimeInForce.GTC and request.order_type is OrderType.LIMIT:
            return Success(self._rest(request, fill, average, fee))
        else:
            status = OrderStatus.CANCELED if fill > 0 else OrderStatus.EXPIRED
        return Success(self._record(request, status, fill, average, fee))

    def _crossing(
        self, levels: Sequence[BookLevel], request: OrderRequest
    ) -> list[tuple[Decimal, Decimal]]:
        limit = request.limit_price if request.order_type is OrderType.LIMIT else None
        crosses = []
        for level in levels:
            if limit is not None and (
                (request.side is Side.BUY and level.price > limit)
                or (request.side is Side.SELL and level.price < limit)
            ):
                break
            crosses.append((level.price, level.size))
        return crosses

    def _take(
        self, symbol: Symbol, crosses: list[tuple[Decimal, Decimal]], cap: Decimal, side: Side
    ) -> tuple[Decimal, Decimal]:
        remaining = cap
        cost = Decimal(0)
        taken: list[tuple[Decimal, Decimal]] = []
        for price, size in crosses:
            if remaining <= 0:
                break
            take = min(size, remaining)
            cost += take * price
            remaining -= take
            taken.append((price, take))
        fill = cap - remaining
        if self.consume_liquidity and fill > 0:
            self._consume(symbol, side, taken)
        return fill, cost

    def _consume(self, symbol: Symbol, side: Side, taken: list[tuple[Decimal, Decimal]]) -> None:
        state = self._markets[symbol]
        book = self._book(symbol)
        used = dict(taken)
        levels = book.asks if side is Side.BUY else book.bids
        left = tuple(
            BookLevel(level.price, level.size - used.get(level.price, Decimal(0)))
            for level in levels
            if level.size - used.get(level.price, Decimal(0)) > 0
        )
        state.book = (
            attrs.evolve(book, asks=left) if side is Side.BUY else attrs.evolve(book, bids=left)
        )

    def _record(
        self,
        request: OrderRequest,
        status: OrderStatus,
        filled: Decimal,
        average: Decimal | None,
        fee: Decimal,
    ) -> Order:
        self._counter += 1
        order = self._new_order(
            request, status, filled, average, fee, f"{self._exchange}-{self._counter}", self.now()
        )
        self._remember(order)
        return order

    def _new_order(
        self,
        request: OrderRequest,
        status: OrderStatus,
        filled: Decimal,
        average: Decimal | None,
        fee: Decimal,
        venue_order_id: str,
        now: datetime,
    ) -> Order:
        """The order :meth:`_record` keeps (the backtest venue builds the same one from
        its slots: :mod:`adapters.paper.backtest_bookings`)."""
        return Order(
            exchange=self._exchange,
            symbol=request.symbol,
            client_order_id=request.client_order_id,
            side=request.side,
            size=request.size,
            status=status,
            filled_size=filled,
            average_price=average,
            venue_order_id=venue_order_id,
            reduce_only=request.reduce_only,
            fee=fee,
            updated_at=now,
        )

    def _remember(self, order: Order) -> None:
        self._orders[order.client_order_id] = order
        self._orders.move_to_end(order.client_order_id)
        if self._order_retention is not None:
            while len(self._orders) > self._order_retention:
                oldest, _ = self._orders.popitem(last=False)
                self._resting.pop(oldest, None)

    def _rest(
        self, request: OrderRequest, filled: Decimal, average: Decimal | None, fee: Decimal
    ) -> Order:
        status = OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
        order = self._record(request, status, filled, average, fee)
        self._resting[request.client_order_id] = request
        return order

    def _match_resting(self, symbol: Symbol) -> None:
        if not self._resting:  # nothing rests (a backtest's IOC orders): every mark move
            return
        for cid, request in list(self._resting.items()):
            if request.symbol != symbol:
                continue
            order = self._orders[cid]
            book = self._book(symbol)
            levels = book.asks if request.side is Side.BUY else book.bids
            crosses = self._crossing(levels, request)
            if not crosses:
                continue
            cap = order.remaining
            if request.reduce_only:
                cap = min(cap, abs(self.position_size(symbol)))
            fill, _ = self._take(symbol, crosses, cap, request.side)
            if fill <= 0:
                continue
            # A resting order fills at its own limit price, as maker.
            price = request.limit_price or crosses[0][0]
            cost = fill * price
            fee = cost * self.fees.maker
            self._apply_fill(request, fill, cost, -fee)
            filled = order.filled_size + fill
            prior_cost = (order.average_price or Decimal(0)) * order.filled_size
            status = OrderStatus.FILLED if filled == order.size else OrderStatus.PARTIALLY_FILLED
            self._remember(
                attrs.evolve(
                    order,
                    status=status,
                    filled_size=filled,
                    average_price=(prior_cost + cost) / filled,
                    fee=(order.fee or Decimal(0)) + fee,
                    updated_at=self.now(),
                )
            )
            if status is OrderStatus.FILLED:
                del self._resting[cid]

    def _cancel_now(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        order = self._orders.get(client_order_id)
        if order is None:
            return Failure(
                OrderNotFound(str(self._exchange), f"no order with client id {client_order_id}")
            )
        if order.status.is_terminal:
            return self._reject(f"order {client_order_id} is already {order.status.value}", "final")
        self._resting.pop(client_order_id, None)
        canceled = attrs.evolve(order, status=OrderStatus.CANCELED, updated_at=self.now())
        self._remember(canceled)
        return Success(canceled)

    def _order_now(self, client_order_id: str) -> Result[Order, VenueError]:
        order = self._orders.get(client_order_id)
        if order is None:
            return Failure(
                OrderNotFound(str(self._exchange), f"no order with client id {client_order_id}")
            )
        return Success(order)


__all__ = ["PaperMatching"]
