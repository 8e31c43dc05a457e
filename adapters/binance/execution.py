"""Binance account and trading calls (all signed, see :mod:`adapters.binance.http`).

==========================  =================================================================
``positions()``             ``GET /fapi/v3/positionRisk``
``balances()``              ``GET /fapi/v2/balance``
``margin()``                ``GET /fapi/v2/account`` totals + ``positionRisk``
``fees()``                  ``GET /fapi/v1/commissionRate`` (else the published VIP 0 tier)
``open_orders()``           ``GET /fapi/v1/openOrders`` (not in the protocol)
``place()``                 ``POST /fapi/v1/order`` (+ markets when not cached)
``cancel()``                ``DELETE /fapi/v1/order`` by ``origClientOrderId``
``order()``                 ``GET /fapi/v1/order`` by ``origClientOrderId``
``funding_payments()``      ``GET /fapi/v1/income?incomeType=FUNDING_FEE`` pages
==========================  =================================================================

An order's ``expires_at`` becomes its ``recvWindow`` (the validity window Binance itself
enforces). Placement and cancels are never retried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.binance import income
from adapters.binance.fees import (
    COMMISSION_RATE_WEIGHT,
    PATH_COMMISSION_RATE,
    REFERENCE_SYMBOL,
    parse_commission_rate,
)
from adapters.binance.http import BinanceHttp, SignedCall
from adapters.binance.income import INCOME_WEIGHT
from adapters.binance.margin import parse_account_margin
from adapters.binance.market_data import BinanceMarketData
from adapters.binance.orders import CLIENT_ORDER_ID, order_params
from adapters.binance.parsers import (
    BinanceMarket,
    parse_balances,
    parse_order,
    parse_orders,
    parse_positions,
)
from adapters.published_fees import account_or_published
from atomic_fp.errors import Ambiguous, InvalidRequest, VenueError
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    Order,
    OrderRequest,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PreparedOrder

PATH_ORDER = "/fapi/v1/order"
PATH_OPEN_ORDERS = "/fapi/v1/openOrders"
PATH_POSITION_RISK = "/fapi/v3/positionRisk"
PATH_BALANCE = "/fapi/v2/balance"
PATH_ACCOUNT = "/fapi/v2/account"
PATH_INCOME = "/fapi/v1/income"

_UNKNOWN_ORDER_ON_CANCEL = "-2011"


class BinanceExecution:
    """Account reads and order calls of one Binance client."""

    def __init__(
        self,
        http: BinanceHttp,
        data: BinanceMarketData,
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
        return self._http.credentials is not None

    # ------------------------------------------------------------------ account

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if not self._keyed:
            return Success(account_or_published("binance", None))
        body = await self._http.signed(
            "GET",
            PATH_COMMISSION_RATE,
            [("symbol", REFERENCE_SYMBOL)],
            COMMISSION_RATE_WEIGHT,
            idempotent=True,
        )
        account: Result[FeeQuote, VenueError] = body
        if isinstance(body, Success):
            parsed = parse_commission_rate(self._venue, body.unwrap())
            account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("binance", account))

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

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        positions = await self.fetch_positions()
        if isinstance(positions, Failure):
            return positions
        body = await self._http.signed("GET", PATH_ACCOUNT, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_account_margin(
            self._exchange, body.unwrap(), positions.unwrap(), self._data.symbols, self._now()
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        return Success(parsed.unwrap())

    async def open_orders(self, symbol: Symbol | None) -> Result[tuple[Order, ...], VenueError]:
        if not self._keyed:
            return self._http.not_configured("open orders")
        params: list[tuple[str, str]] = []
        weight = 40
        if symbol is not None:
            market = await self._data.market(symbol)
            if isinstance(market, Failure):
                return market
            params = [("symbol", market.unwrap().venue_symbol)]
            weight = 1
        body = await self._http.signed("GET", PATH_OPEN_ORDERS, params, weight, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_orders(self._exchange, body.unwrap(), self._data.symbols)
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    # ------------------------------------------------------------------ orders

    async def _order_call(
        self,
        method: str,
        params: list[tuple[str, str]],
        weight: int,
        deadline: datetime | None = None,
    ) -> Result[Order, VenueError]:
        call = await self._http.prepare_signed(
            method, PATH_ORDER, params, weight, idempotent=method == "GET", deadline=deadline
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self._send_order_call(call.unwrap())

    async def _send_order_call(self, call: SignedCall) -> Result[Order, VenueError]:
        body = await self._http.send_signed(call)
        if isinstance(body, Failure):
            return body
        parsed = parse_order(self._exchange, body.unwrap(), self._data.symbols)
        if isinstance(parsed, Failure):
            error = parsed.failure()
            if call.method != "GET":
                # The venue acted (HTTP 2xx) but we cannot read what it did.
                return Failure(
                    Ambiguous(self._venue, f"{call.method} {PATH_ORDER}: {error.message}")
                )
            return Failure(error)
        return Success(parsed.unwrap())

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self.prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self.send_prepared(prepared.unwrap())

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The order's signed ``POST /fapi/v1/order`` query; nothing sent. Its
        ``recvWindow`` ends at ``expires_at`` (fixed here), so it is valid until then."""
        if not self._keyed:
            return self._http.not_configured("place_order")
        if request.exchange != self._exchange:
            return Failure(
                InvalidRequest(self._venue, f"order is for venue {request.exchange}, not this one")
            )
        market = await self._data.market(request.symbol)
        if isinstance(market, Failure):
            return Failure(
                attrs.evolve(
                    market.failure(), message=f"order not sent: {market.failure().message}"
                )
            )
        params = order_params(self._venue, request, market.unwrap())
        if isinstance(params, Failure):
            return Failure(params.failure())
        call = await self._http.prepare_signed(
            "POST", PATH_ORDER, params.unwrap(), 0, idempotent=False, deadline=request.expires_at
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return Success(PreparedOrder(request, call.unwrap()))

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        call = prepared.payload
        if not isinstance(call, SignedCall) or call.path != PATH_ORDER or call.method != "POST":
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        return await self._send_order_call(call)

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
        return Success(_client_id_params(market.unwrap(), client_order_id))

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        params = await self._by_client_id("fetch_order", symbol, client_order_id)
        if isinstance(params, Failure):
            return params
        return await self._order_call("GET", params.unwrap(), 1)

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """Cancel by client id. Binance answers ``-2011`` ("Unknown order sent.") both for
        an order it never saw and for one already filled/cancelled, so that case is
        followed by a lookup: the order in its final state, or ``OrderNotFound``."""
        params = await self._by_client_id("cancel_order", symbol, client_order_id)
        if isinstance(params, Failure):
            return params
        cancelled = await self._order_call("DELETE", params.unwrap(), 1)
        if isinstance(cancelled, Failure) and cancelled.failure().code == _UNKNOWN_ORDER_ON_CANCEL:
            return await self._order_call("GET", params.unwrap(), 1)
        return cancelled

    # ------------------------------------------------------------------ funding payments

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """Income rows of type FUNDING_FEE with ``start <= time < end``, oldest first
        (paged by :func:`adapters.binance.income.funding_payments`). Binance keeps three
        months of income history."""
        if not self._keyed:
            return self._http.not_configured("funding payments")

        async def page(params: Sequence[tuple[str, str]]) -> Result[Any, VenueError]:
            return await self._http.signed(
                "GET", PATH_INCOME, list(params), INCOME_WEIGHT, idempotent=True
            )

        return await income.funding_payments(self._exchange, self._data.symbols, page, start, end)


def _client_id_params(market: BinanceMarket, client_order_id: str) -> list[tuple[str, str]]:
    return [("symbol", market.venue_symbol), ("origClientOrderId", client_order_id)]


__all__ = ["BinanceExecution"]
