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

Runs on asyncio and trio: the websocket protocol is ``websockets``' sans-I/O
``ClientProtocol`` driven over an anyio TCP/TLS stream.

Structured concurrency: :meth:`MarketStatsFeed.run` is a task the caller starts in its own
task group (``await tg.start(feed.run)``); it reconnects with exponential backoff forever
and ends only when cancelled. Garbage frames, drops and errors are counted in
:class:`FeedHealth` (with the last error) and never escape.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Collection
from datetime import datetime, timedelta, timezone

import anyio
import attrs
from anyio.abc import ByteStream, TaskStatus
from returns.result import Failure
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from adapters._http import loads
from adapters.lighter.parsers import MarketStats, parse_ws_frame

DEFAULT_WS_URL = "wss://mainnet.zklighter.elliot.ai/stream"
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@attrs.define
class FeedHealth:
    """Counters of the feed's life; ``last_error`` is the latest problem, as text."""

    connects: int = 0
    drops: int = 0
    frames: int = 0
    updates: int = 0
    garbage_frames: int = 0
    venue_errors: int = 0
    pings_sent: int = 0
    pongs_sent: int = 0
    connected: bool = False
    last_error: str | None = None
    last_message_at: datetime | None = None


@attrs.frozen
class Observed:
    """A market's latest stats and when we received them."""

    stats: MarketStats
    received_at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - min(self.received_at, self.stats.observed_at)


class _Closed(Exception):
    """The connection ended (closed, dropped, or went silent)."""


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
        task_status.started()
        delay = self.backoff_initial
        while True:
            received_before = self.health.frames
            try:
                await self._session()
            except Exception as error:  # anything: counted, reported, reconnected
                self.health.last_error = f"{type(error).__name__}: {error}"[:300]
            self.health.connected = False
            self.health.drops += 1
            if self.health.frames > received_before:
                delay = self.backoff_initial  # the session worked: start backoff afresh
            await anyio.sleep(delay)
            delay = min(self.backoff_max, delay * 2)

    async def _connect(self) -> tuple[ByteStream, ClientProtocol]:
        uri = parse_uri(self.url)
        with anyio.fail_after(self.connect_timeout):
            stream: ByteStream
            if uri.secure:
                stream = await anyio.connect_tcp(
                    uri.host,
                    uri.port,
                    tls=True,
                    ssl_context=self.ssl_context or ssl.create_default_context(),
                    tls_hostname=uri.host,
                )
            else:
                stream = await anyio.connect_tcp(uri.host, uri.port)
        protocol = ClientProtocol(uri, max_size=self.max_frame)
        protocol.send_request(protocol.connect())
        return stream, protocol

    async def _session(self) -> None:
        stream, protocol = await self._connect()
        async with stream:
            await self._flush(stream, protocol)
            text_parts: list[bytes] = []
            last_heard = anyio.current_time()
            while True:
                data: bytes | None = None
                with anyio.move_on_after(self.ping_interval):
                    try:
                        data = await stream.receive()
                    except (
                        anyio.EndOfStream,
                        anyio.BrokenResourceError,
                        anyio.ClosedResourceError,
                    ):
                        protocol.receive_eof()
                        raise _Closed(self._close_text(protocol, "connection dropped")) from None
                if data is None:
                    if anyio.current_time() - last_heard > self.idle_timeout:
                        raise _Closed(f"silent for more than {self.idle_timeout:g}s")
                    if protocol.state is State.OPEN:
                        await self._send_json(stream, protocol, {"type": "ping"})
                        self.health.pings_sent += 1
                    continue
                last_heard = anyio.current_time()
                protocol.receive_data(data)
                for event in protocol.events_received():
                    if isinstance(event, Response):
                        await self._on_handshake(stream, protocol)
                    elif isinstance(event, Frame):
                        await self._on_frame(stream, protocol, event, text_parts)
                await self._flush(stream, protocol)
                if protocol.state is State.CLOSED or protocol.close_expected():
                    raise _Closed(self._close_text(protocol, "closed by the server"))

    @staticmethod
    def _close_text(protocol: ClientProtocol, fallback: str) -> str:
        code = protocol.close_code
        reason = protocol.close_reason
        if code is None:
            return fallback
        return f"{fallback} (code {code}{': ' + reason if reason else ''})"

    async def _on_handshake(self, stream: ByteStream, protocol: ClientProtocol) -> None:
        if protocol.handshake_exc is not None:
            raise _Closed(f"handshake failed: {protocol.handshake_exc}")
        self.health.connects += 1
        self.health.connected = True
        channels = (
            ["market_stats/all"]
            if self.market_ids is None
            else [f"market_stats/{market_id}" for market_id in sorted(self.market_ids)]
        )
        for channel in channels:
            await self._send_json(stream, protocol, {"type": "subscribe", "channel": channel})

    async def _on_frame(
        self, stream: ByteStream, protocol: ClientProtocol, frame: Frame, parts: list[bytes]
    ) -> None:
        if frame.opcode is Opcode.TEXT:
            parts.clear()
            parts.append(bytes(frame.data))
        elif frame.opcode is Opcode.CONT and parts:
            parts.append(bytes(frame.data))
        elif frame.opcode is Opcode.BINARY:
            self._garbage("binary frame")
            return
        else:
            return  # ping/pong/close are handled by the protocol layer
        if not frame.fin:
            return
        text = b"".join(parts)
        parts.clear()
        await self._on_text(stream, protocol, text)

    async def _on_text(self, stream: ByteStream, protocol: ClientProtocol, text: bytes) -> None:
        now = self.clock()
        self.health.frames += 1
        self.health.last_message_at = now
        try:
            decoded = loads(text)
        except (ValueError, RecursionError) as error:
            self._garbage(f"not JSON: {type(error).__name__}")
            return
        parsed = parse_ws_frame(decoded, now)
        if isinstance(parsed, Failure):
            self._garbage(parsed.failure().message)
            return
        frame = parsed.unwrap()
        if frame.kind == "ping":
            await self._send_json(stream, protocol, {"type": "pong"})
            self.health.pongs_sent += 1
        elif frame.kind == "error":
            self.health.venue_errors += 1
            self.health.last_error = f"venue error: {frame.error}"
        for stats in frame.stats:
            self._latest[stats.market_id] = Observed(stats=stats, received_at=now)
            self.health.updates += 1
        if frame.stats:
            self._update_event.set()
            self._update_event = anyio.Event()

    def _garbage(self, why: str) -> None:
        self.health.garbage_frames += 1
        self.health.last_error = f"garbage frame: {why}"[:300]

    async def _send_json(
        self, stream: ByteStream, protocol: ClientProtocol, message: object
    ) -> None:
        protocol.send_text(json.dumps(message).encode())
        await self._flush(stream, protocol)

    @staticmethod
    async def _flush(stream: ByteStream, protocol: ClientProtocol) -> None:
        for chunk in protocol.data_to_send():
            if chunk:
                await stream.send(chunk)
