"""``watch``'s engine: market streams + REST fallback -> a live ranking of spreads.

One :class:`StreamFeed` per venue with a market stream, subscribed to the instruments its
``fetch_markets`` lists; a venue without a stream, or whose stream is ``DOWN``, is polled
over REST every ``rest_interval`` seconds instead (and says so). Every push re-ranks with
the same estimator as ``scan`` (:func:`rank_opportunities`); rates older than the
strategy's ``max_data_age`` are left out of the ranking, exactly as the decisions refuse
them. What changed goes to ``emit`` as a :data:`WatchChange`.

The session runs until cancelled (SIGINT/SIGTERM in the command; a cancel scope in tests).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from returns.result import Failure, Result, Success

from adapters.streams.board import RateBoard
from adapters.streams.feed import StreamFeed
from adapters.streams.registry import wire_for
from adapters.streams.types import (
    Gap,
    GapDetected,
    Listing,
    RatesPushed,
    StateChanged,
    StreamEvent,
    StreamState,
)
from atomic_fp.aggregators import FundingRateAggregator, MarketAggregator
from atomic_fp.decisions.ranking import rank_opportunities
from atomic_fp.decisions.types import Opportunity
from atomic_fp.errors import VenueError
from atomic_fp.models import ArbitrageConfig, FundingRate, Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.runtime import Venue, aggregator, in_venue_order

log = logging.getLogger("scripts.watch")

Clock = Callable[[], datetime]


async def _markets(
    venues: Sequence[Venue],
) -> dict[ExchangeIdentifier, Result[tuple[Market, ...], VenueError]]:
    """Every venue's market list, each under its own time limit (a value per venue)."""
    return in_venue_order(venues, await aggregator(venues, MarketAggregator).get_markets())


async def _rates(
    venues: Sequence[Venue],
) -> dict[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]]:
    """Every venue's current rates over REST (a value per venue)."""
    return in_venue_order(venues, await aggregator(venues, FundingRateAggregator).get_rates(None))


@attrs.define
class VenueStatus:
    """What ``watch`` shows per venue. ``state``: a :class:`StreamState` value, or
    ``rest-only`` (no stream for this kind) or ``failed`` (not even the market list)."""

    venue: ExchangeIdentifier
    kind: str
    state: str
    rest_fallback: bool = False
    detail: str | None = None
    gaps: int = 0
    last_gap: str | None = None
    rates: int = 0

    def describe(self) -> str:
        text = self.state
        if self.rest_fallback:
            text += ", REST fallback"
        return text


@attrs.frozen
class SpreadsChanged:
    at: datetime
    opportunities: tuple[Opportunity, ...]
    trigger: str


@attrs.frozen
class VenueChanged:
    at: datetime
    status: VenueStatus


@attrs.frozen
class GapReported:
    at: datetime
    gap: Gap


WatchChange = SpreadsChanged | VenueChanged | GapReported


@attrs.frozen
class _RestAnswer:
    venue: ExchangeIdentifier
    result: Result[tuple[FundingRate, ...], VenueError]


_Event = StreamEvent | _RestAnswer


@attrs.define
class FeedOptions:
    """Timing knobs of every feed (tests shorten them; the defaults suit real venues)."""

    ping_interval: float = 20.0
    idle_timeout: float = 60.0
    connect_timeout: float = 10.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    down_after_failures: int = 2


@attrs.define
class WatchSession:
    venues: Sequence[Venue]
    strategy: ArbitrageConfig
    emit: Callable[[WatchChange], None]
    clock: Clock
    symbols: frozenset[Symbol] | None = None
    all_pairs: bool = False
    min_apr: Decimal | None = None
    rest_interval: float = 30.0
    feed_options: FeedOptions = attrs.field(factory=FeedOptions)
    ws_urls: dict[str, str | None] = attrs.field(factory=dict)
    board: RateBoard = attrs.field(factory=RateBoard)
    statuses: dict[ExchangeIdentifier, VenueStatus] = attrs.field(factory=dict)
    feeds: dict[ExchangeIdentifier, StreamFeed] = attrs.field(factory=dict)
    _last: tuple[object, ...] | None = None
    _emitted: dict[ExchangeIdentifier, VenueStatus] = attrs.field(factory=dict)

    async def run(self) -> None:
        send, receive = anyio.create_memory_object_stream[_Event](math.inf)
        markets = await _markets(self.venues)
        # no market list (e.g. a venue that only answers funding calls): the instruments a
        # REST funding answer names serve instead, and its rates are the first values
        unlisted = [v for v in self.venues if isinstance(markets[v.id], Failure)]
        funding = await _rates(unlisted) if unlisted else {}
        async with send, receive, anyio.create_task_group() as group:
            group.start_soon(self._consume, receive)
            for venue in self.venues:
                listings = self._listings(markets[venue.id], funding.get(venue.id))
                self._start_venue(group, venue, listings, send)
            if self.board.rates():
                self._rerank("REST (market list unavailable)")

    def _listings(
        self,
        markets: Result[tuple[Market, ...], VenueError],
        funding: Result[tuple[FundingRate, ...], VenueError] | None,
    ) -> Result[tuple[Listing, ...], VenueError]:
        if isinstance(markets, Success):
            return Success(tuple(Listing.of_market(m) for m in markets.unwrap()))
        if funding is None or isinstance(funding, Failure):
            return Failure(markets.failure())
        rates = funding.unwrap()
        self.board.apply_rest(rates)
        return Success(tuple(x for x in map(Listing.of_rate, rates) if x is not None))

    def _start_venue(
        self,
        group: anyio.abc.TaskGroup,
        venue: Venue,
        listings: Result[tuple[Listing, ...], VenueError],
        send: MemoryObjectSendStream[_Event],
    ) -> None:
        if isinstance(listings, Failure) or not isinstance(venue.client, Success):
            error = listings.failure() if isinstance(listings, Failure) else None
            detail = error.describe() if error else "not built"
            self._set_status(VenueStatus(venue.id, venue.kind, "failed", detail=detail))
            return
        wanted = tuple(
            item
            for item in listings.unwrap()
            if self.symbols is None or item.symbol in self.symbols
        )  # --symbols: subscribe to those only (Hyperliquid and GRVT subscribe per instrument)
        self.board.set_listings(venue.id, wanted)
        wire = wire_for(venue.kind, str(venue.id), self.ws_urls.get(str(venue.id)))
        if wire is None:
            self._set_status(VenueStatus(venue.id, venue.kind, "rest-only", rest_fallback=True))
        else:
            options = self.feed_options
            feed = StreamFeed(
                wire=wire,
                venue_symbols=self.board.venue_symbols(venue.id),
                listener=send.send_nowait,
                ping_interval=options.ping_interval,
                idle_timeout=options.idle_timeout,
                connect_timeout=options.connect_timeout,
                backoff_initial=options.backoff_initial,
                backoff_max=options.backoff_max,
                down_after_failures=options.down_after_failures,
                clock=self.clock,
                ca_bundle=venue.ca_bundle,
            )
            self.feeds[venue.id] = feed
            self._set_status(VenueStatus(venue.id, venue.kind, StreamState.CONNECTING.value))
            group.start_soon(feed.run)
        self._count(venue.id)
        group.start_soon(self._rest_fallback, venue, send)

    async def _rest_fallback(self, venue: Venue, send: MemoryObjectSendStream[_Event]) -> None:
        """Poll REST while the venue has no live stream (no stream, or ``DOWN``)."""
        while True:
            feed = self.feeds.get(venue.id)
            if feed is None or feed.state is StreamState.DOWN:
                results = await _rates([venue])
                send.send_nowait(_RestAnswer(venue.id, results[venue.id]))
            await anyio.sleep(self.rest_interval)

    async def _consume(self, receive: MemoryObjectReceiveStream[_Event]) -> None:
        async for event in receive:
            self._on_event(event)

    def _on_event(self, event: _Event) -> None:
        if isinstance(event, RatesPushed):
            venue = ExchangeIdentifier(event.venue)
            if self.board.apply_stream(venue, event.updates):
                self._rerank(f"{venue} pushed")
            self._count(venue)
        elif isinstance(event, StateChanged):
            venue = ExchangeIdentifier(event.venue)
            status = self.statuses[venue]
            status.state = event.state.value
            status.rest_fallback = event.state is StreamState.DOWN
            status.detail = event.detail
            self._set_status(status)
        elif isinstance(event, GapDetected):
            venue = ExchangeIdentifier(event.gap.venue)
            status = self.statuses[venue]
            status.gaps += 1
            status.last_gap = event.gap.describe()
            log.warning("stream gap: %s", event.gap.describe())
            self.emit(GapReported(self.clock(), event.gap))
            self._set_status(status)
        elif isinstance(event, _RestAnswer):
            self._on_rest(event)

    def _on_rest(self, answer: _RestAnswer) -> None:
        status = self.statuses[answer.venue]
        feed = self.feeds.get(answer.venue)
        if feed is not None and feed.state is not StreamState.DOWN:
            return  # the stream came back while REST was answering: the stream wins
        if isinstance(answer.result, Failure):
            status.detail = f"REST fallback failed: {answer.result.failure().describe()}"
            self._set_status(status)
            return
        if self.board.apply_rest(answer.result.unwrap()):
            self._rerank(f"{answer.venue} REST fallback")
        self._count(answer.venue)
        status.rest_fallback = True
        self._set_status(status)

    def _count(self, venue: ExchangeIdentifier) -> None:
        self.statuses[venue].rates = self.board.count(venue)

    def _set_status(self, status: VenueStatus) -> None:
        self.statuses[status.venue] = status
        if self._emitted.get(status.venue) == status:
            return  # nothing new to say
        self._emitted[status.venue] = attrs.evolve(status)
        self.emit(VenueChanged(self.clock(), attrs.evolve(status)))

    def current(self, now: datetime) -> tuple[Opportunity, ...]:
        """The ranking ``scan`` would print from the rates held now (stale ones left out)."""
        max_age: timedelta = self.strategy.max_data_age
        rates = [
            rate
            for rate in self.board.rates()
            if (self.symbols is None or rate.symbol in self.symbols) and rate.age(now) <= max_age
        ]
        return tuple(
            rank_opportunities(
                rates,
                self.strategy,
                min_net_apr=self.min_apr,
                per_symbol=None if self.all_pairs else 1,
            )
        )

    def _rerank(self, trigger: str) -> None:
        now = self.clock()
        ranked = self.current(now)
        # a change is a different pair or figure, not a newer timestamp on the same values
        figures = tuple(
            (o.symbol, o.long_venue, o.short_venue, o.long_rate.rate, o.short_rate.rate)
            for o in ranked
        )
        if figures == self._last:
            return
        self._last = figures
        self.emit(SpreadsChanged(now, ranked, trigger))
