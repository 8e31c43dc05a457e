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

Optionally (off by default: the benchmarks never use it) an :class:`AnswerBarrier` shared by
several proxies holds every server->client byte on every connection accepted while it is in
force until a given number of connections have been accepted, or a deadline passed: a test
then knows *causally*, whatever the machine's load, whether a client opened all its
connections without waiting for any answer (released by the count) or needed an answer
first (released by the deadline, or never). :meth:`Proxies.holding_answers` puts one in force.

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


class AnswerBarrier:
    """Holds every server->client byte until ``expected`` connections have been accepted
    (by any proxy it is in force on) or ``deadline`` seconds (monotonic) have passed since
    it was made.

    :attr:`released_by` says which: ``"count"``, ``"deadline"``, or ``None`` (not released:
    fewer connections and no byte held past the deadline); :attr:`accepted_when_released`
    how many connections had been accepted then. :attr:`given_up_while_holding` counts the
    connections their client closed (or reset) before the release: a client that timed out
    and connected again would otherwise make up the count with a connection it opened only
    after giving up on one. Shared across the proxies'
    event-loop threads, hence the lock; a waiting pump is woken in its own loop."""

    def __init__(self, expected: int, deadline: float = 30.0) -> None:
        if expected < 1:
            raise ValueError(f"expected connections must be >= 1, got {expected}")
        self.expected = expected
        self.accepted = 0
        self.released_by: str | None = None
        self.accepted_when_released: int | None = None
        self.given_up_while_holding = 0
        self._deadline = time.monotonic() + deadline
        self._lock = threading.Lock()
        self._open = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def connection_accepted(self) -> None:
        """Count one accepted connection; the ``expected``-th releases every held byte."""
        with self._lock:
            self.accepted += 1
            reached = self.accepted >= self.expected
        if reached:
            self._release("count")

    def client_closed(self) -> None:
        """A client ended (or reset) one of the connections: counted if still holding."""
        with self._lock:
            if not self._open:
                self.given_up_while_holding += 1

    async def wait(self) -> None:
        """Return once released (at once if it is), at the latest at the deadline."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._open:
                return
            self._waiters.append((loop, future))
        try:
            await asyncio.wait_for(future, max(0.0, self._deadline - time.monotonic()))
        except TimeoutError:
            self._release("deadline")

    def open(self) -> None:
        """Release every held byte without saying why (the barrier is being removed);
        :attr:`released_by` keeps what it was."""
        self._release(None)

    def _release(self, reason: str | None) -> None:
        with self._lock:
            if self._open:
                return
            self._open = True
            self.released_by = reason
            if reason is not None:
                self.accepted_when_released = self.accepted
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


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
        self.barrier: AnswerBarrier | None = None
        """In force on connections accepted while set (:meth:`Proxies.holding_answers`)."""

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
        # recorded before the charge is reckoned from: whatever the load, nothing is then
        # delivered up sooner than rtt * 1.5 after the recorded accept (a lower bound a test
        # may check; both clocks are CLOCK_MONOTONIC on Linux)
        record = Connection(time.perf_counter())
        accepted = loop.time()
        self.timeline.append(record)
        barrier = self.barrier
        if barrier is not None:
            barrier.connection_accepted()
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        half = self.rtt / 2
        await asyncio.gather(
            self._pump(reader, upstream_writer, half, accepted + self.rtt, record, "up", barrier),
            self._pump(upstream_reader, writer, half, 0.0, record, "down", barrier),
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
        barrier: AnswerBarrier | None,
    ) -> None:
        """Forward ``source`` to ``sink``; ``barrier``: the one in force when the connection
        was accepted (it holds what goes "down", and hears of the client closing "up")."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        holding = barrier if direction == "down" else None
        watching = barrier if direction == "up" else None

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if holding is not None:
                    await holding.wait()
                if not chunk:
                    sink.close()
                    return
                # the time is taken before the bytes are handed over, so a client's own
                # clock reading after it received them is later, whatever the load
                record.deliveries.append((time.perf_counter(), direction, len(chunk)))
                sink.write(chunk)
                await sink.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while True:
                chunk = await source.read(65536)
                queue.put_nowait((max(loop.time(), not_before) + delay, chunk))
                if not chunk:
                    if watching is not None:
                        watching.client_closed()
                    break
            await delivering
        except (ConnectionError, OSError):
            if watching is not None:
                watching.client_closed()
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
    def holding_answers(self, expected: int, deadline: float = 30.0) -> Iterator[AnswerBarrier]:
        """An :class:`AnswerBarrier` in force on every proxy for the connections accepted
        inside the block; on leaving, it is removed and whatever it still holds released."""
        barrier = AnswerBarrier(expected, deadline)
        for proxy in self.by_name.values():
            proxy.barrier = barrier
        try:
            yield barrier
        finally:
            for proxy in self.by_name.values():
                proxy.barrier = None
            barrier.open()


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
    "AnswerBarrier",
    "Connection",
    "LatencyProxy",
    "Proxies",
    "critical_path",
    "last_answer",
    "proxied",
    "proxies_for",
    "round_trips_of",
]
