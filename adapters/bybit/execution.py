"""Bybit v5 account and trading (unified trading account, ``category=linear``, one-way
mode). Every call here is signed (:mod:`adapters.bybit.http`).

==========================  ==============================================================
``positions``               ``GET /v5/position/list?settleCoin=USDT`` (cursor pages of 200)
``balances``                ``GET /v5/account/wallet-balance?accountType=UNIFIED``
``margin``                  both of the above, in flight at once
``fees``                    ``GET /v5/account/fee-rate?symbol=BTCUSDT``
``place_order``             ``POST /v5/order/create``, then the order by ``orderLinkId``
``cancel_order``            ``POST /v5/order/cancel`` by ``orderLinkId``, then the order
``fetch_order``             ``GET /v5/order/realtime`` by ``orderLinkId``, else
                            ``GET /v5/order/history`` (closed orders)
``funding_payments``        ``GET /v5/account/transaction-log?type=SETTLEMENT``, windows of
                            at most 7 days (Bybit's limit), cursor pages of 50
==========================  ==============================================================

Lookup by client id: ``/v5/order/realtime`` answers open orders and the most recent 500
closed ones by ``orderLinkId``, but after a Bybit server release or restart closed orders
of a unified account are only in ``/v5/order/history`` (Bybit v5 "Get Open & Closed
Orders"), hence the second request; absent from both is :class:`OrderNotFound`.

Bybit acknowledges a new order with its ids only (``orderId``, ``orderLinkId``), so the
state is read right after; if that read fails the order is reported ``PENDING`` (accepted,
state unknown) rather than failing a call whose order the venue took. A cancel answered
``110001`` ("order not exists or too late to cancel") is followed by a lookup: the order in
its final state, or :class:`OrderNotFound`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.bybit.http import ORDER_NOT_FOUND, BybitHttp, SignedCall
from adapters.bybit.market_data import LINEAR, MAX_PAGES, BybitMarketData
from adapters.bybit.orders import ORDER_LINK_ID, order_body
from adapters.bybit.parsing import BybitMarket, parse_next_cursor
from adapters.bybit.parsing_account import (
    PaymentRow,
    PositionRow,
    SymbolLookup,
    parse_account_margin,
    parse_fee_rate,
    parse_order_ack,
    parse_orders,
    parse_position_rows,
    parse_transaction_log,
    parse_wallet_balance,
)
from adapters.published_fees import account_or_published
from atomic_fp.errors import Ambiguous, InvalidRequest, MalformedResponse, OrderNotFound, VenueError
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PreparedOrder

PATH_POSITIONS = "/v5/position/list"
PATH_WALLET = "/v5/account/wallet-balance"
PATH_FEE_RATE = "/v5/account/fee-rate"
PATH_CREATE = "/v5/order/create"
PATH_CANCEL = "/v5/order/cancel"
PATH_REALTIME = "/v5/order/realtime"
PATH_HISTORY = "/v5/order/history"
PATH_TRANSACTIONS = "/v5/account/transaction-log"

FEE_REFERENCE_SYMBOL = "BTCUSDT"
POSITION_PAGE_LIMIT = 200
LOG_PAGE_LIMIT = 50
LOG_WINDOW = timedelta(days=7)
UNIFIED = ("accountType", "UNIFIED")


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


@attrs.frozen
class _PreparedCreate:
    """A prepared Bybit order: the signed create call and the market it was sized on."""

    call: SignedCall
    market: BybitMarket


class BybitExecution:
    """The signed half of one Bybit venue."""

    def __init__(
        self,
        exchange: ExchangeIdentifier,
        http: BybitHttp,
        market_data: BybitMarketData,
        lookup: Callable[[], SymbolLookup],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._exchange = exchange
        self._venue = str(exchange)
        self._http = http
        self._data = market_data
        self._lookup = lookup
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    async def _get(self, path: str, params: list[tuple[str, str]]) -> Result[Any, VenueError]:
        return await self._http.signed("GET", path, params=params, idempotent=True)

    # ------------------------------------------------------------------ account

    async def _position_rows(self) -> Result[tuple[PositionRow, ...], VenueError]:
        rows: list[PositionRow] = []
        cursor = ""
        observed = self._now()
        for _ in range(MAX_PAGES):
            params = [LINEAR, ("settleCoin", "USDT"), ("limit", str(POSITION_PAGE_LIMIT))]
            if cursor:
                params.append(("cursor", cursor))
            body = await self._get(PATH_POSITIONS, params)
            if isinstance(body, Failure):
                return body
            page = parse_position_rows(self._exchange, body.unwrap(), self._lookup(), observed)
            if isinstance(page, Failure):
                return page
            following = parse_next_cursor(self._venue, body.unwrap())
            if isinstance(following, Failure):
                return Failure(following.failure())
            rows.extend(page.unwrap())
            if not following.unwrap() or following.unwrap() == cursor:
                return Success(tuple(rows))
            cursor = following.unwrap()
        return Failure(MalformedResponse(self._venue, f"position/list: over {MAX_PAGES} pages"))

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        rows = await self._position_rows()
        if isinstance(rows, Failure):
            return rows
        return Success(tuple(row.position for row in rows.unwrap()))

    async def _wallet(self) -> Result[Any, VenueError]:
        return await self._get(PATH_WALLET, [UNIFIED])

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        body = await self._wallet()
        if isinstance(body, Failure):
            return body
        parsed = parse_wallet_balance(self._exchange, body.unwrap(), self._now())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        rows, wallet = await both(self._position_rows(), self._wallet())
        if isinstance(rows, Failure):
            return rows
        if isinstance(wallet, Failure):
            return wallet
        parsed = parse_account_margin(self._exchange, wallet.unwrap(), rows.unwrap(), self._now())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if self._http.credentials is None:
            return Success(account_or_published("bybit", None))
        body = await self._get(PATH_FEE_RATE, [LINEAR, ("symbol", FEE_REFERENCE_SYMBOL)])
        account: Result[FeeQuote, VenueError] = body
        if isinstance(body, Success):
            parsed = parse_fee_rate(self._venue, body.unwrap(), PATH_FEE_RATE)
            account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("bybit", account))

    # ------------------------------------------------------------------ orders

    async def _find(self, market: BybitMarket, client_order_id: str) -> Result[Order, VenueError]:
        params = [LINEAR, ("symbol", market.venue_symbol), ("orderLinkId", client_order_id)]
        for path in (PATH_REALTIME, PATH_HISTORY):
            body = await self._get(path, params)
            if isinstance(body, Failure):
                return body
            parsed = parse_orders(self._exchange, body.unwrap(), self._lookup())
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            found = [o for o in parsed.unwrap() if o.client_order_id == client_order_id]
            if found:
                return Success(found[0])
        return Failure(
            OrderNotFound(
                self._venue, f"no order with client id {client_order_id}", ORDER_NOT_FOUND
            )
        )

    async def _order_market(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[BybitMarket, VenueError]:
        if not ORDER_LINK_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, "client order id has invalid characters"))
        return await self._data.market(symbol)

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        market = await self._order_market(symbol, client_order_id)
        if isinstance(market, Failure):
            return market
        return await self._find(market.unwrap(), client_order_id)

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self.prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self.send_prepared(prepared.unwrap())

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The order's signed ``POST /v5/order/create``; nothing sent. Its recv window
        ends at ``expires_at`` (fixed here), so it is valid until then."""
        if request.exchange != self._exchange:
            return Failure(
                InvalidRequest(self._venue, f"order is for venue {request.exchange}, not this one")
            )
        market = await self._data.market(request.symbol)
        if isinstance(market, Failure):
            error = market.failure()
            return Failure(type(error)(error.venue, f"order not sent: {error.message}", error.code))
        body = order_body(self._venue, request, market.unwrap())
        if isinstance(body, Failure):
            return Failure(body.failure())
        call = await self._http.prepare_signed(
            "POST", PATH_CREATE, body=body.unwrap(), idempotent=False, deadline=request.expires_at
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return Success(PreparedOrder(request, _PreparedCreate(call.unwrap(), market.unwrap())))

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        create = prepared.payload
        if not isinstance(create, _PreparedCreate):
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        request, market = prepared.request, create.market
        sent = await self._http.send_signed(create.call)
        if isinstance(sent, Failure):
            return sent
        ack = parse_order_ack(self._venue, sent.unwrap())
        if isinstance(ack, Failure):
            return Failure(Ambiguous(self._venue, f"POST {PATH_CREATE}: {ack.failure().message}"))
        found = await self._find(market, request.client_order_id)
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
                venue_order_id=ack.unwrap()[0],
                reduce_only=request.reduce_only,
            )
        )

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        market = await self._order_market(symbol, client_order_id)
        if isinstance(market, Failure):
            return market
        body = {
            "category": "linear",
            "symbol": market.unwrap().venue_symbol,
            "orderLinkId": client_order_id,
        }
        cancelled = await self._http.signed("POST", PATH_CANCEL, body=body, idempotent=False)
        if isinstance(cancelled, Failure) and cancelled.failure().code != ORDER_NOT_FOUND:
            return cancelled
        return await self._find(market.unwrap(), client_order_id)

    # ------------------------------------------------------------------ funding payments

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "payments need aware start < end"))
        seen: dict[str, PaymentRow] = {}
        window_start = start
        while window_start < end:
            window_end = min(window_start + LOG_WINDOW, end)
            cursor = ""
            for _ in range(MAX_PAGES):
                params = [
                    UNIFIED,
                    LINEAR,
                    ("type", "SETTLEMENT"),
                    ("startTime", str(_millis(window_start))),
                    ("endTime", str(_millis(window_end) - 1)),
                    ("limit", str(LOG_PAGE_LIMIT)),
                ]
                if cursor:
                    params.append(("cursor", cursor))
                body = await self._get(PATH_TRANSACTIONS, params)
                if isinstance(body, Failure):
                    return body
                page = parse_transaction_log(self._exchange, body.unwrap(), self._lookup())
                if isinstance(page, Failure):
                    return Failure(page.failure())
                following = parse_next_cursor(self._venue, body.unwrap())
                if isinstance(following, Failure):
                    return Failure(following.failure())
                for row in page.unwrap():
                    seen.setdefault(row.row_id, row)
                if not following.unwrap() or following.unwrap() == cursor:
                    break
                cursor = following.unwrap()
            else:
                return Failure(MalformedResponse(self._venue, "transaction-log: too many pages"))
            window_start = window_end
        lo, hi = _millis(start), _millis(end)
        kept = sorted(
            (row for row in seen.values() if lo <= row.time_ms < hi), key=lambda row: row.time_ms
        )
        return Success(tuple(row.payment for row in kept))


__all__ = ["BybitExecution"]
