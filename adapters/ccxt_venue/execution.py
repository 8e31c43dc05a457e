"""The execution part of the ccxt venue client (a kit
:class:`~adapters.kit.components.OrderExecution`): orders carry our client id as ccxt's
unified ``clientOrderId`` param (mapped per exchange, e.g. Bitget ``clientOid``); look-ups
and cancels go by that id. Sizes are converted to the market's contracts (ccxt
``contractSize``) and must be whole lots. The facade asks it only with credentials."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from returns.result import Failure, Result, Success

from adapters.ccxt_venue.errors import classify
from adapters.ccxt_venue.market_data import CcxtMarketData
from adapters.ccxt_venue.parsing import parse_market, parse_order
from atomic_fp.errors import InvalidRequest, OrderNotFound, UnknownSymbol, VenueError
from atomic_fp.models import Order, OrderRequest, OrderType, Side, Symbol, TimeInForce
from atomic_fp.rounding import is_multiple

_TIME_IN_FORCE = {
    TimeInForce.GTC: "GTC",
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "PO",
}


class CcxtExecution:
    """Orders of one account on one ccxt exchange, by our client order id."""

    def __init__(self, data: CcxtMarketData, exchange: Any) -> None:
        self._data = data
        self._ccxt = exchange
        self._exchange = data._exchange
        self._venue = data._venue
        self._overrides = data._overrides

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        self._data.tiers.asked.add(request.symbol)
        found = await self._data.market(request.symbol)
        if isinstance(found, Failure):
            return found
        market = found.unwrap()
        parsed = parse_market(self._exchange, market, self._overrides, None)
        if parsed is None:
            return Failure(UnknownSymbol(self._venue, f"{request.symbol.base} is not tradable"))
        contracts = request.size / parsed.contract_multiplier
        if not is_multiple(contracts, parsed.lot_size):
            return Failure(
                InvalidRequest(
                    self._venue,
                    f"size {contracts} contracts is not a multiple of the lot {parsed.lot_size}",
                )
            )
        params: dict[str, Any] = {"clientOrderId": request.client_order_id}
        if request.reduce_only:
            params["reduceOnly"] = True
        if request.order_type is OrderType.LIMIT:
            params["timeInForce"] = _TIME_IN_FORCE[request.time_in_force]
            if request.time_in_force is TimeInForce.POST_ONLY:
                params["postOnly"] = True
        price = float(request.limit_price) if request.limit_price is not None else None
        try:
            raw = await self._ccxt.create_order(
                market["symbol"],
                request.order_type.value,
                "buy" if request.side is Side.BUY else "sell",
                float(contracts),
                price,
                params,
            )
        except Exception as error:
            return Failure(classify(self._venue, error, write=True))
        return Success(
            parse_order(
                self._exchange,
                request.symbol,
                {"amount": str(contracts), **{k: v for k, v in raw.items() if v is not None}},
                request.client_order_id,
                request.side,
                parsed.contract_multiplier,
            )
        )

    async def _by_client_id(
        self, symbol: Symbol, client_order_id: str, *, cancel: bool
    ) -> Result[Order, VenueError]:
        found = await self._data.market(symbol)
        if isinstance(found, Failure):
            return found
        market = found.unwrap()
        multiplier = Decimal(str(market.get("contractSize") or 1))
        call = self._ccxt.cancel_order if cancel else self._ccxt.fetch_order
        try:
            raw = await call("", market["symbol"], {"clientOrderId": client_order_id})
        except Exception as error:
            return Failure(classify(self._venue, error, write=cancel))
        if not raw:
            return Failure(OrderNotFound(self._venue, f"no order {client_order_id}"))
        side = Side.SELL if raw.get("side") == "sell" else Side.BUY
        return Success(parse_order(self._exchange, symbol, raw, client_order_id, side, multiplier))

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._by_client_id(symbol, client_order_id, cancel=True)

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._by_client_id(symbol, client_order_id, cancel=False)


__all__ = ["CcxtExecution"]
