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

The flows are :class:`~adapters.binance.futures_execution.FuturesExecution`'s, shared with
Aster. ``POST order`` has IP weight 0 (Binance "New Order": weight 0 on the IP limit, 1 on
the order-count limits). Binance keeps three months of income history.
"""

from __future__ import annotations

from returns.result import Failure, Result, Success

from adapters.binance.fees import PATH_COMMISSION_RATE
from adapters.binance.futures_execution import FuturesExecution, FuturesPaths
from adapters.binance.http import SignedCall
from adapters.binance.parsers import parse_orders
from atomic_fp.errors import VenueError
from atomic_fp.models import Order, Symbol

PATH_ORDER = "/fapi/v1/order"
PATH_OPEN_ORDERS = "/fapi/v1/openOrders"

BINANCE_PATHS = FuturesPaths(
    published_fees="binance",
    order=PATH_ORDER,
    position_risk="/fapi/v3/positionRisk",
    balance="/fapi/v2/balance",
    account="/fapi/v2/account",
    commission_rate=PATH_COMMISSION_RATE,
    income="/fapi/v1/income",
    order_weight=0,
)


class BinanceExecution(FuturesExecution[SignedCall]):
    """Account reads and order calls of one Binance client."""

    PATHS = BINANCE_PATHS
    CALL = SignedCall

    async def open_orders(self, symbol: Symbol | None) -> Result[tuple[Order, ...], VenueError]:
        """Open orders of one symbol (weight 1) or of all (weight 40)."""
        if not self._http.keyed:
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


__all__ = ["BINANCE_PATHS", "BinanceExecution"]
