"""Lighter's market data: markets (the kit's TTL cache), current funding (websocket first,
REST for the rest), order books, funding history and the fees the markets publish.

Requests: markets ``GET /api/v1/orderBookDetails?filter=perp`` (cached for ``market_ttl``,
option ``market_ttl_seconds``, default 300); current funding ``GET /api/v1/funding-rates``
for the markets without a fresh websocket value (with a cold market cache both requests
are sent at once and joined: one round trip; the rates request is then sent even if the
feed turns out to cover every market); funding history ``GET /api/v1/fundings?market_id=
&resolution=1h&start_timestamp=&end_timestamp=&count_back=`` (windows of at most 720
hours); book ``GET /api/v1/orderBookOrders?market_id=&limit=``.

Mark prices and live funding come from :attr:`feed` (a
:class:`~adapters.lighter.ws.MarketStatsFeed` the caller runs): a value younger than
``ws_max_age`` is used instead of REST.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs
from returns.result import Failure, Result, Success

from adapters._future import both
from adapters.kit import TtlCache
from adapters.lighter.fees import market_fees
from adapters.lighter.http import LighterHttp
from adapters.lighter.parsers import (
    HOUR,
    LighterMarket,
    next_hour,
    parse_funding_rates,
    parse_fundings,
    parse_markets,
    parse_order_book,
)
from adapters.published_fees import PUBLISHED_FEES, account_or_published, with_note
from atomic_fp.errors import InvalidRequest, UnknownSymbol, VenueError
from atomic_fp.models import (
    FeeQuote,
    FundingKind,
    FundingRate,
    Market,
    OrderBook,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

if TYPE_CHECKING:
    from adapters.lighter.ws import MarketStatsFeed, Observed

PATH_MARKETS = "/api/v1/orderBookDetails"
PATH_FUNDING_RATES = "/api/v1/funding-rates"
HISTORY_WINDOW_HOURS = 720

_SYMBOL_ORDER = attrgetter("symbol.base", "symbol.contract_type")


class LighterMarketData:
    """The market-data half of :class:`~adapters.lighter.factory.LighterClient`."""

    _exchange: ExchangeIdentifier
    _venue: str
    _http: LighterHttp
    _markets: TtlCache[tuple[LighterMarket, ...]]
    _feed: MarketStatsFeed | None
    """The ``market_stats`` stream once built (``LighterClient.feed``), else ``None``."""
    overrides: Mapping[str, tuple[Symbol, Decimal]]
    ws_max_age: timedelta
    market_ttl: timedelta
    clock: Callable[[], datetime]

    async def _request(self, method: str, path: str, **kwargs: Any) -> Result[Any, VenueError]:
        return await self._http.request(method, path, **kwargs)

    # ---- markets ---------------------------------------------------------------------

    async def _read_markets(self) -> Result[tuple[LighterMarket, ...], VenueError]:
        body = await self._request("GET", PATH_MARKETS, params={"filter": "perp"})
        if isinstance(body, Failure):
            return body
        parsed = parse_markets(body.unwrap(), self._exchange, self.overrides)
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _load_markets(
        self, force: bool = False
    ) -> Result[tuple[LighterMarket, ...], VenueError]:
        if force:
            return await self._markets.refresh(self._read_markets)
        return await self._markets.get(self._read_markets)

    async def _market(self, symbol: Symbol) -> Result[LighterMarket, VenueError]:
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        for market in markets.unwrap():
            if market.market.symbol == symbol:
                return Success(market)
        return Failure(UnknownSymbol(self._venue, f"{symbol} is not listed on Lighter"))

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        markets = await self._load_markets(force=True)
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        return Success(tuple(m.market for m in markets.unwrap()))

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        """The fees Lighter's markets publish (``orderBookDetails``, cached with the market
        list), else (or when that fails) the published standard-account 0 %."""
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Success(account_or_published("lighter", Failure(markets.failure())))
        quote = market_fees(markets.unwrap())
        if quote is None:
            return Success(with_note(PUBLISHED_FEES["lighter"], "markets publish no fee"))
        return Success(quote)

    # ---- funding ---------------------------------------------------------------------

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        prefetched: Result[Any, VenueError] | None = None
        if self._markets.fresh() is None:
            # Cold market list: ask for the rates at the same time (one round trip, not
            # two) and join them to the list below. Unused when the feed covers all.
            loaded, prefetched = await both(
                self._load_markets(), self._request("GET", PATH_FUNDING_RATES)
            )
        else:
            loaded = await self._load_markets()
        if isinstance(loaded, Failure):
            return Failure(loaded.failure())
        markets = loaded.unwrap()
        if symbols is not None:
            listed = {m.market.symbol for m in markets}
            unknown = sorted(str(s) for s in symbols if s not in listed)
            if unknown:
                return Failure(UnknownSymbol(self._venue, f"not listed on Lighter: {unknown}"))
            wanted = set(symbols)
            markets = tuple(m for m in markets if m.market.symbol in wanted)
        now = self.clock()
        rates: list[FundingRate] = []
        missing: list[LighterMarket] = []
        for market in markets:
            live = self._ws_rate(market, now)
            if live is None:
                missing.append(market)
            else:
                rates.append(live)
        if missing:
            body = (
                prefetched
                if prefetched is not None
                else await self._request("GET", PATH_FUNDING_RATES)
            )
            if isinstance(body, Failure):
                return Failure(body.failure())
            parsed = parse_funding_rates(body.unwrap(), self._exchange, missing, self.clock())
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            rates.extend(self._with_ws_prices(rate, now) for rate in parsed.unwrap())
        # Symbol's order is that of its ordered fields, (base, contract_type): compared here
        # as the same tuple, without attrs' Python-level __lt__ per comparison (issue 20)
        rates.sort(key=_SYMBOL_ORDER)
        return Success(tuple(rates))

    def _fresh(self, market_id: int, now: datetime) -> Observed | None:
        """The stream's stats of ``market_id`` if younger than ``ws_max_age``; none from a
        stream never built (it never ran), which is not built for asking."""
        feed = self._feed
        return None if feed is None else feed.fresh(market_id, self.ws_max_age, now)

    def _ws_rate(self, market: LighterMarket, now: datetime) -> FundingRate | None:
        observed = self._fresh(market.market_id, now)
        if observed is None:
            return None
        stats = observed.stats
        hourly = stats.current_funding_hourly
        if hourly is None:
            return None
        seen = min(observed.received_at, stats.observed_at)
        return FundingRate(
            exchange=self._exchange,
            symbol=market.market.symbol,
            rate=hourly,
            interval=HOUR,
            kind=FundingKind.CURRENT,
            observed_at=seen,
            next_funding_time=next_hour(seen),
            mark_price=stats.mark_price,
            index_price=stats.index_price,
            venue_symbol=str(market.market_id),
            cap=stats.funding_cap_hourly,
            floor=None if stats.funding_cap_hourly is None else -stats.funding_cap_hourly,
            open_interest=market.market.open_interest,
            volume_24h=market.market.volume_24h,
        )

    def _with_ws_prices(self, rate: FundingRate, now: datetime) -> FundingRate:
        if rate.venue_symbol is None:
            return rate
        observed = self._fresh(int(rate.venue_symbol), now)
        if observed is None:
            return rate
        return attrs.evolve(
            rate, mark_price=observed.stats.mark_price, index_price=observed.stats.index_price
        )

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start.tzinfo is None or end.tzinfo is None:
            return Failure(InvalidRequest(self._venue, "start and end must be timezone-aware"))
        if end <= start:
            return Success(())
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        rates: dict[datetime, FundingRate] = {}
        cursor = start
        while cursor < end:
            chunk_end = min(end, cursor + timedelta(hours=HISTORY_WINDOW_HOURS))
            hours = int((chunk_end - cursor) / HOUR) + 1
            body = await self._request(
                "GET",
                "/api/v1/fundings",
                params={
                    "market_id": market.unwrap().market_id,
                    "resolution": "1h",
                    "start_timestamp": int(cursor.timestamp()),
                    "end_timestamp": int(chunk_end.timestamp()),
                    "count_back": hours,
                },
            )
            if isinstance(body, Failure):
                return Failure(body.failure())
            parsed = parse_fundings(body.unwrap(), self._exchange, market.unwrap())
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            for rate in parsed.unwrap():
                if rate.funding_time is not None and start <= rate.funding_time < end:
                    rates[rate.funding_time] = rate
            cursor = chunk_end
        return Success(tuple(rates[t] for t in sorted(rates)))

    # ---- book ------------------------------------------------------------------------

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"depth must be positive, got {depth}"))
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        limit = min(250, max(depth * 5, 50))
        body = await self._request(
            "GET",
            "/api/v1/orderBookOrders",
            params={"market_id": market.unwrap().market_id, "limit": limit},
        )
        if isinstance(body, Failure):
            return Failure(body.failure())
        parsed = parse_order_book(body.unwrap(), self._exchange, symbol, self.clock(), depth)
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())


__all__ = ["HISTORY_WINDOW_HOURS", "PATH_FUNDING_RATES", "PATH_MARKETS", "LighterMarketData"]
