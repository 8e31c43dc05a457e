"""OKX account and trading calls (signed): positions, balances, margin, orders, funding
payments.

=========================  ==============================================================
positions                  ``GET /api/v5/account/positions?instType=SWAP``
balances                   ``GET /api/v5/account/balance``
margin                     both of the above (USDT ``eq`` and ``mmr``; each position's
                           ``liqPx`` is the venue's)
place                      ``POST /api/v5/trade/order`` with the ``expTime`` header = the
                           order's deadline, then ``GET /api/v5/trade/order`` by
                           ``clOrdId`` for its state (an IOC order is final by then)
cancel                     ``POST /api/v5/trade/cancel-order`` by ``clOrdId``, then the
                           same lookup; ``51400``-``51402`` (already filled, cancelled or
                           unknown) go straight to the lookup
look up                    ``GET /api/v5/trade/order?instId=&clOrdId=`` (``51603``:
                           :class:`OrderNotFound`)
funding payments           ``GET /api/v5/account/bills-archive?instType=SWAP&type=8``
                           pages of 100, newest first, walked back with ``after`` =
                           the oldest ``billId`` (bills of the last 3 months)
=========================  ==============================================================

An accepted order whose lookup then fails is returned as ``PENDING`` with its ``ordId``:
OKX took it (``sCode`` 0), so it is neither unsent nor ambiguous.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from returns.result import Failure, Result, Success

from adapters.kit.order_flow import OrderFlow
from adapters.kit.pages import walk_cursor
from adapters.kit.rates import millis, range_refusal
from adapters.okx.http import OkxHttp
from adapters.okx.market_data import OkxMarketData
from adapters.okx.orders import CLIENT_ORDER_ID, order_body
from adapters.okx.parsing import OkxMarket
from adapters.okx.parsing_account import (
    BillRow,
    parse_balances,
    parse_funding_bills,
    parse_margin_totals,
    parse_order,
    parse_order_ack,
    parse_positions,
    parse_trade_fee,
)
from atomic_fp.errors import MalformedResponse, VenueError
from atomic_fp.models import Balance, FeeQuote, FundingPayment, Order, OrderRequest, Position
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin

T = TypeVar("T")

PATH_POSITIONS = "/api/v5/account/positions"
PATH_BALANCE = "/api/v5/account/balance"
PATH_ORDER = "/api/v5/trade/order"
PATH_CANCEL = "/api/v5/trade/cancel-order"
PATH_BILLS = "/api/v5/account/bills-archive"
PATH_TRADE_FEE = "/api/v5/account/trade-fee"
BILLS_PAGE_LIMIT = 100
MAX_PAGES = 1000
_CANCEL_FINAL_CODES = frozenset({"51400", "51401", "51402"})
SWAP = ("instType", "SWAP")


class OkxExecution(OrderFlow[OkxMarket]):
    """The private half of an OKX client (orders: :class:`~adapters.kit.order_flow.
    OrderFlow`, with OKX's bodies and its lookup by ``clOrdId``)."""

    CREATE_PATH = PATH_ORDER
    CANCEL_PATH = PATH_CANCEL
    CANCEL_FINAL_CODES = _CANCEL_FINAL_CODES
    CLIENT_ID = CLIENT_ORDER_ID
    CLIENT_ID_RULE = "client order id must match ^[A-Za-z0-9]{1,32}$"

    def __init__(
        self,
        http: OkxHttp,
        data: OkxMarketData,
        exchange: ExchangeIdentifier,
        *,
        now: Callable[[], datetime],
        td_mode: str,
    ) -> None:
        super().__init__(exchange, http, data)
        self._okx_data = data
        self._now = now
        self._td_mode = td_mode

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if self._http.credentials is None:
            return self._http.not_configured("positions")
        markets = await self._okx_data.by_instrument()
        if isinstance(markets, Failure):
            return markets
        body = await self._http.signed("GET", PATH_POSITIONS, [SWAP], idempotent=True)
        return body.bind(
            lambda b: parse_positions(self._exchange, b, markets.unwrap(), self._now())
        )

    async def _balance_body(self) -> Result[object, VenueError]:
        if self._http.credentials is None:
            return self._http.not_configured("balances")
        return await self._http.signed("GET", PATH_BALANCE, idempotent=True)

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        body = await self._balance_body()
        return body.bind(lambda b: parse_balances(self._exchange, b, self._now()))

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        positions = await self.fetch_positions()
        if isinstance(positions, Failure):
            return positions
        body = await self._balance_body()
        totals = body.bind(lambda b: parse_margin_totals(self._venue, b))
        if isinstance(totals, Failure):
            return Failure(totals.failure())
        equity, maintenance = totals.unwrap()
        try:
            margin = build_account_margin(
                exchange=self._exchange,
                asset="USDT",
                equity=equity,
                maintenance_margin=maintenance,
                observed_at=self._now(),
                positions=positions.unwrap(),
            )
        except (ValueError, ArithmeticError) as error:
            return Failure(MalformedResponse(self._venue, f"account margin: {error}"[:300]))
        return Success(margin)

    async def fetch_account_fees(self) -> Result[FeeQuote, VenueError]:
        """USDT-margined swap rates of the account (one query: rates are per account
        level and instrument family type, the same for every USDT swap)."""
        params = [SWAP, ("instFamily", "BTC-USDT")]
        body = await self._http.signed("GET", PATH_TRADE_FEE, params, idempotent=True)
        return body.bind(lambda b: parse_trade_fee(self._venue, b))

    # ------------------------------------------------------------------ orders

    def _order_body(
        self, request: OrderRequest, market: OkxMarket
    ) -> Result[Mapping[str, Any], VenueError]:
        return order_body(self._venue, request, market, self._td_mode)

    def _cancel_body(self, market: OkxMarket, client_order_id: str) -> Mapping[str, Any]:
        return {"instId": market.inst_id, "clOrdId": client_order_id}

    def _ack(self, body: Any) -> Result[str, MalformedResponse]:
        return parse_order_ack(self._venue, body)

    async def _lookup(self, market: OkxMarket, client_order_id: str) -> Result[Order, VenueError]:
        params = (("instId", market.inst_id), ("clOrdId", client_order_id))
        body = await self._http.signed("GET", PATH_ORDER, params, idempotent=True)
        return body.bind(lambda b: parse_order(self._exchange, b, {market.inst_id: market}))

    # ------------------------------------------------------------------ payments

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """Funding bills with ``start <= time < end``, oldest first."""
        if self._http.credentials is None:
            return self._http.not_configured("funding payments")
        refused = range_refusal(self._venue, start, end, "payments")
        if refused is not None:
            return refused
        markets = await self._okx_data.by_instrument()
        if isinstance(markets, Failure):
            return markets
        first_ms, last_ms = millis(start), millis(end) - 1
        base = [SWAP, ("type", "8"), ("begin", str(first_ms)), ("end", str(last_ms))]
        base.append(("limit", str(BILLS_PAGE_LIMIT)))

        async def page(after: str) -> Result[tuple[Sequence[BillRow], str], VenueError]:
            params = [*base, ("after", after)] if after else base
            body = await self._http.signed("GET", PATH_BILLS, params, idempotent=True)
            if isinstance(body, Failure):
                return Failure(body.failure())
            rows = parse_funding_bills(self._exchange, body.unwrap(), markets.unwrap())
            if isinstance(rows, Failure) or _row_count(body.unwrap()) < BILLS_PAGE_LIMIT:
                return rows.map(lambda found: (found, ""))
            oldest = _oldest_bill_id(body.unwrap())
            if not oldest or oldest == after:
                return Failure(MalformedResponse(self._venue, "bills pagination did not move"))
            return Success((rows.unwrap(), oldest))

        walked = await walk_cursor(self._venue, page, max_pages=MAX_PAGES, what="bills")
        if isinstance(walked, Failure):
            return Failure(walked.failure())
        collected: dict[str, BillRow] = {}
        for row in walked.unwrap():
            collected.setdefault(row.bill_id, row)
        ordered = sorted(
            (row for row in collected.values() if first_ms <= row.time_ms <= last_ms),
            key=lambda row: (row.time_ms, row.bill_id),
        )
        return Success(tuple(row.payment for row in ordered))


def _row_count(payload: object) -> int:
    data = payload.get("data") if isinstance(payload, dict) else None
    return len(data) if isinstance(data, list) else 0


def _oldest_bill_id(payload: object) -> str | None:
    """The last row's ``billId`` (OKX lists bills newest first)."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or not data or not isinstance(data[-1], dict):
        return None
    bill = data[-1].get("billId")
    return bill if isinstance(bill, str) else None


__all__ = ["OkxExecution"]
