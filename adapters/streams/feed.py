"""A venue's market stream kept alive: heartbeat, bounded reconnect with back-off,
resubscription, gap detection, and a state that tells callers when to fall back to REST.

Structured concurrency: :meth:`StreamFeed.run` is a task the caller starts in its own task
group (``await tg.start(feed.run)``); it signals ``started`` at once (a venue that is down
must not block start-up), reconnects forever with a back-off capped at ``backoff_max``, and
ends only when cancelled. Everything it learns goes to ``listener`` as
:data:`~adapters.streams.types.StreamEvent` values; nothing escapes as an exception.

Staleness: updates keep the venue's own event time (or the receive time) as
``observed_at``; a feed never re-stamps old data, so rates held while it is down age and
the decisions' ``max_data_age`` rule refuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import anyio
import attrs
from anyio.abc import TaskStatus

from adapters._http import loads
from adapters.streams.types import (
    Decoded,
    Gap,
    GapDetected,
    OrdersPushed,
    RatesPushed,
    SequenceMark,
    StateChanged,
    StreamEvent,
    StreamState,
    WireFormat,
)

if TYPE_CHECKING:
    import ssl

    from adapters.streams.connection import WebSocketConnection

Clock = Callable[[], datetime]
Listener = Callable[[StreamEvent], None]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _ignore(event: StreamEvent) -> None:
    return None


@attrs.define
class FeedHealth:
    """Counters of a feed's life; ``last_error`` is the latest problem, as text."""

    connects: int = 0
    drops: int = 0
    frames: int = 0
    updates: int = 0
    garbage_frames: int = 0
    venue_errors: int = 0
    heartbeats_sent: int = 0
    replies_sent: int = 0
    gaps: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    last_message_at: datetime | None = None


@attrs.define
class StreamFeed:
    """Keeps one venue's market stream connected (see the module docstring).

    ``venue_symbols``: the instruments to subscribe to (ignored by wire formats whose URL
    names the stream, e.g. Binance ``!markPrice@arr``). ``down_after_failures``: after this
    many failed attempts in a row (connect refused, handshake failed, dropped before any
    data) the state is ``DOWN``, the signal to use REST until the stream is live again.
    """

    wire: WireFormat
    venue_symbols: Sequence[str] = ()
    listener: Listener = _ignore
    ping_interval: float = 20.0
    idle_timeout: float = 60.0
    connect_timeout: float = 10.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    down_after_failures: int = 2
    max_frame: int = 8 * 1024 * 1024
    clock: Clock = _utc_now
    ssl_context: ssl.SSLContext | None = None
    """``None``: the process's shared context for ``ca_bundle`` (``adapters.tls``)."""
    ca_bundle: str | None = None
    """A PEM file of CAs to trust instead of the default store (config ``ca_bundle``)."""
    health: FeedHealth = attrs.field(factory=FeedHealth)
    state: StreamState = StreamState.CONNECTING
    _dropped_at: datetime | None = None
    _drop_reason: str | None = None
    _sequences: dict[str, int] = attrs.field(factory=dict)

    @property
    def venue(self) -> str:
        return self.wire.venue

    # ---- running ---------------------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        delay = self.backoff_initial
        while True:
            updates_before = self.health.updates
            try:
                await self._session()
            except Exception as error:  # anything: counted, reported, reconnected
                self.health.last_error = f"{type(error).__name__}: {error}"[:300]
            if self._dropped_at is None:
                self._dropped_at = self.clock()
                self._drop_reason = self.health.last_error or "disconnected"
            self.health.drops += 1
            if self.health.updates > updates_before:
                self.health.consecutive_failures = 0
                delay = self.backoff_initial  # the session worked: start back-off afresh
            self.health.consecutive_failures += 1
            down = self.health.consecutive_failures >= self.down_after_failures
            self._set_state(
                StreamState.DOWN if down else StreamState.RECONNECTING, self.health.last_error
            )
            await anyio.sleep(delay)
            delay = min(self.backoff_max, delay * 2)

    async def _session(self) -> None:
        if self.state is not StreamState.DOWN:
            self._set_state(
                StreamState.CONNECTING if self.health.connects == 0 else StreamState.RECONNECTING
            )
        # an authenticated stream (GRVT's trading host) names its handshake headers; they
        # are asked for on every (re)connect, so an expired session is renewed
        headers_of = getattr(self.wire, "handshake_headers", None)
        headers = await headers_of() if headers_of is not None else None
        # imported here, not at the top: it loads ``websockets`` (see its module doc)
        from adapters.streams.connection import open_connection

        connection = await open_connection(
            self.wire.url,
            limit=self.connect_timeout,
            max_frame=self.max_frame,
            ssl_context=self.ssl_context,
            ca_bundle=self.ca_bundle,
            headers=headers,
        )
        try:
            self.health.connects += 1
            self._sequences.clear()  # a new subscription starts new sequences
            for message in self.wire.subscriptions(self.venue_symbols):
                await connection.send_json(message)
            await self._receive_loop(connection)
        finally:
            with anyio.CancelScope(shield=True):
                await connection.aclose()

    async def _receive_loop(self, connection: WebSocketConnection) -> None:
        from adapters.streams.connection import ConnectionClosed

        last_heard = anyio.current_time()
        binary_seen = 0
        while True:
            text = await connection.receive(self.ping_interval)
            if connection.binary_frames > binary_seen:
                # every venue here speaks JSON text: a binary frame is garbage, and says so
                self._apply(Decoded(garbage="binary frame"))
                binary_seen = connection.binary_frames
            if text is None:
                if anyio.current_time() - last_heard > self.idle_timeout:
                    raise ConnectionClosed(f"silent for more than {self.idle_timeout:g}s")
                heartbeat = self.wire.heartbeat()
                if heartbeat is None:
                    await connection.send_ping()
                else:
                    await connection.send_json(heartbeat)
                self.health.heartbeats_sent += 1
                continue
            last_heard = anyio.current_time()
            decoded = self._decode(text)
            if decoded.reply is not None:
                await connection.send_json(decoded.reply)
                self.health.replies_sent += 1
            self._apply(decoded)

    # ---- frames ----------------------------------------------------------------------

    def _decode(self, text: bytes) -> Decoded:
        now = self.clock()
        self.health.frames += 1
        self.health.last_message_at = now
        try:
            message = loads(text)
        except (ValueError, RecursionError) as error:
            return Decoded(garbage=f"not JSON: {type(error).__name__}")
        try:
            return self.wire.decode(message, now)
        except Exception as error:  # a wire format must not raise; if it does, garbage
            return Decoded(garbage=f"{type(error).__name__}: {error}")

    def _apply(self, decoded: Decoded) -> None:
        if decoded.garbage is not None:
            self.health.garbage_frames += 1
            self.health.last_error = f"garbage frame: {decoded.garbage}"[:300]
        if decoded.error is not None:
            self.health.venue_errors += 1
            self.health.last_error = f"venue error: {decoded.error}"[:300]
        if decoded.subscribed and self.state is not StreamState.LIVE:
            # an account stream can be quiet for hours: the venue's acknowledgement of the
            # subscription is what says it is listening
            self._close_connection_gap()
            self._set_state(StreamState.LIVE)
        for mark in decoded.sequences:
            self._check_sequence(mark)
        if decoded.orders:
            self.health.updates += len(decoded.orders)
            self.health.consecutive_failures = 0
            self._close_connection_gap()
            if self.state is not StreamState.LIVE:
                self._set_state(StreamState.LIVE)
            self.listener(OrdersPushed(self.venue, decoded.orders))
        if decoded.updates:
            self.health.updates += len(decoded.updates)
            self.health.consecutive_failures = 0
            self._close_connection_gap()
            if self.state is not StreamState.LIVE:
                self._set_state(StreamState.LIVE)
            self.listener(RatesPushed(self.venue, decoded.updates))

    def _close_connection_gap(self) -> None:
        if self._dropped_at is None:
            return
        gap = Gap(
            venue=self.venue,
            started=self._dropped_at,
            ended=self.clock(),
            reason=self._drop_reason or "disconnected",
        )
        self._dropped_at = None
        self._drop_reason = None
        self.health.gaps += 1
        self.listener(GapDetected(gap))

    def _check_sequence(self, mark: SequenceMark) -> None:
        last = self._sequences.get(mark.channel)
        self._sequences[mark.channel] = mark.number
        if last is None:
            return
        expected_previous = last
        previous = mark.previous if mark.previous is not None else mark.number - 1
        if previous == expected_previous:
            return
        now = self.clock()
        missed = previous - expected_previous if previous > expected_previous else None
        self.health.gaps += 1
        self.listener(
            GapDetected(
                Gap(
                    venue=self.venue,
                    started=self.health.last_message_at or now,
                    ended=now,
                    reason=f"sequence jumped from {last} to {mark.number}",
                    channel=mark.channel,
                    missed=missed,
                )
            )
        )

    def _set_state(self, state: StreamState, detail: str | None = None) -> None:
        if state is self.state:
            return
        self.state = state
        self.listener(StateChanged(self.venue, state, detail))
