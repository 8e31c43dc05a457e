"""GRVT's perpetuals: ``POST full/v1/all_instruments`` ``{"is_active": true}`` on the public
market-data host, kept ``instrument_ttl`` seconds in the kit's TTL cache and, with
``options["instrument_cache"]``, on disk too, so another process within the TTL (counted
from the fetch) skips that round trip (:mod:`adapters.grvt.cache`); one instrument per
canonical symbol (a USDT perp wins), the markets, and a symbol's instrument by name. The
base of :class:`~adapters.grvt.market_data.GrvtMarketData`."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Failure, Result, Success

from adapters.grvt import cache as instrument_cache
from adapters.grvt import parsers
from adapters.grvt.config import GrvtOptions
from adapters.grvt.http import GrvtHttp
from adapters.grvt.parsers import GrvtInstrument, InstrumentList
from adapters.kit import TtlCache
from atomic_fp import concurrency
from atomic_fp.errors import MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

log = logging.getLogger("adapters.grvt")


class GrvtInstruments:
    """GRVT's instrument list (memory, disk, venue) and the lookups built on it."""

    _exchange: ExchangeIdentifier
    _venue: str
    _http: GrvtHttp
    _options: GrvtOptions
    _overrides: Mapping[str, tuple[Symbol, Decimal]]
    _clock: Callable[[], datetime]
    _instruments: TtlCache[InstrumentList]
    _asked: set[Symbol]
    """Listed symbols asked for by name (funding rates, order book, orders): the margin
    read fills their maintenance rates from the margin rules
    (:mod:`adapters.grvt.margin_rules`). The orchestrator reads margin concurrently with
    rates and books, so a symbol's first cycle may still lack the rate (refused)."""

    async def _instrument_list(self, *, fresh: bool = False) -> Result[InstrumentList, VenueError]:
        """The perpetuals: from memory or disk while younger than the TTL, else (or when
        ``fresh``: a cached interval was contradicted) from the venue."""
        cache = self._instruments
        if not fresh and not cache.lock.locked():
            # what the uncontended lock below would answer, without its checkpoints: a warm
            # scan's GRVT request then goes out with the other venues', not after them
            cached = cache.fresh()
            if cached is not None:
                return Success(cached)
        async with cache.lock:
            cached = None if fresh else cache.fresh()
            if cached is not None:
                return Success(cached)
            stored = None if fresh else await self._instruments_from_disk()
            if stored is not None:
                listing, age = stored
                cache.put(listing, age=age)
                return Success(listing)
            sent_at = self._clock().timestamp()
            raw = await self._http.market_call("all_instruments", {"is_active": True})
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            accepted = self._accept_instruments(raw.unwrap())
            if isinstance(accepted, Failure):
                return accepted
            listing = accepted.unwrap()
            cache.put(listing)
            await self._instruments_to_disk(raw.unwrap(), listing, sent_at)
            return Success(listing)

    def _accept_instruments(self, body: Any) -> Result[InstrumentList, VenueError]:
        """An ``all_instruments`` body (live or cached) as the perpetuals we can use."""
        parsed = parsers.parse_instruments(self._exchange, body, self._overrides)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        listing = parsed.unwrap()
        if listing.skipped:
            log.warning(
                "%s: perpetuals without a funding interval left out: %s",
                self._venue,
                ", ".join(listing.skipped),
            )
        if not listing.instruments:
            return Failure(MalformedResponse(self._venue, "all_instruments listed no perpetual"))
        return Success(listing)

    @property
    def _instruments_source(self) -> str:
        return f"{self._options.market_url}/full/v1/all_instruments"

    async def _instruments_from_disk(self) -> tuple[InstrumentList, float] | None:
        """The instrument list and its age in seconds from ``instrument_cache``, if that
        file holds this venue's list, fetched less than ``instrument_ttl`` ago, which
        parses as a live answer would (see :mod:`adapters.grvt.cache`); else ``None``."""
        path = self._options.instrument_cache
        if path is None:
            return None
        now = self._clock().timestamp()
        found = await concurrency.in_worker_thread(
            functools.partial(
                instrument_cache.read,
                path,
                venue=self._venue,
                source=self._instruments_source,
                now=now,
                ttl=self._options.instrument_ttl,
            )
        )
        if found is None:
            return None
        accepted = self._accept_instruments(found.body)
        if isinstance(accepted, Failure):
            log.debug(
                "%s: instrument cache %s not used: %s",
                self._venue,
                path,
                accepted.failure().message,
            )
            return None
        return accepted.unwrap(), now - found.fetched_at

    async def _instruments_to_disk(self, body: Any, listing: InstrumentList, at: float) -> None:
        """Store a fetched list for the next process; only if the stored text reads back
        as the same list. Failures are logged at debug: the cache is an optimisation."""
        path = self._options.instrument_cache
        if path is None:
            return
        source = self._instruments_source
        try:
            text = instrument_cache.encode(
                venue=self._venue, source=source, fetched_at=at, body=body
            )
        except (TypeError, ValueError) as error:
            log.debug("%s: instrument cache not written: %r", self._venue, error)
            return
        stored = instrument_cache.decode(
            text, venue=self._venue, source=source, now=at, ttl=float("inf")
        )
        again = (
            parsers.parse_instruments(self._exchange, stored.body, self._overrides)
            if isinstance(stored, instrument_cache.CachedBody)
            else None
        )
        if again is None or isinstance(again, Failure) or again.unwrap() != listing:
            log.debug("%s: instrument cache not written: it would not read back", self._venue)
            return
        await concurrency.side_effect(instrument_cache.write, path, text)

    @staticmethod
    def _by_symbol(listing: InstrumentList) -> dict[Symbol, GrvtInstrument]:
        """One instrument per canonical symbol; a USDT perp wins over other quotes."""
        ordered = sorted(listing.instruments, key=lambda i: (i.quote != "USDT", i.name))
        index: dict[Symbol, GrvtInstrument] = {}
        for instrument in ordered:
            index.setdefault(instrument.symbol, instrument)
        return index

    def _lookup(self) -> dict[str, GrvtInstrument]:
        listing = self._instruments.last
        return {i.name: i for i in listing.instruments} if listing else {}

    async def _instrument_for(self, symbol: Symbol) -> Result[GrvtInstrument, VenueError]:
        listing = await self._instrument_list()
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        found = self._by_symbol(listing.unwrap()).get(symbol)
        if found is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol} is not a GRVT perpetual"))
        self._asked.add(symbol)
        return Success(found)

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        listing = await self._instrument_list()
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        return Success(tuple(i.market for i in self._by_symbol(listing.unwrap()).values()))


__all__ = ["GrvtInstruments", "log"]
