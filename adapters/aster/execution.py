"""Aster account and trading calls, all v3 API-wallet signed (:mod:`adapters.aster.http`).

==========================  =================================================================
``positions()``             ``GET /fapi/v3/positionRisk``
``balances()``              ``GET /fapi/v3/balance``
``margin()``                ``GET /fapi/v3/accountWithJoinMargin`` totals + ``positionRisk``
``fees()``                  ``GET /fapi/v3/commissionRate`` (else the published tier)
``funding_payments()``      ``GET /fapi/v3/income?incomeType=FUNDING_FEE`` pages
``prepare()``               the signed ``POST /fapi/v3/order``, nothing sent
``send_prepared()``         sends it as signed
``place()``                 the two in a row
``cancel()``                ``DELETE /fapi/v3/order`` by ``origClientOrderId``
``order()``                 ``GET /fapi/v3/order`` by ``origClientOrderId``
==========================  =================================================================

Paths per asterdex api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` @ 265e024
(2026-06-30). "Account Information v3" is ``/fapi/v3/accountWithJoinMargin`` there (renamed
from ``/fapi/v3/account`` on 2026-03-28); its body is Binance's ``/fapi/v2/account`` (the
``total*`` fields "only for USDT asset", ``positions[]`` with ``maintMargin`` and
``leverage``), so :func:`adapters.binance.margin.parse_account_margin` reads it.
``commissionRate`` (weight 20, ``symbol`` mandatory) and ``income`` (weight 30, ``limit`` at
most 1000, ``startTime``/``endTime`` inclusive, ``tranId`` unique per income type) are
Binance's too: the parser of :mod:`adapters.binance.fees` and the pager of
:mod:`adapters.binance.income` serve them. The request parameters and
the order / position / balance bodies are Binance's (``newClientOrderId``,
``newOrderRespType=RESULT``, ``timeInForce`` GTX for post-only; ``origQty``,
``executedQty``, ``avgPrice``...), so the pure Binance builder
(:func:`adapters.binance.orders.order_params`) and parsers read and write them. An
order's ``expires_at`` becomes its ``recvWindow`` (at most 5000 ms on v3). Placement and
cancels are never retried; an unreadable 2xx answer to a write is :class:`Ambiguous`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.aster.http import AsterHttp, AsterSignedCall
from adapters.aster.market_data import AsterMarketData
from adapters.binance import income
from adapters.binance.fees import COMMISSION_RATE_WEIGHT, REFERENCE_SYMBOL, parse_commission_rate
from adapters.binance.margin import parse_account_margin
from adapters.binance.orders import CLIENT_ORDER_ID, order_params
from adapters.binance.parsers import parse_balances, parse_order, parse_positions
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

PATH_ORDER = "/fapi/v3/order"
PATH_POSITION_RISK = "/fapi/v3/positionRisk"
PATH_BALANCE = "/fapi/v3/balance"
PATH_ACCOUNT = "/fapi/v3/accountWithJoinMargin"
PATH_COMMISSION_RATE = "/fapi/v3/commissionRate"
PATH_INCOME = "/fapi/v3/income"
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
        """The account's rates (``commissionRate`` of BTCUSDT: rates are per account
        tier) with an API wallet, else (or when that fails, with why) the published tier."""
        if not self._keyed:
            return Success(account_or_published("aster", None))
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
            if isinstance(parsed, Failure):
                account = Failure(parsed.failure())
            else:
                account = Success(
                    attrs.evolve(
                        parsed.unwrap(),
                        detail=f"GET {PATH_COMMISSION_RATE} ({REFERENCE_SYMBOL})",
                    )
                )
        return Success(account_or_published("aster", account))

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
        """Account totals (``totalMarginBalance``, ``totalMaintMargin``) + positions (whose
        ``liquidationPrice`` is the venue's) -> :class:`AccountMargin`."""
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

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """FUNDING_FEE income rows with ``start <= time < end``, oldest first."""
        if not self._keyed:
            return self._http.not_configured("funding payments")

        async def page(params: Sequence[tuple[str, str]]) -> Result[Any, VenueError]:
            return await self._http.signed(
                "GET", PATH_INCOME, list(params), income.INCOME_WEIGHT, idempotent=True
            )

        return await income.funding_payments(self._exchange, self._data.symbols, page, start, end)

    async def _send_order_call(self, call: AsterSignedCall) -> Result[Order, VenueError]:
        body = await self._http.send_signed(call)
        if isinstance(body, Failure):
            return body
        parsed = parse_order(self._exchange, body.unwrap(), self._data.symbols)
        if isinstance(parsed, Failure):
            error = parsed.failure()
            if call.method != "GET":
                # the venue acted (HTTP 2xx) but we cannot read what it did
                return Failure(
                    Ambiguous(self._venue, f"{call.method} {PATH_ORDER}: {error.message}")
                )
            return Failure(error)
        return Success(parsed.unwrap())

    async def _order_call(
        self, method: str, params: list[tuple[str, str]], weight: int
    ) -> Result[Order, VenueError]:
        call = self._http.prepare_signed(
            method, PATH_ORDER, params, weight, idempotent=method == "GET"
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self._send_order_call(call.unwrap())

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self.prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self.send_prepared(prepared.unwrap())

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The order's signed ``POST /fapi/v3/order`` query; nothing sent. Its
        ``recvWindow`` ends at ``expires_at`` (fixed here, at most 5 s ahead), so it is
        valid until then whenever it is sent; placement is exactly prepare + send."""
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
        call = self._http.prepare_signed(
            "POST", PATH_ORDER, params.unwrap(), 1, idempotent=False, deadline=request.expires_at
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return Success(PreparedOrder(request, call.unwrap()))

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        call = prepared.payload
        if (
            not isinstance(call, AsterSignedCall)
            or call.path != PATH_ORDER
            or call.method != "POST"
            or prepared.request.exchange != self._exchange
        ):
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
