"""The public half of the ccxt venue client: markets and funding through ccxt's unified
async API, on the venue kit's facade (:class:`CcxtVenue` in ``factory.py`` adds the book,
the account and trading).

Funding: a rate is used only when its interval is known, from, in order, ccxt's
``interval`` field, ``fetchFundingIntervals`` (when ``has`` says so) or the regular
cadence of the symbol's settled history (:func:`~adapters.ccxt_venue.parsing.
history_cadence`); otherwise it carries ``interval_doubt`` saying so and ``scan`` leaves it
out with that reason. Never 8 h by default (ccxt #20894, #27745; see ``parsing.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from returns.result import Failure, Result, Success

from adapters.ccxt_venue.errors import classify
from adapters.ccxt_venue.parsing import (
    funding_rate,
    history_cadence,
    parse_interval,
    parse_market,
    settled_rate,
)
from adapters.kit.facade import GuardedVenue
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    UnknownSymbol,
    VenueError,
)
from atomic_fp.models import (
    FundingRate,
    Market,
    Symbol,
)

MAX_CADENCE_LOOKUPS = 20
"""At most this many symbols per call have their interval read from their history (one
request each); the rest, if any, are left out with that reason."""
CADENCE_SAMPLES = 4
MAX_HISTORY_PAGES = 50
_SETTLE_PREFERENCE = ("USDT", "USDC", "USD")


def epoch_ms(when: datetime) -> int:
    """``when`` as ccxt's epoch milliseconds."""
    return int(when.timestamp() * 1000)


class CcxtMarketData(GuardedVenue):
    """Markets and funding of one ccxt exchange (``exchange`` is ccxt's async object)."""

    CREDENTIALS_HINT = "credentials api_key and secret (and password where the venue has one)"

    def __init__(self, settings: VenueSettings, exchange: Any) -> None:
        super().__init__(settings.id)
        self._ccxt = exchange
        self._overrides = settings.symbol_overrides
        self._credentials = dict(settings.credentials)
        self._clock = settings.clock or (lambda: datetime.now(UTC))

    # ------------------------------------------------------------------ kit hooks

    def _has_credentials(self) -> bool:
        return bool(self._credentials.get("api_key") and self._credentials.get("secret"))

    def _secrets(self) -> Sequence[str]:
        return tuple(v for v in self._credentials.values() if v)

    async def aclose(self) -> None:
        await self._ccxt.close()

    # ------------------------------------------------------------------ markets

    async def _markets_by_symbol(self) -> Result[dict[Symbol, Mapping[str, Any]], VenueError]:
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

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        found = await self._markets_by_symbol()
        if isinstance(found, Failure):
            return found
        markets = (
            parse_market(self._exchange, market, self._overrides, None)
            for market in found.unwrap().values()
        )
        return Success(tuple(m for m in markets if m is not None))

    async def _market(self, symbol: Symbol) -> Result[Mapping[str, Any], VenueError]:
        found = await self._markets_by_symbol()
        if isinstance(found, Failure):
            return found
        market = found.unwrap().get(symbol)
        if market is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol.base} has no linear perpetual"))
        return Success(market)

    # ------------------------------------------------------------------ funding

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if not self._ccxt.has.get("fetchFundingRates"):
            return self._unsupported("funding rates")
        found = await self._markets_by_symbol()
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

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """Settled rates by pages from ``start``; each entry's interval is the time since
        the previous settlement (exact even where the venue changed a symbol's interval);
        the first one, with no previous settlement, takes the gap to the next."""
        market = await self._market(symbol)
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
]
