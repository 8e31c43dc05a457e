"""A :class:`~tests.harness.venue.FakeVenue` on real sockets at 127.0.0.1.

:class:`FakeServer` runs the venue's HTTP side in a thread (``ThreadingHTTPServer``, port
0 unless given) and, with ``websocket=True``, its websocket side in another thread with
its own event loop (``websockets``), so tests on either anyio backend talk to it over the
network exactly as to the venue. It can go down and come back on the same port
(:meth:`FakeServer.stop` / :meth:`FakeServer.start`): connections are then refused, as
for a venue that is down. :func:`serve` is the short form for the common case.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve

from tests.harness.venue import FakeVenue, Reply, Request

V = TypeVar("V", bound=FakeVenue)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer[Any]

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _handle(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            self.command, parts.path, parts.query, httpx.Headers(list(self.headers.items())), body
        )
        reply = owner.fake.respond(request)
        self._send(owner, reply)

    def _send(self, owner: FakeServer[Any], reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)  # processed; the answer comes late (or never)
        if reply.stop_server:
            owner.stop_soon()
        if reply.close or reply.stop_server:
            self.close_connection = True
            return
        data = reply.encoded()
        try:
            self.send_response(reply.status)
            for key, value in reply.all_headers().items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting
            pass

    do_GET = do_POST = do_DELETE = do_PUT = _handle


class _HttpServer(ThreadingHTTPServer, Generic[V]):
    daemon_threads = True
    allow_reuse_address = True
    owner: FakeServer[V]


class FakeServer(Generic[V]):
    """Serves ``fake`` on 127.0.0.1 from construction until :meth:`stop`."""

    def __init__(
        self,
        fake: V,
        *,
        port: int = 0,
        websocket: bool = False,
        ws_ssl: ssl.SSLContext | None = None,
    ) -> None:
        self.fake = fake
        self.port = port
        self.ws_port = 0
        self._ws_ssl = ws_ssl
        self._server: _HttpServer[V] | None = None
        self._thread: threading.Thread | None = None
        self._stopping: threading.Thread | None = None
        self._ws_stop: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._ws_thread: threading.Thread | None = None
        self.start()
        if websocket:
            self._start_websocket()

    @property
    def url(self) -> str:
        """The HTTP base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """The websocket URL (``ws://`` or, with ``ws_ssl``, ``wss://``)."""
        if not self.ws_port:
            raise RuntimeError("this FakeServer was started without websocket=True")
        return f"{'wss' if self._ws_ssl else 'ws'}://127.0.0.1:{self.ws_port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Start (again) on the same port."""
        if self._stopping is not None:
            self._stopping.join(5)
            self._stopping = None
        server: _HttpServer[V] = _HttpServer(("127.0.0.1", self.port), _Handler)
        server.owner = self
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the HTTP side: new connections are refused."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def stop_soon(self) -> None:
        """Stop from inside a request handler (not on the serving thread); returns once
        the server is down, so the client's next connection is refused."""
        self._stopping = threading.Thread(target=self.stop, daemon=True)
        self._stopping.start()
        self._stopping.join(5)

    def close(self) -> None:
        """Stop both sides."""
        self.stop()
        if self._ws_stop is not None and self._ws_thread is not None:
            loop, stop = self._ws_stop
            loop.call_soon_threadsafe(stop.set)
            self._ws_thread.join(10)
            loop.close()
            self._ws_stop = None

    def _start_websocket(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        stop = asyncio.Event()

        async def handler(connection: ServerConnection) -> None:
            await self.fake.websocket(connection)

        async def main() -> None:
            async with ws_serve(
                handler, "127.0.0.1", 0, ping_interval=None, ssl=self._ws_ssl
            ) as server:
                self.ws_port = int(next(iter(server.sockets)).getsockname()[1])
                ready.set()
                await stop.wait()

        self._ws_stop = (loop, stop)
        self._ws_thread = threading.Thread(
            target=loop.run_until_complete, args=(main(),), daemon=True
        )
        self._ws_thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake venue's websocket server did not start")


@contextmanager
def running(
    fake: V, *, websocket: bool = False, ws_ssl: ssl.SSLContext | None = None
) -> Iterator[FakeServer[V]]:
    """``fake`` served on 127.0.0.1 for the ``with`` block."""
    server = FakeServer(fake, websocket=websocket, ws_ssl=ws_ssl)
    try:
        yield server
    finally:
        server.close()


@contextmanager
def serve(fake: FakeVenue) -> Iterator[str]:
    """``fake``'s HTTP side on 127.0.0.1 for the ``with`` block; yields its base URL."""
    with running(fake) as server:
        yield server.url


__all__ = ["FakeServer", "running", "serve"]
