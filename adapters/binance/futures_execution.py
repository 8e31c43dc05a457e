"""Account reads and order calls on the Binance USDⓈ-M wire, for Binance and its clones.

Binance and Aster answer the same account and order requests with the same bodies
(``positionRisk``, ``balance``, the account totals, ``commissionRate``, ``income``,
``order`` by ``origClientOrderId``; the pure builder :func:`adapters.binance.orders.order_params`
and the parsers of :mod:`adapters.binance.parsers` read and write them). They differ in
the paths (Binance ``/fapi/v1|v2|v3``, Aster ``/fapi/v3`` throughout), the signing (HMAC
with a server-clock offset vs the v3 API-wallet signature) and the weight of an order. A
venue gives its :class:`FuturesPaths` and an HTTP side meeting :class:`FuturesHttp`; the
flows below are written once.

An order's ``expires_at`` becomes its ``recvWindow`` (the validity window the venue itself
enforces). Placement and cancels are never retried; an unreadable 2xx answer to a write is
:class:`Ambiguous`. A cancel answered ``-2011`` ("Unknown order sent.", for an order never
seen and for one already filled/cancelled alike) is followed by a lookup: the order in its
final state, or ``OrderNotFound``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import attrs
from returns.result import Failure, Result, Success

from adapters.binance import income
from adapters.binance.fees import COMMISSION_RATE_WEIGHT, REFERENCE_SYMBOL, parse_commission_rate
from adapters.binance.margin import parse_account_margin
from adapters.binance.market_data import BinanceMarketData
from adapters.binance.orders import CLIENT_ORDER_ID, order_params
from adapters.binance.parsers import parse_balances, parse_order, parse_positions
from adapters.kit.order_flow import market_for_order
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

CallT = TypeVar("CallT")

UNKNOWN_ORDER_ON_CANCEL = "-2011"


@attrs.frozen
class FuturesPaths:
    """Where one venue serves the shared flows, and what its order costs."""

    published_fees: str
    """The venue's key in :mod:`adapters.published_fees`."""
    order: str
    position_risk: str
    balance: str
    account: str
    """The account totals (``totalMarginBalance``, ``totalMaintMargin``, ``positions[]``)."""
    commission_rate: str
    income: str
    order_weight: int
    """IP weight of ``POST order`` (Binance 0: orders count against the order limits)."""


class FuturesHttp(Protocol[CallT]):
    """The HTTP side the flows need: signed calls, split into prepare and send."""

    @property
    def keyed(self) -> bool: ...

    def not_configured(self, what: str) -> Failure[VenueError]: ...

    async def signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        weight: int,
        *,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[Any, VenueError]: ...

    async def prepare_signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        weight: int,
        *,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[CallT, VenueError]: ...

    async def send_signed(self, call: CallT) -> Result[Any, VenueError]: ...


class SignedCallShape(Protocol):
    """What the flows read of a prepared call."""

    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


SignedT = TypeVar("SignedT", bound=SignedCallShape)


class FuturesExecution(Generic[SignedT]):
    """Account reads and order calls of one client on the Binance wire; a venue's
    subclass names its :attr:`PATHS` and the :attr:`CALL` type its HTTP side prepares."""

    PATHS: ClassVar[FuturesPaths]
    CALL: ClassVar[type[Any]]

    def __init__(
        self,
        http: FuturesHttp[SignedT],
        data: BinanceMarketData,
        exchange: ExchangeIdentifier,
        clock: Callable[[], float],
    ) -> None:
        self._paths = self.PATHS
        self._http = http
        self._data = data
        self._exchange = exchange
        self._venue = str(exchange)
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    # ------------------------------------------------------------------ account

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        """The account's rates (``commissionRate`` of BTCUSDT: rates are per account tier,
        the same on every symbol) when keyed, else (or when that fails, with why) the
        published tier."""
        if not self._http.keyed:
            return Success(account_or_published(self._paths.published_fees, None))
        path = self._paths.commission_rate
        body = await self._http.signed(
            "GET", path, [("symbol", REFERENCE_SYMBOL)], COMMISSION_RATE_WEIGHT, idempotent=True
        )
        account: Result[FeeQuote, VenueError] = body
        if isinstance(body, Success):
            parsed = parse_commission_rate(self._venue, body.unwrap(), path)
            account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published(self._paths.published_fees, account))

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if not self._http.keyed:
            return self._http.not_configured("positions")
        path = self._paths.position_risk
        body = await self._http.signed("GET", path, [], 5, idempotent=True)
        if isinstance(body, Failure):
            return body
        return parse_positions(self._exchange, body.unwrap(), self._data.symbols, self._now())

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if not self._http.keyed:
            return self._http.not_configured("balances")
        body = await self._http.signed("GET", self._paths.balance, [], 5, idempotent=True)
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
        body = await self._http.signed("GET", self._paths.account, [], 5, idempotent=True)
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
        """Income rows of type FUNDING_FEE with ``start <= time < end``, oldest first
        (paged by :func:`adapters.binance.income.funding_payments`)."""
        if not self._http.keyed:
            return self._http.not_configured("funding payments")
        path = self._paths.income

        async def page(params: Sequence[tuple[str, str]]) -> Result[Any, VenueError]:
            return await self._http.signed(
                "GET", path, list(params), income.INCOME_WEIGHT, idempotent=True
            )

        return await income.funding_payments(self._exchange, self._data.symbols, page, start, end)

    # ------------------------------------------------------------------ orders

    async def _send_order_call(self, call: SignedT) -> Result[Order, VenueError]:
        body = await self._http.send_signed(call)
        if isinstance(body, Failure):
            return body
        parsed = parse_order(self._exchange, body.unwrap(), self._data.symbols)
        if isinstance(parsed, Failure):
            error = parsed.failure()
            if call.method != "GET":
                # The venue acted (HTTP 2xx) but we cannot read what it did.
                return Failure(
                    Ambiguous(self._venue, f"{call.method} {call.path}: {error.message}")
                )
            return Failure(error)
        return Success(parsed.unwrap())

    async def _order_call(
        self, method: str, params: list[tuple[str, str]]
    ) -> Result[Order, VenueError]:
        call = await self._http.prepare_signed(
            method, self._paths.order, params, 1, idempotent=method == "GET"
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self._send_order_call(call.unwrap())

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        """Exactly :meth:`prepare_order` then :meth:`send_prepared`."""
        prepared = await self.prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self.send_prepared(prepared.unwrap())

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The order's signed ``POST order`` query; nothing sent. Its ``recvWindow`` ends at
        ``expires_at`` (fixed here), so it is valid until then whenever it is sent."""
        if not self._http.keyed:
            return self._http.not_configured("place_order")
        market = await market_for_order(self._exchange, request, self._data)
        if isinstance(market, Failure):
            return Failure(market.failure())
        params = order_params(self._venue, request, market.unwrap())
        if isinstance(params, Failure):
            return Failure(params.failure())
        call = await self._http.prepare_signed(
            "POST",
            self._paths.order,
            params.unwrap(),
            self._paths.order_weight,
            idempotent=False,
            deadline=request.expires_at,
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return Success(PreparedOrder(request, call.unwrap()))

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        call = prepared.payload
        if (
            not isinstance(call, self.CALL)
            or call.path != self._paths.order
            or call.method != "POST"
            or prepared.request.exchange != self._exchange
        ):
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        return await self._send_order_call(call)

    async def _by_client_id(
        self, what: str, symbol: Symbol, client_order_id: str
    ) -> Result[list[tuple[str, str]], VenueError]:
        if not self._http.keyed:
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
        return await self._order_call("GET", params.unwrap())

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """Cancel by client id; ``-2011`` is followed by a lookup (module docstring)."""
        params = await self._by_client_id("cancel_order", symbol, client_order_id)
        if isinstance(params, Failure):
            return params
        cancelled = await self._order_call("DELETE", params.unwrap())
        if isinstance(cancelled, Failure) and cancelled.failure().code == UNKNOWN_ORDER_ON_CANCEL:
            return await self._order_call("GET", params.unwrap())
        return cancelled


__all__ = ["UNKNOWN_ORDER_ON_CANCEL", "FuturesExecution", "FuturesHttp", "FuturesPaths"]
