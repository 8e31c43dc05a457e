"""A TCP proxy on 127.0.0.1 that makes a local server as far away as a real venue.

Every chunk is forwarded ``rtt / 2`` after it arrived, in each direction, in order, so
every exchange that waits for an answer costs a full round trip: the TLS handshake (one
round trip with TLS 1.3, two with 1.2), then each request. The TCP handshake to the proxy
itself is local (a user-level proxy cannot delay SYN/ACK), so the proxy charges it instead:
nothing a client sends on a new connection is forwarded before one round trip has passed
since the connection was accepted, as a client cannot send before its SYN was answered.

Every connection's timeline is kept (:class:`Connection`: when it was accepted, each chunk
delivered each way): :func:`round_trips_of` reads how many round trips a connection cost
(TCP connect, TLS handshake, requests) and :func:`critical_path` how many the whole scan
took, first connection to last answer, so a benchmark can say where its round trips went.
Times are ``time.perf_counter`` (the system-wide monotonic clock on Linux, comparable with
the benchmark's spawn and exit times).

Runs its own event loop in a daemon thread; :func:`proxied` starts one proxy per target.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import attrs


@attrs.define
class Connection:
    """One proxied connection: when it was accepted and, in order, each chunk delivered
    (``(time delivered, "up" client->server | "down" server->client, bytes)``)."""

    accepted: float
    deliveries: list[tuple[float, str, int]] = attrs.field(factory=list)

    def flights(self) -> list[tuple[str, float, float]]:
        """Consecutive deliveries in one direction merged: ``(direction, first, last)``."""
        merged: list[tuple[str, float, float]] = []
        for at, direction, _ in sorted(self.deliveries):
            if merged and merged[-1][0] == direction:
                merged[-1] = (direction, merged[-1][1], at)
            else:
                merged.append((direction, at, at))
        return merged


def round_trips_of(connection: Connection, *, unwaited_last: bool = False) -> int:
    """Round trips the connection cost: one for the TCP connect, then one per flight of
    client bytes answered by the server (TLS 1.3 handshake 1, each HTTP request 1).
    ``unwaited_last``: the last such exchange is a message the client does not wait for
    the answer of (a websocket ``unsubscribe``) and is not counted."""
    flights = _flights(connection, unwaited_last)
    answered = sum(1 for a, b in itertools.pairwise(flights) if a[0] == "up" and b[0] == "down")
    return 1 + answered


def last_answer(connection: Connection, *, unwaited_last: bool = False) -> float:
    """When the client got the last answer it waited for on ``connection``."""
    downs = [f[2] for f in _flights(connection, unwaited_last) if f[0] == "down"]
    return max(downs, default=connection.accepted)


def _flights(connection: Connection, unwaited_last: bool) -> list[tuple[str, float, float]]:
    flights = connection.flights()
    while unwaited_last and flights and flights[-1][0] == "up":
        flights = flights[:-1]  # sent last, never answered (a close frame)
    if unwaited_last and len(flights) >= 2 and [f[0] for f in flights[-2:]] == ["up", "down"]:
        return flights[:-2]
    return flights


def critical_path(
    connections: Sequence[Connection], rtt: float, unwaited_last: Sequence[Connection] = ()
) -> tuple[float, float, float]:
    """(first accept, last answer a client waited for, their distance in round trips);
    ``unwaited_last``: connections whose last exchange is not waited for (see
    :func:`round_trips_of`)."""
    first = min(c.accepted for c in connections)
    last = max(
        (last_answer(c, unwaited_last=any(c is u for u in unwaited_last)) for c in connections),
        default=first,
    )
    return first, last, (last - first) / rtt if rtt else 0.0


class LatencyProxy:
    """Forwards ``127.0.0.1:port`` to ``target`` with ``rtt`` seconds per round trip."""

    def __init__(self, target: tuple[str, int], rtt: float) -> None:
        self.target = target
        self.rtt = rtt
        self.connections = 0
        self.timeline: list[Connection] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = future.result(timeout=10)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            # connections still open (kept-alive clients): end their pumps, so none is
            # left pending when the loop stops
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        loop = asyncio.get_running_loop()
        accepted = loop.time()
        record = Connection(time.perf_counter())
        self.timeline.append(record)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        half = self.rtt / 2
        await asyncio.gather(
            self._pump(reader, upstream_writer, half, accepted + self.rtt, record, "up"),
            self._pump(upstream_reader, writer, half, 0.0, record, "down"),
            return_exceptions=True,
        )

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        delay: float,
        not_before: float,
        record: Connection,
        direction: str,
    ) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    sink.close()
                    return
                sink.write(chunk)
                record.deliveries.append((time.perf_counter(), direction, len(chunk)))
                await sink.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while True:
                chunk = await source.read(65536)
                queue.put_nowait((max(loop.time(), not_before) + delay, chunk))
                if not chunk:
                    break
            await delivering
        except (ConnectionError, OSError):
            delivering.cancel()
            sink.close()

    def take_timeline(self) -> list[Connection]:
        """The connections accepted since the last call (and forget them)."""
        taken, self.timeline = self.timeline, []
        return taken


@attrs.define
class Proxies:
    """The proxied URLs of one run, and each proxy (for its timeline)."""

    urls: dict[str, str]
    by_name: dict[str, LatencyProxy]

    def take_timelines(self) -> dict[str, list[Connection]]:
        return {name: proxy.take_timeline() for name, proxy in self.by_name.items()}


@contextmanager
def proxied(targets: dict[str, str], rtt: float) -> Iterator[dict[str, str]]:
    """For each ``name -> scheme://127.0.0.1:port`` a proxied URL with ``rtt``."""
    with proxies_for(targets, rtt) as running:
        yield running.urls


@contextmanager
def proxies_for(targets: dict[str, str], rtt: float) -> Iterator[Proxies]:
    """:func:`proxied`, also handing out the proxies (their connection timelines)."""
    proxies: dict[str, LatencyProxy] = {}
    urls: dict[str, str] = {}
    try:
        for name, url in targets.items():
            scheme, _, address = url.partition("://")
            host, _, port = address.partition(":")
            proxy = LatencyProxy((host, int(port)), rtt)
            proxy.start()
            proxies[name] = proxy
            urls[name] = f"{scheme}://127.0.0.1:{proxy.port}"
        yield Proxies(urls, proxies)
    finally:
        for proxy in proxies.values():
            proxy.stop()


__all__ = [
    "Connection",
    "LatencyProxy",
    "Proxies",
    "critical_path",
    "last_answer",
    "proxied",
    "proxies_for",
    "round_trips_of",
]
