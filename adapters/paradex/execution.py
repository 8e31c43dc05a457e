"""Paradex account reads and orders (JWT-authorised, orders Starknet-signed): the
account and execution parts of the kit's declared venue (method names are the public ones;
fees are the published API tier, :mod:`adapters.published_fees`).

==========================  =================================================================
``fetch_positions``         ``GET /positions``
``fetch_balances``          ``GET /balance`` + ``GET /account`` (free collateral)
``fetch_margin``            ``GET /positions`` + ``GET /account`` (equity, maintenance)
``fetch_funding_payments``  ``GET /funding/payments?start_at=&end_at=&page_size=`` (cursor)
``place_order``             ``POST /orders`` (signed ``Order`` typed data)
``cancel_order``            ``DELETE /orders/by_client_id/{client_id}``, then a lookup
``fetch_order``             ``GET /orders/by_client_id/{client_id}``
==========================  =================================================================

Paths per paradex-py 0.8.2 ``api/api_client.py`` (``submit_order``,
``cancel_order_by_client_id``, ``fetch_order_by_client_id``, ``fetch_positions``,
``fetch_balances``, ``fetch_funding_payments``); the order body as its
``Order.dump_to_dict`` writes it: ``market``, ``side`` (``BUY``/``SELL``), ``size``,
``type`` (``LIMIT``/``MARKET``), ``price`` (limit orders), ``client_id``, ``instruction``
(``GTC``, ``IOC``, ``POST_ONLY``; Paradex has no fill-or-kill, so FOK is refused
unsent), ``flags`` (``["REDUCE_ONLY"]``), ``signature`` (``'["r","s"]'``),
``signature_timestamp`` (ms) and ``recv_window`` (ms).

Validity window: Paradex rejects an order when ``now > signature_timestamp +
recv_window`` (docs.paradex.trade/trading/receive-window; the default when none is sent
is 300,000 ms on that page, 5,000 ms on an older copy, so we always send it). An order's
``expires_at`` becomes its ``recv_window`` (ms left until it, at least Paradex's minimum
of 10 ms, else the order is not sent); without one the client's ``recv_window_ms``
option (5,000) applies. So the venue's deadline is never later than ours, which is what
lets :func:`atomic_fp.orchestration.execution.resolve_order` settle a lost answer by a
lookup after the deadline.

Placement and cancels are never retried; a timeout, a 5xx or an unreadable 2xx answer to
a write is :class:`~atomic_fp.errors.Ambiguous` (the client id settles it by lookup).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.kit import joined_failure
from adapters.kit.order_flow import market_for_order
from adapters.paradex.account_parsing import (
    parse_account_margin,
    parse_balances,
    parse_funding_payments,
    parse_order,
    parse_positions,
)
from adapters.paradex.http import ParadexHttp
from adapters.paradex.market_data import ParadexMarketData
from adapters.paradex.parsing import ParadexMarket
from adapters.paradex.signing import (
    EXTRA_HINT,
    OrderMessage,
    SigningUnavailable,
    crypto_available,
)
from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    MalformedResponse,
    NotConfigured,
    NotSent,
    VenueError,
)
from atomic_fp.models import (
    Balance,
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

PATH_ORDERS = "orders"
PATH_BY_CLIENT_ID = "orders/by_client_id"
PATH_POSITIONS = "positions"
PATH_BALANCE = "balance"
PATH_ACCOUNT = "account"
PATH_FUNDING_PAYMENTS = "funding/payments"
MIN_RECV_WINDOW_MS = 10
"""Paradex's minimum ``recv_window`` (API reference "Create order")."""
DEFAULT_RECV_WINDOW_MS = 5_000
PAYMENTS_PAGE_SIZE = 100
MAX_PAYMENT_PAGES = 200
_CLOSED_ON_CANCEL = frozenset({"ORDER_IS_CLOSED", "ORDER_IS_NOT_OPEN"})
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_\-]{1,36}$")
_INSTRUCTION = {
    TimeInForce.GTC: "GTC",
    TimeInForce.IOC: "IOC",
    TimeInForce.POST_ONLY: "POST_ONLY",
}


def _multiple(value: Decimal, step: Decimal) -> bool:
    return step > 0 and value % step == 0


class ParadexExecution:
    """Account reads and order calls of one Paradex client."""

    def __init__(
        self,
        http: ParadexHttp,
        data: ParadexMarketData,
        exchange: ExchangeIdentifier,
        clock: Callable[[], float],
        recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
    ) -> None:
        self._http = http
        self._data = data
        self._exchange = exchange
        self._venue = str(exchange)
        self._clock = clock
        self._recv_window_ms = recv_window_ms

    def _unkeyed(self, what: str) -> Failure[VenueError] | None:
        """``NotConfigured`` naming what is missing: the key, or the signing extra."""
        if self._http.signer is None:
            return self._http.not_configured(what)
        if not crypto_available():
            return Failure(NotConfigured(self._venue, f"{what}: {EXTRA_HINT}"))
        return None

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    async def _markets(self) -> Result[dict[str, ParadexMarket], VenueError]:
        loaded = await self._data.markets()
        if isinstance(loaded, Failure):
            return loaded
        return Success({m.market.venue_symbol: m for m in loaded.unwrap()})

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if (unkeyed := self._unkeyed("positions")) is not None:
            return unkeyed
        markets = await self._markets()
        if isinstance(markets, Failure):
            return markets
        body = await self._http.private("GET", PATH_POSITIONS, idempotent=True)
        if isinstance(body, Failure):
            return body
        parsed = parse_positions(self._exchange, body.unwrap(), markets.unwrap(), self._now())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """``GET /positions`` and ``GET /account`` together: equity, maintenance margin,
        each market's rate for a new position."""
        held, body = await both(
            self.fetch_positions(), self._http.private("GET", PATH_ACCOUNT, idempotent=True)
        )
        if isinstance(held, Failure) or isinstance(body, Failure):
            return joined_failure(held, body)
        markets = await self._markets()  # cached by positions()
        if isinstance(markets, Failure):
            return markets
        parsed = parse_account_margin(
            self._exchange, body.unwrap(), held.unwrap(), markets.unwrap(), self._now()
        )
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        """``GET /balance`` and ``GET /account`` together (one round trip): the
        settlement asset's ``available`` is the account's free collateral."""
        if (unkeyed := self._unkeyed("balances")) is not None:
            return unkeyed
        body, summary = await both(
            self._http.private("GET", PATH_BALANCE, idempotent=True),
            self._http.private("GET", PATH_ACCOUNT, idempotent=True),
        )
        if isinstance(body, Failure) or isinstance(summary, Failure):
            return joined_failure(body, summary)
        parsed = parse_balances(self._exchange, body.unwrap(), self._now(), summary.unwrap())
        return (
            Failure(parsed.failure()) if isinstance(parsed, Failure) else Success(parsed.unwrap())
        )

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """Payments with ``start <= created_at < end``, oldest first, every page followed
        (a repeated cursor or more than ``MAX_PAYMENT_PAGES`` pages is malformed)."""
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            return Failure(InvalidRequest(self._venue, "funding payments need aware start < end"))
        if (unkeyed := self._unkeyed("funding payments")) is not None:
            return unkeyed
        markets = await self._markets()
        if isinstance(markets, Failure):
            return markets
        base = (
            ("start_at", str(int(start.timestamp() * 1000))),
            ("end_at", str(int(end.timestamp() * 1000))),
            ("page_size", str(PAYMENTS_PAGE_SIZE)),
        )
        found: list[FundingPayment] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAYMENT_PAGES):
            params = base if cursor is None else (*base, ("cursor", cursor))
            body = await self._http.private(
                "GET", PATH_FUNDING_PAYMENTS, params=params, idempotent=True
            )
            if isinstance(body, Failure):
                return body
            page = parse_funding_payments(self._exchange, body.unwrap(), markets.unwrap(), "USDC")
            if isinstance(page, Failure):
                return Failure(page.failure())
            rows, cursor = page.unwrap()
            found.extend(rows)
            if cursor is None:
                break
            if cursor in seen:
                return Failure(MalformedResponse(self._venue, "funding/payments: cursor repeated"))
            seen.add(cursor)
        else:
            return Failure(
                MalformedResponse(self._venue, f"funding/payments: over {MAX_PAYMENT_PAGES} pages")
            )
        unique = {(p.symbol, p.time, p.amount): p for p in found}
        return Success(
            tuple(
                sorted((p for p in unique.values() if start <= p.time < end), key=lambda p: p.time)
            )
        )

    def _order_body(
        self, request: OrderRequest, market: ParadexMarket, now_ms: int
    ) -> Result[dict[str, Any], VenueError]:
        """The ``POST /orders`` body, signed; or why the order must not be sent."""

        def refuse(why: str) -> Failure[VenueError]:
            return Failure(InvalidRequest(self._venue, f"order not sent: {why}"))

        info = market.market
        if not _CLIENT_ID.match(request.client_order_id):
            return refuse("client order id must be 1-36 of A-Z a-z 0-9 _ -")
        instruction = _INSTRUCTION.get(request.time_in_force)
        if instruction is None:
            return refuse(f"Paradex has no {request.time_in_force.value} time in force")
        if not _multiple(request.size, info.lot_size):
            return refuse(f"size {request.size} is not a multiple of {info.lot_size}")
        is_limit = request.order_type is OrderType.LIMIT
        price = request.limit_price if is_limit else None
        if price is not None and not _multiple(price, info.tick_size):
            return refuse(f"price {price} is not a multiple of {info.tick_size}")
        window = self._recv_window_ms
        if request.expires_at is not None:
            window = int(request.expires_at.timestamp() * 1000) - now_ms
            if window < MIN_RECV_WINDOW_MS:
                return Failure(NotSent(self._venue, "order not sent: its deadline has passed"))
        signer = self._http.signer
        if signer is None:
            return Failure(NotConfigured(self._venue, "place_order needs credentials"))
        side = "BUY" if request.side is Side.BUY else "SELL"
        message = OrderMessage(
            market=info.venue_symbol,
            side=side,
            order_type="LIMIT" if is_limit else "MARKET",
            size=request.size,
            price=price,
            signature_timestamp_ms=now_ms,
        )
        try:
            signature = signer.sign_order(message)
        except SigningUnavailable as missing:
            return Failure(NotConfigured(self._venue, f"order not sent: {missing}"))
        except ValueError as bad:
            return refuse(str(bad))
        body: dict[str, Any] = {
            "market": info.venue_symbol,
            "side": side,
            "size": str(request.size),
            "type": message.order_type,
            "client_id": request.client_order_id,
            "instruction": instruction,
            "signature": signature,
            "signature_timestamp": now_ms,
            "recv_window": window,
        }
        if price is not None:
            body["price"] = str(price)
        if request.reduce_only:
            body["flags"] = ["REDUCE_ONLY"]
        return Success(body)

    async def _read_order(
        self, what: str, body: Any, markets: dict[str, ParadexMarket], write: bool
    ) -> Result[Order, VenueError]:
        parsed = parse_order(self._exchange, body, markets)
        if isinstance(parsed, Failure):
            error = parsed.failure()
            if write:
                return Failure(Ambiguous(self._venue, f"{what}: {error.message}"))
            return Failure(error)
        return Success(parsed.unwrap())

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        if (unkeyed := self._unkeyed("place_order")) is not None:
            return unkeyed
        found = await market_for_order(self._exchange, request, self._data)
        if isinstance(found, Failure):
            return Failure(found.failure())
        markets = await self._markets()
        if isinstance(markets, Failure):
            return markets
        body = self._order_body(request, found.unwrap(), int(self._clock() * 1000))
        if isinstance(body, Failure):
            return body
        answer = await self._http.private("POST", PATH_ORDERS, body=body.unwrap(), idempotent=False)
        if isinstance(answer, Failure):
            return answer
        return await self._read_order("POST /orders", answer.unwrap(), markets.unwrap(), True)

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        if (unkeyed := self._unkeyed("fetch_order")) is not None:
            return unkeyed
        if not _CLIENT_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, "client order id has invalid characters"))
        found = await self._data.market(symbol)
        if isinstance(found, Failure):
            return found
        markets = await self._markets()
        if isinstance(markets, Failure):
            return markets
        body = await self._http.private(
            "GET", f"{PATH_BY_CLIENT_ID}/{client_order_id}", idempotent=True
        )
        if isinstance(body, Failure):
            return body
        return await self._read_order("GET order", body.unwrap(), markets.unwrap(), False)

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """Cancel by client id (Paradex answers 204 with no body), then the order as it is
        now; an order already closed (``ORDER_IS_CLOSED``) is looked up the same way."""
        if (unkeyed := self._unkeyed("cancel_order")) is not None:
            return unkeyed
        if not _CLIENT_ID.match(client_order_id):
            return Failure(InvalidRequest(self._venue, "client order id has invalid characters"))
        found = await self._data.market(symbol)
        if isinstance(found, Failure):
            return found
        cancelled = await self._http.private(
            "DELETE", f"{PATH_BY_CLIENT_ID}/{client_order_id}", idempotent=False
        )
        if isinstance(cancelled, Failure) and cancelled.failure().code not in _CLOSED_ON_CANCEL:
            return cancelled
        return await self.fetch_order(symbol, client_order_id)


__all__ = ["DEFAULT_RECV_WINDOW_MS", "MIN_RECV_WINDOW_MS", "ParadexExecution"]
