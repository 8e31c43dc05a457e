"""Lighter's ``market_stats`` websocket feed: mark/index prices and live funding.

Lighter has no REST endpoint for mark price (only websocket ``market_stats``), and REST is
budgeted at 60 requests a minute, so prices and live funding come from here.

Wire format (L-ASYNC, L-DOCS websocket-reference): connect to ``.../stream``; the server
says ``{"type":"connected"}``; we send ``{"type":"subscribe","channel":"market_stats/<id>"}``
(or ``market_stats/all``); it answers ``subscribed/market_stats`` then
``update/market_stats`` frames with ``"channel":"market_stats:<id>"``. The server's
application ``{"type":"ping"}`` is answered with ``{"type":"pong"}``; we send
``{"type":"ping"}`` when quiet for ``ping_interval`` (Lighter closes a connection silent for
two minutes), and websocket-level pings are answered by the protocol layer.

The connection, heartbeat, reconnect with back-off and the counters are the shared stream
engine's (:class:`adapters.streams.feed.StreamFeed`, which runs on asyncio and trio); this
module adds only what the client reads: each market's full :class:`MarketStats` (mark and
index prices, not just the rate the engine pushes) with when it arrived.

Structured concurrency: :meth:`MarketStatsFeed.run` is a task the caller starts in its own
task group (``await tg.start(feed.run)``); it reconnects with exponential backoff forever
and ends only when cancelled. Garbage frames, drops and errors are counted in
:class:`FeedHealth` (with the last error) and never escape.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import anyio
import attrs
from anyio.abc import TaskStatus
from returns.result import Failure

from adapters.lighter.parsers import MarketStats, parse_ws_frame
from adapters.lighter.stream import DEFAULT_WS_URL, decoded_from_frame
from adapters.streams import feed as streams_feed
from adapters.streams.types import Decoded, StateChanged, StreamEvent, StreamState

if TYPE_CHECKING:
    import ssl

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@attrs.define
class FeedHealth(streams_feed.FeedHealth):
    """The shared counters under the names Lighter's feed has always had: a ``ping`` we
    send is the engine's heartbeat, a ``pong`` we answer its reply; ``connected`` is true
    while the stream is live (from the first stats after a connect until it drops)."""

    connected: bool = False

    @property
    def pings_sent(self) -> int:
        return self.heartbeats_sent

    @property
    def pongs_sent(self) -> int:
        return self.replies_sent


@attrs.frozen
class Observed:
    """A market's latest stats and when we received them."""

    stats: MarketStats
    received_at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - min(self.received_at, self.stats.observed_at)


@attrs.define
class _StatsWire:
    """The ``market_stats`` wire for chosen markets, keeping every stats it decodes."""

    url: str
    market_ids: Collection[int] | None
    keep: Callable[[MarketStats, datetime], None]
    venue: str = "lighter"

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        channels = (
            ["market_stats/all"]
            if self.market_ids is None
            else [f"market_stats/{market_id}" for market_id in sorted(self.market_ids)]
        )
        return [{"type": "subscribe", "channel": channel} for channel in channels]

    def heartbeat(self) -> object | None:
        return {"type": "ping"}

    def decode(self, message: object, received_at: datetime) -> Decoded:
        parsed = parse_ws_frame(message, received_at)
        if isinstance(parsed, Failure):
            return Decoded(garbage=parsed.failure().message[:200])
        frame = parsed.unwrap()
        for stats in frame.stats:
            self.keep(stats, received_at)
        decoded = decoded_from_frame(frame)
        # stats without a live rate carry no rate update, yet they are the stream talking
        return attrs.evolve(decoded, subscribed=bool(frame.stats))


@attrs.define
class MarketStatsFeed:
    url: str = DEFAULT_WS_URL
    market_ids: Collection[int] | None = None
    """Markets to subscribe to; ``None`` subscribes to ``market_stats/all``."""
    ping_interval: float = 30.0
    idle_timeout: float = 90.0
    connect_timeout: float = 10.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_frame: int = 4 * 1024 * 1024
    clock: Clock = _utc_now
    ssl_context: ssl.SSLContext | None = None
    """``None``: the process's shared context for ``ca_bundle`` (``adapters.tls``)."""
    ca_bundle: str | None = None
    health: FeedHealth = attrs.field(factory=FeedHealth)
    _latest: dict[int, Observed] = attrs.field(factory=dict)
    _update_event: anyio.Event = attrs.field(factory=anyio.Event)

    # ---- reading ---------------------------------------------------------------------

    def latest(self, market_id: int) -> Observed | None:
        return self._latest.get(market_id)

    def fresh(
        self, market_id: int, max_age: timedelta, now: datetime | None = None
    ) -> Observed | None:
        """The latest stats of ``market_id`` if younger than ``max_age``, else ``None``."""
        observed = self._latest.get(market_id)
        if observed is None:
            return None
        if observed.age(now or self.clock()) > max_age:
            return None
        return observed

    def snapshot(self) -> dict[int, Observed]:
        return dict(self._latest)

    async def wait_for_update(self) -> None:
        """Wait until the next market-stats value arrives (for tests and start-up)."""
        await self._update_event.wait()

    # ---- running ---------------------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Keep the feed connected until cancelled. Signals ``started`` at once: a venue
        that is down must not block the caller's start-up."""
        engine = streams_feed.StreamFeed(
            wire=_StatsWire(url=self.url, market_ids=self.market_ids, keep=self._keep),
            listener=self._on_event,
            ping_interval=self.ping_interval,
            idle_timeout=self.idle_timeout,
            connect_timeout=self.connect_timeout,
            backoff_initial=self.backoff_initial,
            backoff_max=self.backoff_max,
            max_frame=self.max_frame,
            clock=self.clock,
            ssl_context=self.ssl_context,
            ca_bundle=self.ca_bundle,
            health=self.health,
        )
        await engine.run(task_status=task_status)

    def _keep(self, stats: MarketStats, received_at: datetime) -> None:
        self._latest[stats.market_id] = Observed(stats=stats, received_at=received_at)
        self._update_event.set()
        self._update_event = anyio.Event()

    def _on_event(self, event: StreamEvent) -> None:
        if isinstance(event, StateChanged):
            self.health.connected = event.state is StreamState.LIVE


__all__ = ["DEFAULT_WS_URL", "FeedHealth", "MarketStatsFeed", "Observed"]
