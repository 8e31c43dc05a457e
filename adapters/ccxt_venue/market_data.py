"""The market-data part of the ccxt venue client (a kit
:class:`~adapters.kit.components.MarketDataSource`): markets, funding and the order book
through ccxt's unified async API (``account.py`` and ``execution.py`` are the other parts;
``factory.py`` declares them).

Funding: a rate is used only when its interval is known, from, in order, ccxt's
``interval`` field, ``fetchFundingIntervals`` (when ``has`` says so) or the regular
cadence of the symbol's settled history (:func:`~adapters.ccxt_venue.parsing.
history_cadence`); otherwise it carries ``interval_doubt`` saying so and ``scan`` leaves it
out with that reason. Never 8 h by default (ccxt #20894, #27745; see ``parsing.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from returns.result import Failure, Result, Success

from adapters.ccxt_venue.errors import classify
from adapters.ccxt_venue.margin import TierReader
from adapters.ccxt_venue.parsing import (
    funding_rate,
    history_cadence,
    parse_interval,
    parse_market,
    settled_rate,
)
from adapters.ccxt_venue.parsing_account import parse_order_book
from adapters.registry import VenueSettings
from atomic_fp.errors import MalformedResponse, NotSupported, UnknownSymbol, VenueError
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol

T = TypeVar("T")

MAX_CADENCE_LOOKUPS = 20
"""At most this many symbols per call have their interval read from their history (one
request each); the rest, if any, are left out with that reason."""
CADENCE_SAMPLES = 4
MAX_HISTORY_PAGES = 50
_SETTLE_PREFERENCE = ("USDT", "USDC", "USD")


def epoch_ms(when: datetime) -> int:
    """``when`` as ccxt's epoch milliseconds."""
    return int(when.timestamp() * 1000)


def unsupported(venue: str, what: str) -> Failure[VenueError]:
    return Failure(NotSupported(venue, f"{what} is not supported by this venue client"))


def parsed(venue: str, parse: Callable[[], T]) -> Result[T, VenueError]:
    """``parse()``, or the ccxt answer it could not read as a MalformedResponse."""
    try:
        return Success(parse())
    except (ValueError, TypeError, AttributeError) as error:
        return Failure(MalformedResponse(venue, str(error)[:300]))


class CcxtMarketData:
    """Markets and funding of one ccxt exchange (``exchange`` is ccxt's async object)."""

    def __init__(self, settings: VenueSettings, exchange: Any) -> None:
        self._exchange = settings.id
        self._venue = str(settings.id)
        self._ccxt = exchange
        self._overrides = settings.symbol_overrides
        self._clock = settings.clock or (lambda: datetime.now(UTC))
        self.tiers = TierReader(self._venue, exchange, time.monotonic)
        """Leverage tiers of the symbols asked for (books, orders): see ``margin.py``."""

    async def aclose(self) -> None:
        """Close ccxt's session (the declared transport)."""
        await self._ccxt.close()

    async def granted(
        self, has_key: str, what: str, call: Callable[[], Awaitable[Any]]
    ) -> Result[Any, VenueError]:
        """``call`` when ccxt's ``has`` grants ``has_key``; a ccxt exception as its typed
        error."""
        if not self._ccxt.has.get(has_key):
            return unsupported(self._venue, what)
        try:
            return Success(await call())
        except Exception as error:
            return Failure(classify(self._venue, error, write=False))

    # ------------------------------------------------------------------ markets

    async def markets_by_symbol(self) -> Result[dict[Symbol, Mapping[str, Any]], VenueError]:
        """Each canonical symbol's linear perpetual (USDT settle first, then USDC, USD)."""
        try:
            markets = await self._ccxt.load_markets()
        except Exception as error:
            return Failure(classify(self._venue, error, write=False))
        chosen: dict[Symbol, Mapping[str, Any]] = {}
        rank: dict[Symbol, int] = {}
        for market in markets.values():
            parsed = parse_market(self._exchange, market, self._overrides, None)
            if parsed is None:
                continue
            settle = str(market.get("settle"))
            order = (
                _SETTLE_PREFERENCE.index(settle)
                if settle in _SETTLE_PREFERENCE
                else len(_SETTLE_PREFERENCE)
            )
            if parsed.symbol not in rank or order < rank[parsed.symbol]:
                chosen[parsed.symbol], rank[parsed.symbol] = market, order
        return Success(chosen)

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        found = await self.markets_by_symbol()
        if isinstance(found, Failure):
            return found
        markets = (
            parse_market(self._exchange, market, self._overrides, None)
            for market in found.unwrap().values()
        )
        return Success(tuple(m for m in markets if m is not None))

    async def market(self, symbol: Symbol) -> Result[Mapping[str, Any], VenueError]:
        found = await self.markets_by_symbol()
        if isinstance(found, Failure):
            return found
        market = found.unwrap().get(symbol)
        if market is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol.base} has no linear perpetual"))
        return Success(market)

    async def parsed_markets(self) -> Result[dict[str, Market], VenueError]:
        """Our markets keyed by ccxt symbol."""
        found = await self.markets_by_symbol()
        if isinstance(found, Failure):
            return found
        parsed = {
            m["symbol"]: parse_market(self._exchange, m, self._overrides, None)
            for m in found.unwrap().values()
        }
        return Success({k: v for k, v in parsed.items() if v is not None})

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        self.tiers.asked.add(symbol)
        found = await self.market(symbol)
        if isinstance(found, Failure):
            return found
        raw_market = found.unwrap()
        market = parse_market(self._exchange, raw_market, self._overrides, None)
        if market is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol.base} is not tradable"))
        raw = await self.granted(
            "fetchOrderBook",
            "order book",
            lambda: self._ccxt.fetch_order_book(raw_market["symbol"], depth),
        )
        return raw.bind(
            lambda book: parsed(
                self._venue,
                lambda: parse_order_book(self._exchange, market, book, depth, self._clock()),
            )
        )

    # ------------------------------------------------------------------ funding

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if not self._ccxt.has.get("fetchFundingRates"):
            return unsupported(self._venue, "funding rates")
        found = await self.markets_by_symbol()
        if isinstance(found, Failure):
            return found
        by_ccxt = {
            m["symbol"]: s
            for s, m in found.unwrap().items()
            if symbols is None or s in set(symbols)
        }
        try:
            raw_rates = await self._ccxt.fetch_funding_rates(None)
        except Exception as error:
            return Failure(classify(self._venue, error, write=False))
        wanted = {k: v for k, v in raw_rates.items() if k in by_ccxt}
        intervals, sources = await self._intervals(wanted)
        now = self._clock()
        rates: list[FundingRate] = []
        for ccxt_symbol, raw in sorted(wanted.items()):
            parsed = funding_rate(
                self._exchange,
                by_ccxt[ccxt_symbol],
                raw,
                intervals.get(ccxt_symbol),
                sources.get(ccxt_symbol, ""),
                now,
            )
            if isinstance(parsed, FundingRate):
                rates.append(parsed)
        return Success(tuple(rates))

    async def _intervals(
        self, raw_rates: Mapping[str, Mapping[str, Any]]
    ) -> tuple[dict[str, timedelta], dict[str, str]]:
        """Each symbol's interval, and for those without one, why (see the module)."""
        known = {s: i for s, r in raw_rates.items() if (i := parse_interval(r.get("interval")))}
        missing = [s for s in raw_rates if s not in known]
        if missing and self._ccxt.has.get("fetchFundingIntervals"):
            try:
                listed = await self._ccxt.fetch_funding_intervals(missing)
            except Exception:
                listed = {}
            for s in missing:
                interval = parse_interval((listed.get(s) or {}).get("interval"))
                if interval is not None:
                    known[s] = interval
            missing = [s for s in missing if s not in known]
        why = {
            s: f"ccxt gives no funding interval for {s} (no 'interval', none from "
            "fetchFundingIntervals, no regular history cadence); not assumed 8 h"
            for s in missing
        }
        if missing and self._ccxt.has.get("fetchFundingRateHistory"):
            checked = missing[:MAX_CADENCE_LOOKUPS]
            cadences = await asyncio.gather(*(self._cadence(s) for s in checked))
            known.update({s: c for s, c in zip(checked, cadences, strict=True) if c})
            for s in missing[MAX_CADENCE_LOOKUPS:]:
                why[s] = f"ccxt gives no funding interval for {s}; history not checked (too many)"
        return known, {s: w for s, w in why.items() if s not in known}

    async def _cadence(self, ccxt_symbol: str) -> timedelta | None:
        try:
            history = await self._ccxt.fetch_funding_rate_history(
                ccxt_symbol, None, CADENCE_SAMPLES
            )
        except Exception:
            return None
        stamps = [e["timestamp"] for e in history if isinstance(e.get("timestamp"), int)]
        return history_cadence(stamps[-CADENCE_SAMPLES:])

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """Settled rates by pages from ``start``; each entry's interval is the time since
        the previous settlement (exact even where the venue changed a symbol's interval);
        the first one, with no previous settlement, takes the gap to the next."""
        market = await self.market(symbol)
        if isinstance(market, Failure):
            return market
        ccxt_symbol = market.unwrap()["symbol"]
        entries: dict[int, Mapping[str, Any]] = {}
        since = epoch_ms(start)
        for _ in range(MAX_HISTORY_PAGES):
            try:
                page = await self._ccxt.fetch_funding_rate_history(ccxt_symbol, since)
            except Exception as error:
                return Failure(classify(self._venue, error, write=False))
            fresh = [e for e in page if isinstance(e.get("timestamp"), int)]
            fresh = [e for e in fresh if e["timestamp"] >= since and e["timestamp"] not in entries]
            entries.update({e["timestamp"]: e for e in fresh})
            if not fresh or max(e["timestamp"] for e in fresh) >= epoch_ms(end):
                break
            since = max(e["timestamp"] for e in fresh) + 1
        stamps = sorted(t for t in entries if epoch_ms(start) <= t < epoch_ms(end))
        rates: list[FundingRate] = []
        for i, stamp in enumerate(stamps):
            gap = stamp - stamps[i - 1] if i else (stamps[1] - stamp if len(stamps) > 1 else 0)
            if gap <= 0:
                continue  # a lone settlement: its interval cannot be told
            parsed = settled_rate(
                self._exchange, symbol, entries[stamp], timedelta(milliseconds=gap)
            )
            if parsed is not None:
                rates.append(parsed)
        return Success(tuple(rates))


__all__ = [
    "CADENCE_SAMPLES",
    "MAX_CADENCE_LOOKUPS",
    "MAX_HISTORY_PAGES",
    "CcxtMarketData",
    "epoch_ms",
    "parsed",
    "unsupported",
]
