"""Market streams kept running for ``run``: the latest pushed rate of each traded symbol,
handed to the cycles only while it can be trusted.

A venue's pushed rate is used (no REST rates call) only when its stream is ``LIVE`` and the
rate is no older than ``max_age`` (the decisions' ``max_data_age``). Otherwise the cycle is
told why (``stream down``, ``stream reconnecting``, ``stream data stale (age 412s)``,
``no pushed rate for BTC yet``) and asks REST for that venue instead: a stream that is
reconnecting may have missed pushes, so what it holds is not used even if young, and stale
stream data never reaches a decision.

It implements :class:`atomic_fp.orchestration.pushed_rates.PushedRateSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta

import anyio
import attrs
from anyio.abc import TaskStatus

from adapters.streams.board import RateBoard
from adapters.streams.feed import StreamFeed
from adapters.streams.types import (
    GapDetected,
    Listing,
    RatesPushed,
    StateChanged,
    StreamEvent,
    StreamState,
    WireFormat,
)
from atomic_fp.models import FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

Clock = Callable[[], datetime]


@attrs.define
class LiveRates:
    """Feeds by venue, one board of their pushed rates. Add venues with :meth:`add`, run
    them with :meth:`run` in the caller's task group, read with :meth:`rates_for`."""

    max_age: timedelta
    clock: Clock
    board: RateBoard = attrs.field(factory=RateBoard)
    feeds: dict[ExchangeIdentifier, StreamFeed] = attrs.field(factory=dict)
    events: list[StreamEvent] = attrs.field(factory=list)
    """State changes and gaps, in order (pushes are only counted on the feed)."""
    on_event: Callable[[StreamEvent], None] | None = None

    def add(
        self,
        venue: ExchangeIdentifier,
        wire: WireFormat,
        listings: Iterable[Listing],
        **feed_options: float | str | None,
    ) -> StreamFeed:
        """``feed_options``: :class:`StreamFeed` fields (timeouts, ``ca_bundle``)."""
        self.board.set_listings(venue, listings)
        feed = StreamFeed(
            wire=wire,
            venue_symbols=self.board.venue_symbols(venue),
            listener=self._listen,
            clock=self.clock,
            **feed_options,  # type: ignore[arg-type]
        )
        self.feeds[venue] = feed
        return feed

    def _listen(self, event: StreamEvent) -> None:
        if isinstance(event, RatesPushed):
            self.board.apply_stream(ExchangeIdentifier(event.venue), event.updates)
            return
        if isinstance(event, (StateChanged, GapDetected)):
            self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Every feed, until cancelled; ``started`` at once (a venue that is down must not
        hold up the first cycle: it is asked over REST meanwhile)."""
        async with anyio.create_task_group() as group:
            for feed in self.feeds.values():
                group.start_soon(feed.run)
            task_status.started()

    def settled(self) -> bool:
        """Every feed has either pushed a rate (live) or given up for now (down)."""
        venues_with_rates = {venue for venue, _ in self.board.held()}
        return all(
            feed.state is StreamState.DOWN
            or (feed.state is StreamState.LIVE and venue in venues_with_rates)
            for venue, feed in self.feeds.items()
        )

    async def wait_settled(self, limit: float) -> bool:
        """Wait (at most ``limit`` seconds) until :meth:`settled`, so a first cycle right
        after start-up decides on pushed rates rather than falling back for all; whether
        it did. Venues not settled by then are simply asked over REST."""
        with anyio.move_on_after(limit):
            while not self.settled():  # noqa: ASYNC110 - feeds update plain attributes
                await anyio.sleep(0.02)
            return True
        return False

    def rates_for(
        self, symbol: Symbol, venues: Collection[ExchangeIdentifier], now: datetime
    ) -> dict[ExchangeIdentifier, FundingRate | str]:
        held = self.board.held()
        out: dict[ExchangeIdentifier, FundingRate | str] = {}
        for venue in venues:
            feed = self.feeds.get(venue)
            if feed is None:
                continue  # no stream for this venue: plain REST, nothing to report
            if feed.state is not StreamState.LIVE:
                reason = feed.health.last_error
                out[venue] = f"stream {feed.state.value}" + (f" ({reason})" if reason else "")
                continue
            pushed = held.get((venue, symbol))
            if pushed is None or pushed.source != "stream":
                out[venue] = f"no pushed rate for {symbol.base} yet"
                continue
            age = now - pushed.rate.observed_at
            if age > self.max_age:
                out[venue] = f"stream data stale (age {int(age.total_seconds())}s)"
                continue
            out[venue] = pushed.rate
        return out
