"""Hyperliquid account reads and order calls.

- positions, balances, margin: ``{"type": "clearinghouseState", "user": <master address>}``;
- fees: ``{"type": "userFees", "user"}`` (else the published tier 0);
- order status: ``{"type": "orderStatus", "user": <master address>, "oid": <cloid>}``;
- funding payments: ``{"type": "userFunding", "user", "startTime", "endTime"}``, paged;
- orders and cancels: ``POST {base}/exchange`` with an L1 action signed by the agent.

Market orders do not exist on Hyperliquid: they are IOC limit orders at the request's
``limit_price`` (the slippage cap), rounded conservatively onto the venue's price grid.
An order's ``expires_at`` is sent as ``expiresAfter``: Hyperliquid refuses the action if
it arrives later (nautilus ``HyperliquidExchangeActionRequest.expires_after``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import InvalidOperation
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.hyperliquid.actions import (
    Tif,
    cancel_by_cloid_action,
    order_action,
    order_wire,
)
from adapters.hyperliquid.fees import parse_user_fees
from adapters.hyperliquid.http import HyperliquidHttp
from adapters.hyperliquid.margin import parse_account_margin
from adapters.hyperliquid.market_data import HyperliquidMarketData, paged
from adapters.hyperliquid.parsers import (
    AssetInfo,
    ExchangeError,
    parse_balances,
    parse_cancel_response,
    parse_order_response,
    parse_order_status,
    parse_positions,
    parse_user_funding,
)
from adapters.hyperliquid.rounding import is_valid_size, lot_size, round_price, round_size
from adapters.hyperliquid.signing import cloid_for
from adapters.published_fees import account_or_published
from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    NotConfigured,
    NotSent,
    OrderNotFound,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    Order,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PreparedOrder

_TIFS: dict[TimeInForce, Tif] = {
    TimeInForce.GTC: "Gtc",
    TimeInForce.IOC: "Ioc",
    TimeInForce.POST_ONLY: "Alo",
}


def _tif(request: OrderRequest) -> Tif | None:
    """Market orders are IOC limits; FOK has no Hyperliquid equivalent (None)."""
    if request.order_type is OrderType.MARKET:
        return "Ioc"
    return _TIFS.get(request.time_in_force)


@attrs.frozen
class _Signed:
    """A prepared Hyperliquid order: the signed ``/exchange`` payload and its tif."""

    payload: dict[str, Any]
    tif: Tif


class HyperliquidExecution:
    """Account reads and order calls of one Hyperliquid client."""

    def __init__(
        self,
        http: HyperliquidHttp,
        data: HyperliquidMarketData,
        exchange: ExchangeIdentifier,
        clock: Callable[[], datetime],
    ) -> None:
        self._http = http
        self._data = data
        self._exchange = exchange
        self._venue = str(exchange)
        self._clock = clock

    # ------------------------------------------------------------------ account

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if not self._http.has_address():
            return Success(account_or_published("hyperliquid", None))
        address = self._http.account()
        account: Result[FeeQuote, VenueError] = Failure(NotConfigured(self._venue, "no address"))
        if isinstance(address, Failure):
            account = Failure(address.failure())
        else:
            answer = await self._http.info({"type": "userFees", "user": address.unwrap()})
            account = answer
            if isinstance(answer, Success):
                parsed = parse_user_fees(self._venue, answer.unwrap())
                account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("hyperliquid", account))

    async def _state(self) -> Result[Any, VenueError]:
        account = self._http.account()
        if isinstance(account, Failure):
            return account
        return await self._http.info({"type": "clearinghouseState", "user": account.unwrap()})

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        state = await self._state()
        if isinstance(state, Failure):
            return state
        parsed = parse_positions(
            self._exchange, state.unwrap(), self._clock(), self._data.overrides
        )
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        state = await self._state()
        if isinstance(state, Failure):
            return state
        parsed = parse_balances(self._exchange, state.unwrap(), self._clock())
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        state = await self._state()
        if isinstance(state, Failure):
            return state
        parsed = parse_account_margin(
            self._exchange, state.unwrap(), self._clock(), self._data.overrides
        )
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        account = self._http.account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        rows = await paged(
            self._http, {"type": "userFunding", "user": account.unwrap()}, start, end
        )
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        parsed = parse_user_funding(self._exchange, rows.unwrap(), self._data.overrides)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        unique: dict[tuple[datetime, Symbol], FundingPayment] = {}
        for payment in parsed.unwrap():
            if start <= payment.time < end:
                unique.setdefault((payment.time, payment.symbol), payment)
        return Success(tuple(unique[key] for key in sorted(unique)))

    # ------------------------------------------------------------------ orders

    def _order_body(
        self, request: OrderRequest, asset: AssetInfo
    ) -> Result[tuple[dict[str, Any], Tif], VenueError]:
        invalid = self._venue
        if request.exchange != self._exchange:
            return Failure(InvalidRequest(invalid, f"order is for {request.exchange}"))
        tif = _tif(request)
        if tif is None:
            return Failure(
                InvalidRequest(invalid, f"time in force {request.time_in_force.value} unsupported")
            )
        if request.limit_price is None:
            return Failure(
                InvalidRequest(
                    invalid, "Hyperliquid has no market orders: limit_price (slippage cap) needed"
                )
            )
        try:
            if not is_valid_size(request.size, asset.sz_decimals):
                nearest = round_size(request.size, asset.sz_decimals)
                return Failure(
                    InvalidRequest(
                        invalid,
                        f"size {request.size} is not a multiple of the lot "
                        f"{lot_size(asset.sz_decimals)} (nearest below: {nearest})",
                    )
                )
            price = round_price(
                request.limit_price, asset.sz_decimals, up=request.side is Side.SELL
            )
            wire = order_wire(
                asset=asset.index,
                is_buy=request.side is Side.BUY,
                price=price,
                size=request.size,
                reduce_only=request.reduce_only,
                tif=tif,
                cloid=cloid_for(request.client_order_id),
            )
        except (ValueError, InvalidOperation) as error:
            return Failure(InvalidRequest(invalid, f"order not representable: {error}"[:200]))
        return Success((order_action([wire]), tif))

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self.prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self.send_prepared(prepared.unwrap())

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The order's signed ``/exchange`` payload; nothing sent. ``expiresAfter`` is
        the request's ``expires_at``, fixed here and covered by the signature, so the
        payload is valid until then whenever it is sent."""
        signer = self._http.trader()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        asset = await self._data.resolve(request.symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        built = self._order_body(request, asset.unwrap())
        if isinstance(built, Failure):
            return Failure(built.failure())
        action, tif = built.unwrap()
        expires_after = None
        if request.expires_at is not None:
            if request.expires_at <= self._clock():
                return Failure(NotSent(self._venue, "place_order: the order's deadline passed"))
            expires_after = int(request.expires_at.timestamp() * 1000)
        payload = self._http.sign(signer.unwrap(), action, expires_after)
        return Success(PreparedOrder(request, _Signed(payload, tif)))

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        signed = prepared.payload
        if not isinstance(signed, _Signed):
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        request, tif = prepared.request, signed.tif
        if request.expires_at is not None and request.expires_at <= self._clock():
            return Failure(NotSent(self._venue, "place_order: the order's deadline passed"))
        answer = await self._http.send(signed.payload)
        if isinstance(answer, Failure):
            return Failure(answer.failure())
        parsed = parse_order_response(
            self._venue, answer.unwrap(), request.size, rests=tif != "Ioc"
        )
        if isinstance(parsed, Failure):
            return Failure(
                Ambiguous(
                    self._venue,
                    f"order answer unreadable ({parsed.failure().message}); "
                    "look the order up by client id",
                )
            )
        placed = parsed.unwrap()
        if isinstance(placed, ExchangeError):
            return Failure(VenueRejected(self._venue, placed.message, "err"))
        return Success(
            Order(
                exchange=self._exchange,
                symbol=request.symbol,
                client_order_id=request.client_order_id,
                side=request.side,
                size=request.size,
                status=placed.status,
                filled_size=placed.filled_size,
                average_price=placed.average_price,
                venue_order_id=placed.venue_order_id,
                reduce_only=request.reduce_only,
                updated_at=self._clock(),
                reject_reason=placed.reject_reason,
            )
        )

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        signer = self._http.trader()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        asset = await self._data.resolve(symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        action = cancel_by_cloid_action(asset.unwrap().index, cloid_for(client_order_id))
        answer = await self._http.signed(signer.unwrap(), action)
        if isinstance(answer, Failure):
            return Failure(answer.failure())
        parsed = parse_cancel_response(self._venue, answer.unwrap())
        if isinstance(parsed, Failure):
            return Failure(
                Ambiguous(self._venue, f"cancel answer unreadable ({parsed.failure().message})")
            )
        outcome = parsed.unwrap()
        if isinstance(outcome, ExchangeError):
            return Failure(VenueRejected(self._venue, outcome.message, "err"))
        if isinstance(outcome, str):
            return Failure(VenueRejected(self._venue, outcome, "cancel"))
        return await self.fetch_order(symbol, client_order_id)

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        account = self._http.account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        answer = await self._http.info(
            {"type": "orderStatus", "user": account.unwrap(), "oid": cloid_for(client_order_id)}
        )
        if isinstance(answer, Failure):
            return Failure(answer.failure())
        parsed = parse_order_status(self._exchange, symbol, client_order_id, answer.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        order = parsed.unwrap()
        if order is None:
            return Failure(OrderNotFound(self._venue, f"no order with client id {client_order_id}"))
        return Success(order)


__all__ = ["HyperliquidExecution"]
