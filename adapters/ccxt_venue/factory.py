"""The ccxt venue client: ccxt's unified async API on the venue kit's facade.

``create(settings)`` imports ``ccxt.async_support`` (only here: the registry loads this
module when a ``kind = "ccxt"`` venue is built) and builds the exchange named by
``options["exchange"]`` (``exchange = "<ccxt id>"`` in the TOML). ``base_url`` replaces
the scheme and host of every entry of ccxt's ``urls['api']`` (a string or a nested dict of
strings, per ccxt's ``Exchange.sign``: ``implode_hostname(self.urls['api'][...]) + path``),
so tests serve the venue's wire format from 127.0.0.1.

Markets and funding (known intervals only, never 8 h by default) are
:class:`~adapters.ccxt_venue.market_data.CcxtMarketData`'s; this module adds the order
book, the account (``fetchPositions``, ``fetchBalance``, ``fetchFundingHistory``, each only
where ``has`` grants it; mapped by ``parsing_account.py``) and orders.

Capabilities: ccxt's ``has`` map (:func:`~adapters.ccxt_venue.parsing.capabilities`)
intersected with what this client implements; trading ones only with credentials.
Orders carry our client id as ccxt's unified ``clientOrderId`` param (mapped per exchange,
e.g. Bitget ``clientOid``); look-ups and cancels go by that id.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs
from returns.result import Failure, Result, Success

from adapters.ccxt_venue.errors import classify
from adapters.ccxt_venue.margin import TierReader, parse_account_margin
from adapters.ccxt_venue.market_data import MAX_HISTORY_PAGES, CcxtMarketData, epoch_ms
from adapters.ccxt_venue.parsing import (
    capabilities,
    parse_market,
    parse_order,
)
from adapters.ccxt_venue.parsing_account import (
    parse_balances,
    parse_funding_payment,
    parse_order_book,
    parse_positions,
)
from adapters.kit import MarginFacade
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    InvalidRequest,
    MalformedResponse,
    OrderNotFound,
    UnknownSymbol,
    VenueError,
)
from atomic_fp.models import (
    Balance,
    FundingPayment,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.margin import AccountMargin
from atomic_fp.rounding import is_multiple
from atomic_fp.venue import Capability

T = TypeVar("T")

IMPLEMENTED = frozenset(
    {
        Capability.MARKETS,
        Capability.FUNDING_RATES,
        Capability.FUNDING_HISTORY,
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.ORDER_STATUS,
        Capability.ORDER_BOOK,
        Capability.POSITIONS,
        Capability.BALANCES,
        Capability.FUNDING_PAYMENTS,
    }
)
_TRADING = frozenset(
    {
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.ORDER_STATUS,
        Capability.POSITIONS,
        Capability.BALANCES,
        Capability.FUNDING_PAYMENTS,
    }
)
"""Capabilities that need the account's keys."""
_TIME_IN_FORCE = {
    TimeInForce.GTC: "GTC",
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "PO",
}


def point_urls_at(urls: Any, base_url: str) -> Any:
    """``urls`` (ccxt's ``urls['api']``: a string or nested dicts of strings) with every
    URL's scheme and host replaced by ``base_url``'s (the path after the host is kept)."""
    if isinstance(urls, str):
        path = urlsplit(urls.replace("{hostname}", "host")).path
        return base_url.rstrip("/") + path.rstrip("/")
    if isinstance(urls, dict):
        return {key: point_urls_at(value, base_url) for key, value in urls.items()}
    return urls


class CcxtVenue(CcxtMarketData, MarginFacade):
    """One account on one ccxt exchange: :class:`CcxtMarketData` plus the book, the
    account (positions, balances, funding payments, margin) and orders by our client id."""

    def __init__(self, settings: VenueSettings, exchange: Any) -> None:
        super().__init__(settings, exchange)
        self._tiers = TierReader(self._venue, exchange, time.monotonic)

    @property
    def capabilities(self) -> frozenset[Capability]:
        granted = capabilities(self._ccxt.has) & IMPLEMENTED
        return granted if self._has_credentials() else granted - _TRADING

    # ------------------------------------------------------------------ book and account

    async def _parsed_markets(self) -> Result[dict[str, Market], VenueError]:
        """Our markets keyed by ccxt symbol."""
        found = await self._markets_by_symbol()
        if isinstance(found, Failure):
            return found
        parsed = {
            m["symbol"]: parse_market(self._exchange, m, self._overrides, None)
            for m in found.unwrap().values()
        }
        return Success({k: v for k, v in parsed.items() if v is not None})

    async def _account_call(
        self, has_key: str, what: str, call: Callable[[], Awaitable[Any]]
    ) -> Result[Any, VenueError]:
        """``call`` when ``has`` grants ``has_key`` (and keys are set where needed); a
        ccxt exception as its typed error."""
        if not self._ccxt.has.get(has_key):
            return self._unsupported(what)
        try:
            return Success(await call())
        except Exception as error:
            return Failure(classify(self._venue, error, write=False))

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        self._tiers.asked.add(symbol)
        found = await self._market(symbol)
        if isinstance(found, Failure):
            return found
        raw_market = found.unwrap()
        market = parse_market(self._exchange, raw_market, self._overrides, None)
        if market is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol.base} is not tradable"))
        raw = await self._account_call(
            "fetchOrderBook",
            "order book",
            lambda: self._ccxt.fetch_order_book(raw_market["symbol"], depth),
        )
        return raw.bind(
            lambda book: self._parsed(
                lambda: parse_order_book(self._exchange, market, book, depth, self._clock())
            )
        )

    def _parsed(self, parse: Callable[[], T]) -> Result[T, VenueError]:
        try:
            return Success(parse())
        except (ValueError, TypeError, AttributeError) as error:
            return Failure(MalformedResponse(self._venue, str(error)[:300]))

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        """Open positions on the markets we trade, netted per symbol.

        Known gap: some exchanges answer ``fetchPositions`` for one product at a time, chosen
        by ccxt from the first symbol asked (Bitget's ``productType``: USDT-, USDC- or
        COIN-FUTURES, ``bitget.fetch_positions``). Our markets prefer USDT settlement, so a
        position in a USDC-settled perpetual on such an exchange may not be seen."""
        if not self._has_credentials():
            return self._not_configured("positions")
        markets = await self._parsed_markets()
        if isinstance(markets, Failure):
            return markets
        by_ccxt = markets.unwrap()
        raw = await self._account_call(
            "fetchPositions", "positions", lambda: self._ccxt.fetch_positions(list(by_ccxt))
        )
        return raw.bind(
            lambda rows: self._parsed(
                lambda: parse_positions(self._exchange, by_ccxt, rows, self._clock())
            )
        )

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """Equity, legs and rates for new positions (:mod:`adapters.ccxt_venue.margin`)."""
        if not self._has_credentials():
            return self._not_configured("margin")
        markets = await self._parsed_markets()
        if isinstance(markets, Failure):
            return markets
        by_ccxt = markets.unwrap()
        rows = await self._account_call(
            "fetchPositions", "margin", lambda: self._ccxt.fetch_positions(list(by_ccxt))
        )
        if isinstance(rows, Failure):
            return rows
        balance = await self._account_call("fetchBalance", "margin", self._ccxt.fetch_balance)
        if isinstance(balance, Failure):
            return balance
        now = self._clock()
        parsed = self._parsed(
            lambda: parse_account_margin(
                self._exchange, by_ccxt, rows.unwrap(), balance.unwrap(), now
            )
        )
        if isinstance(parsed, Failure):
            return parsed
        margin = parsed.unwrap()
        rates, problems = await self._tiers.rates(
            margin.equity,
            {leg.symbol for leg in margin.legs if leg.maintenance_margin is not None},
            {m.symbol: ccxt_symbol for ccxt_symbol, m in by_ccxt.items()},
        )
        return Success(
            attrs.evolve(
                margin,
                maintenance_rates={**margin.maintenance_rates, **rates},
                maintenance_rate_problems=problems,
            )
        )

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if not self._has_credentials():
            return self._not_configured("balances")
        raw = await self._account_call("fetchBalance", "balances", self._ccxt.fetch_balance)
        return raw.bind(
            lambda body: self._parsed(lambda: parse_balances(self._exchange, body, self._clock()))
        )

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """The account's own payments in ``[start, end)``, by pages of ccxt's
        ``fetchFundingHistory`` from ``start`` (all symbols at once)."""
        if not self._has_credentials():
            return self._not_configured("funding payments")
        markets = await self._parsed_markets()
        if isinstance(markets, Failure):
            return markets
        by_ccxt = markets.unwrap()
        entries: dict[tuple[str, int, str], Mapping[str, Any]] = {}
        since = epoch_ms(start)
        for _ in range(MAX_HISTORY_PAGES):
            page = await self._account_call(
                "fetchFundingHistory",
                "funding payments",
                functools.partial(self._ccxt.fetch_funding_history, None, since),
            )
            if isinstance(page, Failure):
                return page
            fresh = [
                e
                for e in page.unwrap()
                if isinstance(e.get("timestamp"), int) and e["timestamp"] >= since
            ]
            keys = [(str(e.get("symbol")), e["timestamp"], str(e.get("id"))) for e in fresh]
            new = {k: e for k, e in zip(keys, fresh, strict=True) if k not in entries}
            entries.update(new)
            if not new or max(k[1] for k in new) >= epoch_ms(end):
                break
            since = max(k[1] for k in new) + 1
        wanted = [
            (by_ccxt[k[0]], e)
            for k, e in sorted(entries.items())
            if k[0] in by_ccxt and epoch_ms(start) <= k[1] < epoch_ms(end)
        ]
        return self._parsed(
            lambda: tuple(
                sorted(
                    (parse_funding_payment(self._exchange, m, e) for m, e in wanted),
                    key=lambda p: p.time,
                )
            )
        )

    # ------------------------------------------------------------------ trading

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        self._tiers.asked.add(request.symbol)
        if not self._has_credentials():
            return self._not_configured("place_order")
        found = await self._market(request.symbol)
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
        if not self._has_credentials():
            return self._not_configured("cancel_order" if cancel else "fetch_order")
        found = await self._market(symbol)
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

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return await self._by_client_id(symbol, client_order_id, cancel=True)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._by_client_id(symbol, client_order_id, cancel=False)


def create(settings: VenueSettings) -> CcxtVenue:
    """The client for ``settings``; ``ValueError`` naming the problem when ``exchange`` is
    missing or not a ccxt id (the registry turns it into a failure naming the venue)."""
    try:
        ccxt_async: Any = importlib.import_module("ccxt.async_support")
    except ImportError:
        raise ValueError(
            "kind \"ccxt\" needs the ccxt library: pip install 'atomic-fp[ccxt]'"
        ) from None
    exchange_id = settings.options.get("exchange")
    if not exchange_id:
        raise ValueError('kind "ccxt" needs exchange = "<ccxt id>" (e.g. "bitget")')
    if exchange_id not in ccxt_async.exchanges:
        raise ValueError(f"exchange {exchange_id!r} is not an exchange ccxt knows")
    credentials = settings.credentials
    config: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": int(settings.timeout * 1000),
        "options": {"defaultType": "swap"},
    }
    for ours, theirs in (("api_key", "apiKey"), ("secret", "secret"), ("password", "password")):
        if credentials.get(ours):
            config[theirs] = credentials[ours]
    exchange = getattr(ccxt_async, exchange_id)(config)
    if settings.base_url:
        exchange.urls["api"] = point_urls_at(exchange.urls["api"], settings.base_url)
    return CcxtVenue(settings, exchange)


__all__ = ["IMPLEMENTED", "CcxtVenue", "create", "point_urls_at"]
