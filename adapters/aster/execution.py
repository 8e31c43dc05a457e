"""Aster account and trading calls, all v3 API-wallet signed (:mod:`adapters.aster.http`).

==========================  =================================================================
``positions()``             ``GET /fapi/v3/positionRisk``
``balances()``              ``GET /fapi/v3/balance``
``fees()``                  the published tier (:mod:`adapters.published_fees`)
``place()``                 ``POST /fapi/v3/order``
``cancel()``                ``DELETE /fapi/v3/order`` by ``origClientOrderId``
``order()``                 ``GET /fapi/v3/order`` by ``origClientOrderId``
==========================  =================================================================

Paths per asterdex api-docs ``aster-finance-futures-api-v3``. The request parameters and
the order / position / balance bodies are Binance's (``newClientOrderId``,
``newOrderRespType=RESULT``, ``timeInForce`` GTX for post-only; ``origQty``,
``executedQty``, ``avgPrice``...), so the pure Binance builder
(:func:`adapters.binance.orders.order_params`) and parsers read and write them. An
order's ``expires_at`` becomes its ``recvWindow`` (at most 5000 ms on v3). Placement and
cancels are never retried; an unreadable 2xx answer to a write is :class:`Ambiguous`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import attrs
from returns.result import Failure, Result, Success

from adapters.aster.http import AsterHttp
from adapters.aster.market_data import AsterMarketData
from adapters.binance.orders import CLIENT_ORDER_ID, order_params
from adapters.binance.parsers import parse_balances, parse_order, parse_positions
from adapters.published_fees import account_or_published
from atomic_fp.errors import Ambiguous, InvalidRequest, VenueError
from atomic_fp.models import Balance, FeeQuote, Order, OrderRequest, Position, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

PATH_ORDER = "/fapi/v3/order"
PATH_POSITION_RISK = "/fapi/v3/positionRisk"
PATH_BALANCE = "/fapi/v3/balance"
_UNKNOWN_ORDER_ON_CANCEL = "-2011"


class AsterExecution:
    """Account reads and order calls of one Aster client."""

    def __init__(
        self,
        http: AsterHttp,
        data: AsterMarketData,
        exchange: ExchangeIdentifier,
        clock: Callable[[], float],
    ) -> None:
        self._http = http
        self._data = data
        self._exchange = exchange
        self._venue = str(exchange)
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    @property
    def _keyed(self) -> bool:
        return self._http.wallet is not None

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        return Success(account_or_published("aster", None))

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if not self._keyed:
            return self._http.not_configured("positions")
        body = await self._http.signed("GET", PATH_POSITION_RISK, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        return parse_positions(self._exchange, body.unwrap(), self._data.symbols, self._now())

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if not self._keyed:
            return self._http.not_configured("balances")
        body = await self._http.signed("GET", PATH_BALANCE, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_balances(self._exchange, body.unwrap(), self._now())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def _order_call(
        self,
        method: str,
        params: list[tuple[str, str]],
        weight: int,
        deadline: datetime | None = None,
    ) -> Result[Order, VenueError]:
        body = await self._http.signed(
            method, PATH_ORDER, params, weight, idempotent=method == "GET", deadline=deadline
        )
        if isinstance(body, Failure):
            return body
        parsed = parse_order(self._exchange, body.unwrap(), self._data.symbols)
        if isinstance(parsed, Failure):
            error = parsed.failure()
            if method != "GET":
                return Failure(Ambiguous(self._venue, f"{method} {PATH_ORDER}: {error.message}"))
            return Failure(error)
        return Success(parsed.unwrap())

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        if not self._keyed:
            return self._http.not_configured("place_order")
        if request.exchange != self._exchange:
            return Failure(
                InvalidRequest(self._venue, f"order is for venue {request.exchange}, not this one")
            )
        market = await self._data.market(request.symbol)
        if isinstance(market, Failure):
            error = market.failure()
            return Failure(attrs.evolve(error, message=f"order not sent: {error.message}"))
        params = order_params(self._venue, request, market.unwrap())
        if isinstance(params, Failure):
            return Failure(params.failure())
        return await self._order_call("POST", params.unwrap(), 1, request.expires_at)

    async def _by_client_id(
        self, what: str, symbol: Symbol, client_order_id: str
    ) -> Result[list[tuple[str, str]], VenueError]:
        if not self._keyed:
            return self._http.not_configured(what)
        if not CLIENT_ORDER_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, "client order id has invalid characters"))
        market = await self._data.market(symbol)
        if isinstance(market, Failure):
            return market
        venue_symbol = market.unwrap().venue_symbol
        return Success([("symbol", venue_symbol), ("origClientOrderId", client_order_id)])

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        params = await self._by_client_id("fetch_order", symbol, client_order_id)
        if isinstance(params, Failure):
            return params
        return await self._order_call("GET", params.unwrap(), 1)

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """Cancel by client id; ``-2011`` (unknown, or already final) is followed by a
        lookup: the order in its final state, or ``OrderNotFound``."""
        params = await self._by_client_id("cancel_order", symbol, client_order_id)
        if isinstance(params, Failure):
            return params
        cancelled = await self._order_call("DELETE", params.unwrap(), 1)
        if isinstance(cancelled, Failure) and cancelled.failure().code == _UNKNOWN_ORDER_ON_CANCEL:
            return await self._order_call("GET", params.unwrap(), 1)
        return cancelled


__all__ = ["AsterExecution"]
