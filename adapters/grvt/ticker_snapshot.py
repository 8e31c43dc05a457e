"""Every GRVT instrument's current ticker in one round trip, over the market-data websocket.

GRVT has no bulk REST ticker: ``full/v1/ticker`` answers one instrument, and its schema
asks clients not to poll it ("a websocket subscription is much more performant", api-spec
``schemas/api_ticker_request.md``). 80 instruments at 8 concurrent calls cost 10 round
trips. Instead one JSON-RPC ``subscribe`` names every instrument's ``v1.ticker.s``
selector (``<instrument>@500``); the answer lists ``num_snapshots`` per selector, "the
number of snapshot payloads to expect for each subscribed feed" (api-spec
``src/codegen/apispec.json``, WSResponseV1), and each snapshot feed carries the REST
ticker's body (``market_data_streams.md``, "Ticker Snap"), parsed by the same
:func:`adapters.grvt.parsers.parse_ticker`. Once every selector has its first feed the
selectors are unsubscribed (sent, not awaited: no round trip).

The connection is kept between reads (a long-running process pays the TCP, TLS and
websocket handshakes once, then one round trip per read) while it was used in the last
``idle_limit`` seconds; an older one is replaced rather than trusted, as nothing answers
the server's pings in between. Feeds that arrive before the answer to this read's
``subscribe`` belong to an earlier subscription and are ignored.

Errors are values: :meth:`TickerSnapshots.read` answers the feeds it got and a reason
for any it did not get (connection refused, closed, timed out, error frame); the caller
asks REST for the rest. ``websockets`` is imported on first use, not by ``scan``'s imports.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from adapters.json_decode import loads_like_json

if TYPE_CHECKING:  # ssl only annotates here: an offline scan never imports it (issue 20)
    import ssl

    from adapters.streams.connection import WebSocketConnection

log = logging.getLogger("adapters.grvt")

TICKER_STREAM = "v1.ticker.s"
SNAPSHOT_MS = 500
"""The fastest ``v1.ticker.s`` rate (500, 1000 or 5000 ms, ``ws_ticker_feed_selector_v1``)."""
MAX_FRAME = 8 * 1024 * 1024


@attrs.frozen
class SnapshotRead:
    """The ticker bodies read (instrument name -> the REST ticker's ``result`` shape) and,
    when some are missing, why."""

    feeds: Mapping[str, Mapping[str, Any]]
    problem: str | None = None


class TickerSnapshots:
    """A kept market-data websocket that reads many tickers at once (module docstring)."""

    def __init__(
        self,
        url: str,
        ssl_context: Callable[[], ssl.SSLContext | None],
        *,
        limit: float,
        idle_limit: float = 50.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._ssl_context = ssl_context
        self._limit = limit
        self._idle_limit = idle_limit
        self._monotonic = monotonic
        self._connection: WebSocketConnection | None = None
        self._used_at = 0.0
        self._ids = itertools.count(1)
        self._lock = anyio.Lock()
        self.connections_opened = 0

    def ready(self) -> bool:
        """Whether a read would use the kept connection as it is (open, used within
        ``idle_limit``): then :meth:`prepare` has nothing to do. A check, not a promise:
        :meth:`read` checks again."""
        connection = self._connection
        return (
            connection is not None
            and connection.open
            and self._monotonic() - self._used_at <= self._idle_limit
        )

    async def prepare(self) -> str | None:
        """Open (or keep) the connection; ``None`` when ready, else why not. Called while
        the instrument list is read, so a cold scan's handshakes overlap that request."""
        async with self._lock:
            return await self._ready()

    async def read(self, names: Sequence[str]) -> SnapshotRead:
        """The current ticker of each of ``names`` (as many as arrived in time)."""
        async with self._held():
            problem = await self._ready()
            if problem is not None:
                return SnapshotRead({}, problem)
            connection = self._connection
            assert connection is not None
            feeds: dict[str, Mapping[str, Any]] = {}
            try:
                problem = await self._subscribe_and_collect(connection, names, feeds)
            except Exception as error:  # dropped, refused, garbled: REST takes over
                problem = f"{type(error).__name__}: {error}"[:200]
            if problem is not None:
                await self._discard()
            else:
                self._used_at = self._monotonic()
            return SnapshotRead(feeds, problem)

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[None]:
        """``self._lock`` held: taken at once when free (no checkpoint, so a warm read's
        subscribe goes out with the other venues' requests, not a loop turn after them),
        else waited for as ``async with self._lock`` would."""
        try:
            self._lock.acquire_nowait()
        except anyio.WouldBlock:
            await self._lock.acquire()
        try:
            yield
        finally:
            self._lock.release()

    async def aclose(self) -> None:
        async with self._lock:
            await self._discard()

    async def _ready(self) -> str | None:
        connection = self._connection
        if connection is not None and connection.open:
            if self._monotonic() - self._used_at <= self._idle_limit:
                return None
            await self._discard()
        try:
            from adapters.streams.connection import open_connection

            self._connection = await open_connection(
                self.url,
                limit=self._limit,
                max_frame=MAX_FRAME,
                ssl_context=self._ssl_context() if self.url.startswith("wss:") else None,
            )
        except Exception as error:
            return f"cannot open {self.url}: {type(error).__name__}: {error}"[:200]
        self.connections_opened += 1
        self._used_at = self._monotonic()
        return None

    async def _subscribe_and_collect(
        self,
        connection: WebSocketConnection,
        names: Sequence[str],
        feeds: dict[str, Mapping[str, Any]],
    ) -> str | None:
        request_id = next(self._ids)
        selectors = [f"{name}@{SNAPSHOT_MS}" for name in names]
        wanted = set(names)
        await connection.send_json(_rpc("subscribe", selectors, request_id))
        acknowledged = False
        # how many of ``wanted`` have no feed yet (``len(wanted - feeds.keys())``, kept
        # as a count rather than recomputed per message: ~80 messages of 80 names)
        missing = len(wanted)
        with anyio.move_on_after(self._limit):  # bounds every receive below
            while missing:
                message = await connection.receive(None)
                if message is None:
                    continue
                body = loads_like_json(message)  # orjson when exact (issue 20)
                if not isinstance(body, dict):
                    continue
                if "error" in body or ("code" in body and "feed" not in body):
                    detail = body.get("error") or body.get("message") or body.get("code")
                    return f"subscribe refused: {str(detail)[:150]}"
                if body.get("id") == request_id and "result" in body:
                    acknowledged = True
                    wanted &= _expected(body["result"], wanted)
                    missing = len(wanted - feeds.keys())
                elif acknowledged and body.get("stream") == TICKER_STREAM:
                    name = str(body.get("selector", "")).split("@", 1)[0]
                    feed = body.get("feed")
                    if name in wanted and name not in feeds and isinstance(feed, dict):
                        feeds[name] = feed
                        missing -= 1
        await connection.send_json(_rpc("unsubscribe", selectors, request_id))
        missing = len(wanted - feeds.keys())
        if missing:
            state = "no answer to subscribe" if not acknowledged else "no snapshot"
            return f"{state} for {missing} of {len(wanted)} instruments in {self._limit:g} s"
        return None

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with anyio.CancelScope(shield=True):
                try:
                    await connection.aclose()
                except Exception as error:  # already gone: nothing to release
                    log.debug("grvt ticker stream close: %s", error)


def ticker_snapshots(
    url: str | None, ca_bundle: str | None, timeout: float, monotonic: Callable[[], float]
) -> TickerSnapshots | None:
    """The client's snapshot reader (``None`` when its rates come from REST tickers)."""
    if url is None:
        return None
    from adapters.tls import shared_ssl_context

    return TickerSnapshots(
        url, lambda: shared_ssl_context(ca_bundle), limit=timeout, monotonic=monotonic
    )


def _expected(result: object, wanted: set[str]) -> set[str]:
    """The instruments whose snapshot the answer to ``subscribe`` promises: those listed in
    ``subs`` with a nonzero ``num_snapshots`` (unknown ones go to REST, which names them)."""
    if not isinstance(result, dict) or not isinstance(result.get("subs"), list):
        return wanted
    subs = [str(s).split("@", 1)[0] for s in result["subs"]]
    counts = result.get("num_snapshots")
    if isinstance(counts, list) and len(counts) == len(subs):
        subs = [s for s, n in zip(subs, counts, strict=True) if str(n) != "0"]
    return wanted & set(subs)


def _rpc(method: str, selectors: Sequence[str], request_id: int) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "method": method,
        "params": {"stream": TICKER_STREAM, "selectors": list(selectors)},
        "id": request_id,
    }


__all__ = [
    "SNAPSHOT_MS",
    "TICKER_STREAM",
    "SnapshotRead",
    "TickerSnapshots",
    "ticker_snapshots",
]
