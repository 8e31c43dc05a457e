"""The order flow of a signed-REST venue: place, then look the order up by client id.

Venues that acknowledge a new order with its ids only (Bybit ``/v5/order/create``, OKX
``/api/v5/trade/order``: ``sCode`` 0 and an ``ordId``) share one flow, written once here:

1. **prepare**: the order is checked (this venue, a known market, the venue's rules for
   size and client id: the venue's ``_order_body``) and its create request *signed*, with
   the validity window ending at ``expires_at``; nothing is sent (issue 20: both legs of a
   hedge are signed before either is sent);
2. **send**: the prepared request goes out once (writes are never retried). A failure is
   the transport's typed error: :class:`Ambiguous` when the venue may have acted (timeout,
   5xx, an unreadable 2xx, a "busy" code), then the caller looks the order up by client
   id; an answer whose acknowledgement cannot be read is :class:`Ambiguous` too;
3. **settle**: the order is read back by client id for its state (an IOC order is final by
   then). When that read fails the order is ``PENDING`` with the venue's order id: the
   venue took it, so it is neither unsent nor ambiguous.

Cancel sends the cancel by client id and reads the order back; the venue's "already
final / no such order" codes (``CANCEL_FINAL_CODES``) go straight to the read, which gives
the order in its final state or :class:`OrderNotFound`.

A venue's ``execution.py`` subclasses :class:`OrderFlow` with its paths, its client-id
rule, and four venue-specific pieces: ``_order_body``, ``_cancel_body``, ``_ack`` (the
venue order id out of the acknowledgement) and ``_lookup`` (the order by client id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import attrs
from returns.result import Failure, Result, Success

from adapters.kit.rest import SignedCall, SignedRest
from atomic_fp.errors import Ambiguous, InvalidRequest, MalformedResponse, VenueError
from atomic_fp.models import Order, OrderRequest, OrderStatus, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import PreparedOrder

M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)


class MarketSource(Protocol[M_co]):
    """Where the flow finds a symbol's venue market (lot, tick, venue symbol)."""

    async def market(self, symbol: Symbol) -> Result[M_co, VenueError]: ...


async def market_for_order(
    exchange: ExchangeIdentifier, request: OrderRequest, data: MarketSource[M]
) -> Result[M, VenueError]:
    """The market ``request`` is sized and priced on; nothing is sent either way. An order
    for another venue is refused, and a market that cannot be read says the order was not
    sent (the one preflight of every venue's order path)."""
    venue = str(exchange)
    if request.exchange != exchange:
        return Failure(
            InvalidRequest(venue, f"order is for venue {request.exchange}, not this one")
        )
    market = await data.market(request.symbol)
    if isinstance(market, Failure):
        error = market.failure()
        return Failure(attrs.evolve(error, message=f"order not sent: {error.message}"))
    return market


@attrs.frozen
class PreparedCreate(Generic[M]):
    """A prepared order's payload: the signed create call and the market it was sized on."""

    call: SignedCall
    market: M


class OrderFlow(Generic[M]):
    """Place / prepare / send / cancel / look up for one venue (see the module docstring)."""

    CREATE_PATH: ClassVar[str]
    CANCEL_PATH: ClassVar[str]
    CANCEL_FINAL_CODES: ClassVar[frozenset[str]]
    """A cancel refused with one of these (already final, no such order): read it back."""
    CLIENT_ID: ClassVar[re.Pattern[str]]
    CLIENT_ID_RULE: ClassVar[str]
    """What :class:`InvalidRequest` says about a client id ``CLIENT_ID`` refuses."""

    def __init__(
        self, exchange: ExchangeIdentifier, http: SignedRest[Any], data: MarketSource[M]
    ) -> None:
        self._exchange = exchange
        self._venue = str(exchange)
        self._http = http
        self._data = data

    # ------------------------------------------------------------------ venue pieces

    def _order_body(
        self, request: OrderRequest, market: M
    ) -> Result[Mapping[str, Any], VenueError]:
        raise NotImplementedError

    def _cancel_body(self, market: M, client_order_id: str) -> Mapping[str, Any]:
        raise NotImplementedError

    def _ack(self, body: Any) -> Result[str, MalformedResponse]:
        """The venue order id out of a create acknowledgement."""
        raise NotImplementedError

    async def _lookup(self, market: M, client_order_id: str) -> Result[Order, VenueError]:
        raise NotImplementedError

    # ------------------------------------------------------------------ the flow

    def _checked_id(self, client_order_id: str) -> Result[None, VenueError]:
        if self._http.credentials is None:
            return self._http.not_configured("orders")
        if not self.CLIENT_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, self.CLIENT_ID_RULE))
        return Success(None)

    async def _order_market(self, symbol: Symbol, client_order_id: str) -> Result[M, VenueError]:
        checked = self._checked_id(client_order_id)
        if isinstance(checked, Failure):
            return Failure(checked.failure())
        return await self._data.market(symbol)

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        market = await self._order_market(symbol, client_order_id)
        if isinstance(market, Failure):
            return Failure(market.failure())
        return await self._lookup(market.unwrap(), client_order_id)

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self.prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self.send_prepared(prepared.unwrap())

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The order's signed create request; nothing sent. Its validity window ends at
        ``expires_at`` (fixed here), so it is valid until then."""
        if self._http.credentials is None:
            return self._http.not_configured("place_order")
        market = await market_for_order(self._exchange, request, self._data)
        if isinstance(market, Failure):
            return Failure(market.failure())
        body = self._order_body(request, market.unwrap())
        if isinstance(body, Failure):
            return Failure(body.failure())
        call = await self._http.prepare_signed(
            "POST",
            self.CREATE_PATH,
            body=body.unwrap(),
            idempotent=False,
            deadline=request.expires_at,
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return Success(PreparedOrder(request, PreparedCreate(call.unwrap(), market.unwrap())))

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        create = prepared.payload
        if not isinstance(create, PreparedCreate):
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        request = prepared.request
        sent = await self._http.send_signed(create.call)
        if isinstance(sent, Failure):
            return sent
        ack = self._ack(sent.unwrap())
        if isinstance(ack, Failure):
            message = f"POST {self.CREATE_PATH}: {ack.failure().message}"
            return Failure(Ambiguous(self._venue, message))
        found = await self._lookup(create.market, request.client_order_id)
        if isinstance(found, Success):
            return found
        return Success(
            Order(
                exchange=self._exchange,
                symbol=request.symbol,
                client_order_id=request.client_order_id,
                side=request.side,
                size=request.size,
                status=OrderStatus.PENDING,
                venue_order_id=ack.unwrap(),
                reduce_only=request.reduce_only,
            )
        )

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        market = await self._order_market(symbol, client_order_id)
        if isinstance(market, Failure):
            return Failure(market.failure())
        body = self._cancel_body(market.unwrap(), client_order_id)
        sent = await self._http.signed("POST", self.CANCEL_PATH, body=body, idempotent=False)
        if isinstance(sent, Failure) and sent.failure().code not in self.CANCEL_FINAL_CODES:
            return Failure(sent.failure())
        return await self._lookup(market.unwrap(), client_order_id)


__all__ = ["MarketSource", "OrderFlow", "PreparedCreate", "market_for_order"]
