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
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.bybit.http import ORDER_NOT_FOUND, BybitHttp
from adapters.bybit.market_data import LINEAR, MAX_PAGES, BybitMarketData
from adapters.bybit.orders import ORDER_LINK_ID, order_body
from adapters.bybit.parsing import BybitMarket, with_cursor
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
from adapters.kit.order_flow import OrderFlow
from adapters.kit.pages import walk_cursor
from adapters.kit.rates import millis, range_refusal
from adapters.published_fees import account_or_published
from atomic_fp.errors import MalformedResponse, OrderNotFound, VenueError
from atomic_fp.models import Balance, FeeQuote, FundingPayment, Order, OrderRequest, Position
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin

T = TypeVar("T")

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


def _cursor(cursor: str) -> list[tuple[str, str]]:
    return [("cursor", cursor)] if cursor else []


class BybitExecution(OrderFlow[BybitMarket]):
    """The signed half of one Bybit venue (orders: :class:`~adapters.kit.order_flow.
    OrderFlow`, with Bybit's create/cancel bodies and its two-step lookup)."""

    CREATE_PATH = PATH_CREATE
    CANCEL_PATH = PATH_CANCEL
    CANCEL_FINAL_CODES = frozenset({ORDER_NOT_FOUND})
    CLIENT_ID = ORDER_LINK_ID
    CLIENT_ID_RULE = "client order id has invalid characters"

    def __init__(
        self,
        exchange: ExchangeIdentifier,
        http: BybitHttp,
        market_data: BybitMarketData,
        lookup: Callable[[], SymbolLookup],
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(exchange, http, market_data)
        self._symbols = lookup
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    async def _get(self, path: str, params: Sequence[tuple[str, str]]) -> Result[Any, VenueError]:
        return await self._http.signed("GET", path, params, idempotent=True)

    # ------------------------------------------------------------------ account

    async def _position_rows(self) -> Result[list[PositionRow], VenueError]:
        observed = self._now()
        base = [LINEAR, ("settleCoin", "USDT"), ("limit", str(POSITION_PAGE_LIMIT))]

        async def page(cursor: str) -> Result[tuple[Sequence[PositionRow], str], VenueError]:
            body = await self._get(PATH_POSITIONS, base + _cursor(cursor))
            if isinstance(body, Failure):
                return Failure(body.failure())
            rows = parse_position_rows(self._exchange, body.unwrap(), self._symbols(), observed)
            return with_cursor(self._venue, body.unwrap(), rows)

        return await walk_cursor(self._venue, page, max_pages=MAX_PAGES, what="position/list")

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        rows = await self._position_rows()
        return rows.map(lambda found: tuple(row.position for row in found))

    async def _wallet(self) -> Result[Any, VenueError]:
        return await self._get(PATH_WALLET, [UNIFIED])

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        body = await self._wallet()
        return body.bind(lambda b: parse_wallet_balance(self._exchange, b, self._now()))

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        rows, wallet = await both(self._position_rows(), self._wallet())
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        return wallet.bind(
            lambda w: parse_account_margin(self._exchange, w, rows.unwrap(), self._now())
        )

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if self._http.credentials is None:
            return Success(account_or_published("bybit", None))
        body = await self._get(PATH_FEE_RATE, [LINEAR, ("symbol", FEE_REFERENCE_SYMBOL)])
        account = body.bind(lambda b: parse_fee_rate(self._venue, b, PATH_FEE_RATE))
        return Success(account_or_published("bybit", account))

    # ------------------------------------------------------------------ orders

    def _order_body(
        self, request: OrderRequest, market: BybitMarket
    ) -> Result[Mapping[str, Any], VenueError]:
        return order_body(self._venue, request, market)

    def _cancel_body(self, market: BybitMarket, client_order_id: str) -> Mapping[str, Any]:
        return {"category": "linear", "symbol": market.venue_symbol, "orderLinkId": client_order_id}

    def _ack(self, body: Any) -> Result[str, MalformedResponse]:
        return parse_order_ack(self._venue, body).map(lambda ids: ids[0])

    async def _lookup(self, market: BybitMarket, client_order_id: str) -> Result[Order, VenueError]:
        params = [LINEAR, ("symbol", market.venue_symbol), ("orderLinkId", client_order_id)]
        for path in (PATH_REALTIME, PATH_HISTORY):
            body = await self._get(path, params)
            if isinstance(body, Failure):
                return body
            parsed = parse_orders(self._exchange, body.unwrap(), self._symbols())
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            found = [o for o in parsed.unwrap() if o.client_order_id == client_order_id]
            if found:
                return Success(found[0])
        message = f"no order with client id {client_order_id}"
        return Failure(OrderNotFound(self._venue, message, ORDER_NOT_FOUND))

    # ------------------------------------------------------------------ funding payments

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        refused = range_refusal(self._venue, start, end, "payments")
        if refused is not None:
            return refused
        seen: dict[str, PaymentRow] = {}
        window_start = start
        while window_start < end:
            window_end = min(window_start + LOG_WINDOW, end)
            base = [
                UNIFIED,
                LINEAR,
                ("type", "SETTLEMENT"),
                ("startTime", str(millis(window_start))),
                ("endTime", str(millis(window_end) - 1)),
                ("limit", str(LOG_PAGE_LIMIT)),
            ]

            async def page(
                cursor: str, base: list[tuple[str, str]] = base
            ) -> Result[tuple[Sequence[PaymentRow], str], VenueError]:
                body = await self._get(PATH_TRANSACTIONS, base + _cursor(cursor))
                if isinstance(body, Failure):
                    return Failure(body.failure())
                rows = parse_transaction_log(self._exchange, body.unwrap(), self._symbols())
                return with_cursor(self._venue, body.unwrap(), rows)

            rows = await walk_cursor(self._venue, page, max_pages=MAX_PAGES, what="transaction-log")
            if isinstance(rows, Failure):
                return Failure(rows.failure())
            for row in rows.unwrap():
                seen.setdefault(row.row_id, row)
            window_start = window_end
        lo, hi = millis(start), millis(end)
        kept = sorted(
            (row for row in seen.values() if lo <= row.time_ms < hi), key=lambda row: row.time_ms
        )
        return Success(tuple(row.payment for row in kept))


__all__ = ["BybitExecution"]
