"""GRVT's market data: the perpetuals (the kit's TTL cache, optionally shared on disk),
current funding, funding history and order books, all on the public market-data host.

Requests: ``POST full/v1/all_instruments`` ``{"is_active": true}`` (cached
``instrument_ttl`` seconds; with ``options["instrument_cache"]`` also kept on disk so
another process within the TTL, counted from the fetch, skips that round trip: see
:mod:`adapters.grvt.cache`), ``full/v1/ticker`` ``{"instrument": name}`` one per
instrument (GRVT has no bulk ticker), ``full/v1/book``, ``full/v1/funding``.

Current rates come in one round trip from the market-data websocket's ticker snapshots when
the client has a stream URL (:mod:`adapters.grvt.ticker_snapshot`; its handshakes overlap
the instrument-list request of a cold cache); instruments it did not deliver, or all of them
when it cannot be used, are read with the per-instrument REST ticker as before.

The instrument list and its caches are :mod:`adapters.grvt.instruments` (the base class);
this module reads funding and order books.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.grvt import parsers
from adapters.grvt.instruments import GrvtInstruments
from adapters.grvt.parsers import GrvtInstrument, InstrumentList
from adapters.grvt.ticker_snapshot import TickerSnapshots
from atomic_fp import concurrency
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import FundingRate, OrderBook, Symbol

log = logging.getLogger("adapters.grvt")

BOOK_DEPTHS = (10, 50, 100, 500)
HISTORY_PAGE_LIMIT = 1000
MAX_PAGES = 500


def ns(moment: datetime) -> int:
    """Unix nanoseconds (GRVT's time unit)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return delta // timedelta(microseconds=1) * 1000


def _summarise(failures: Mapping[str, VenueError], total: int) -> VenueError:
    names = sorted(failures)
    first = failures[names[0]]
    detail = "; ".join(f"{name} ({failures[name].describe()})" for name in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    message = f"ticker failed for {len(names)} of {total} instruments: {detail}{more}"[:1500]
    return attrs.evolve(first, message=message)


class GrvtMarketData(GrvtInstruments):
    """The market-data half of :class:`~adapters.grvt.factory.GrvtClient`."""

    last_funding_failures: Mapping[str, VenueError]
    _tickers: TickerSnapshots | None

    async def _ticker(self, instrument: GrvtInstrument) -> Result[FundingRate, VenueError]:
        try:
            raw = await self._http.market_call("ticker", {"instrument": instrument.name})
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            return parsers.parse_ticker(self._exchange, instrument, raw.unwrap(), self._clock())
        except Exception as error:  # a task must not raise into the task group
            return Failure(MalformedResponse(self._venue, f"ticker: {type(error).__name__}"))

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """CURRENT rates from one ticker call per instrument (bounded concurrency).

        Failure rule (a missing rate must never look like a zero or like "not listed"):

        - explicit ``symbols``: all or nothing. An unlisted symbol is ``UnknownSymbol``;
          if any ticker fails the call fails, its message naming every failed instrument
          (the error type is that of the first failure by name).
        - ``symbols=None`` ("every listed perp"): the rates that were read are returned;
          each instrument whose ticker failed is logged (warning) and exposed in
          :attr:`last_funding_failures`. If every ticker failed, the call fails.
        """
        listing = await self._listing_with_stream_ready()
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        index = self._by_symbol(listing.unwrap())
        if symbols is None:
            targets = list(index.values())
        else:
            unknown = sorted(str(s) for s in symbols if s not in index)
            if unknown:
                return Failure(
                    UnknownSymbol(self._venue, f"not GRVT perpetuals: {', '.join(unknown)}")
                )
            targets = [index[s] for s in dict.fromkeys(symbols)]
            self._asked.update(symbols)
        results = await self._streamed_tickers(targets)
        limiter = concurrency.capacity_limiter(self._options.concurrency)

        async def one(instrument: GrvtInstrument) -> None:
            async with limiter:
                results[instrument.name] = await self._ticker(instrument)

        async with concurrency.task_group() as group:
            for instrument in targets:
                if instrument.name not in results:
                    group.start_soon(one, instrument)
        rates: list[FundingRate] = []
        failures: dict[str, VenueError] = {}
        for instrument in targets:
            outcome = results[instrument.name]
            if isinstance(outcome, Failure):
                failures[instrument.name] = outcome.failure()
            else:
                rates.append(outcome.unwrap())
        if symbols is None:
            self.last_funding_failures = failures
            for name, error in sorted(failures.items()):
                log.warning("%s: no funding rate for %s: %s", self._venue, name, error)
        if failures and (symbols is not None or not rates):
            return Failure(_summarise(failures, len(targets)))
        return await self._checked_intervals(rates)

    async def _listing_with_stream_ready(self) -> Result[InstrumentList, VenueError]:
        """The instrument list; meanwhile the ticker stream connects (when there is one),
        so a cold scan pays the two in parallel, not one after the other."""
        tickers = self._tickers
        if tickers is None or tickers.ready():  # warm: nothing to connect meanwhile
            return await self._instrument_list()
        found: list[Result[InstrumentList, VenueError]] = []

        async def listing() -> None:
            found.append(await self._instrument_list())

        async with concurrency.task_group() as group:
            group.start_soon(tickers.prepare)
            group.start_soon(listing)
        return found[0]

    async def _streamed_tickers(
        self, targets: list[GrvtInstrument]
    ) -> dict[str, Result[FundingRate, VenueError]]:
        """The rates the ticker stream delivered (none without a stream); the caller asks
        REST for the others."""
        if self._tickers is None or not targets:
            return {}
        read = await self._tickers.read([t.name for t in targets])
        if read.problem is not None:
            log.info("%s: ticker stream: %s; REST tickers instead", self._venue, read.problem)
        now = self._clock()
        rates: dict[str, Result[FundingRate, VenueError]] = {}
        for target in targets:
            feed = read.feeds.get(target.name)
            if feed is None:
                continue
            parsed = parsers.parse_ticker(self._exchange, target, {"result": feed}, now)
            if isinstance(parsed, Success):
                rates[target.name] = Success(parsed.unwrap())
            else:  # REST gets its chance
                log.info("%s: streamed ticker of %s: %s", self._venue, target.name, parsed)
        return rates

    async def _checked_intervals(
        self, rates: list[FundingRate]
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """Rates whose (cached) instrument interval contradicts the ticker's next funding
        time get the instrument list re-read from the venue and their interval and caps
        from it; a rate still in doubt carries ``interval_doubt`` (:mod:`atomic_fp.intervals`)."""
        if not any(interval_doubt(rate) for rate in rates):
            return Success(tuple(rates))
        listing = await self._instrument_list(fresh=True)
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        by_name = {i.name: i for i in listing.unwrap().instruments}
        checked: list[FundingRate] = []
        for rate in rates:
            instrument = by_name.get(rate.venue_symbol or "")
            if instrument is not None and interval_doubt(rate):
                rate = attrs.evolve(
                    rate,
                    interval=instrument.funding_interval,
                    cap=instrument.funding_cap,
                    floor=instrument.funding_floor,
                )
            doubt = interval_doubt(rate)
            checked.append(rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt))
        return Success(tuple(checked))

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start > end:
            return Failure(InvalidRequest(self._venue, "funding history: start is after end"))
        found = await self._instrument_for(symbol)
        if isinstance(found, Failure):
            return Failure(found.failure())
        instrument = found.unwrap()
        body: dict[str, Any] = {
            "instrument": instrument.name,
            "start_time": str(ns(start)),
            "end_time": str(ns(end)),
            "limit": HISTORY_PAGE_LIMIT,
            "agg_type": "FUNDING_INTERVAL",
        }
        by_time: dict[datetime, FundingRate] = {}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            raw = await self._http.market_call("funding", body)
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            page = parsers.parse_funding_page(self._exchange, instrument, raw.unwrap())
            if isinstance(page, Failure):
                return Failure(page.failure())
            content = page.unwrap()
            for rate in content.rates:
                assert rate.funding_time is not None
                if start <= rate.funding_time < end:
                    by_time.setdefault(rate.funding_time, rate)
            cursor = content.next_cursor
            if not content.rates or cursor is None:
                return Success(tuple(by_time[t] for t in sorted(by_time)))
            if cursor in seen:
                return Failure(MalformedResponse(self._venue, "funding: cursor repeats"))
            seen.add(cursor)
            body["cursor"] = cursor
        return Failure(MalformedResponse(self._venue, f"funding: more than {MAX_PAGES} pages"))

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        found = await self._instrument_for(symbol)
        if isinstance(found, Failure):
            return Failure(found.failure())
        instrument = found.unwrap()
        asked = next((d for d in BOOK_DEPTHS if d >= depth), BOOK_DEPTHS[-1])
        raw = await self._http.market_call("book", {"instrument": instrument.name, "depth": asked})
        if isinstance(raw, Failure):
            return Failure(raw.failure())
        book = parsers.parse_book(self._exchange, instrument, raw.unwrap())
        if isinstance(book, Failure):
            return Failure(book.failure())
        full = book.unwrap()
        return Success(attrs.evolve(full, bids=full.bids[:depth], asks=full.asks[:depth]))


__all__ = ["BOOK_DEPTHS", "HISTORY_PAGE_LIMIT", "MAX_PAGES", "GrvtMarketData", "ns"]
