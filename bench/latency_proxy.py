"""A TCP proxy on 127.0.0.1 that makes a local server as far away as a real venue.

Every chunk is forwarded ``rtt / 2`` after it arrived, in each direction, in order, so
every exchange that waits for an answer costs a full round trip: the TLS handshake (one
round trip with TLS 1.3, two with 1.2), then each request. The TCP handshake to the proxy
itself is local (a user-level proxy cannot delay SYN/ACK), so the proxy charges it instead:
nothing a client sends on a new connection is forwarded before one round trip has passed
since the connection was accepted, as a client cannot send before its SYN was answered.

Runs its own event loop in a daemon thread; :func:`proxied` starts one proxy per target.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class LatencyProxy:
    """Forwards ``127.0.0.1:port`` to ``target`` with ``rtt`` seconds per round trip."""

    def __init__(self, target: tuple[str, int], rtt: float) -> None:
        self.target = target
        self.rtt = rtt
        self.connections = 0
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
                await self._server.wait_closed()

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
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        half = self.rtt / 2
        await asyncio.gather(
            self._pump(reader, upstream_writer, half, not_before=accepted + self.rtt),
            self._pump(upstream_reader, writer, half, not_before=0.0),
            return_exceptions=True,
        )

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        delay: float,
        not_before: float,
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


@contextmanager
def proxied(targets: dict[str, str], rtt: float) -> Iterator[dict[str, str]]:
    """For each ``name -> scheme://127.0.0.1:port`` a proxied URL with ``rtt``."""
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
        yield urls
    finally:
        for proxy in proxies.values():
            proxy.stop()


__all__ = ["LatencyProxy", "proxied"]
