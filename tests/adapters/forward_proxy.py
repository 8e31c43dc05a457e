"""A plain HTTP forward proxy on 127.0.0.1 that counts what it relays (the proxy tests).

``CONNECT host:port`` (how a client reaches an ``https://`` URL through a proxy: a tunnel,
TLS end to end between client and venue) and absolute-URI requests (``GET
http://host:port/path``: how a client sends a plain ``http://`` request through one),
as RFC 9110 section 9.3.6 and RFC 9112 section 3.2.2 describe. It relays only to
127.0.0.1 (anything else is answered 403, so a test can never reach the internet
through it) and records each relayed ``(method, target)``.

``credentials=(user, password)``: every request must carry ``Proxy-Authorization: Basic``
for them (RFC 7617), else it is answered ``407 Proxy Authentication Required`` with a
``Proxy-Authenticate`` challenge (RFC 9110 section 11.7.1). Each request's headers are kept
in ``headers`` (lower-case names), in order.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import attrs


@attrs.define
class ForwardProxy:
    port: int = 0
    relayed: list[tuple[str, str]] = attrs.field(factory=list)
    refused: list[str] = attrs.field(factory=list)
    credentials: tuple[str, str] | None = None
    headers: list[dict[str, str]] = attrs.field(factory=list)
    tls: ssl.SSLContext | None = None
    """Serve the proxy itself over TLS (an ``https://`` proxy)."""
    established: bytes = b"HTTP/1.1 200 Connection established\r\n\r\n"
    """The answer to a ``CONNECT`` it relays (a test may give an awkward one)."""
    events: list[str] = attrs.field(factory=list)
    """For each tunnel, in order: ``"answered"`` when its ``CONNECT`` answer was sent,
    ``"used"`` when the client's first bytes through it arrived."""

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _handle(
    proxy: ForwardProxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    request_line, _, rest = head.partition(b"\r\n")
    method, target, version = request_line.decode("latin-1").split(" ")
    fields = [line.partition(":") for line in rest.decode("latin-1").split("\r\n") if line]
    headers = {name.strip().lower(): value.strip() for name, _, value in fields}
    proxy.headers.append(headers)
    if proxy.credentials is not None:
        user, password = proxy.credentials
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        if headers.get("proxy-authorization") != f"Basic {expected}":
            proxy.refused.append(target)
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
            )
            writer.close()
            return
    if method == "CONNECT":
        host, _, port = target.rpartition(":")
        path_head = b""
    else:
        parts = urlsplit(target)
        host, port = parts.hostname or "", str(parts.port or 80)
        origin_form = parts.path + (f"?{parts.query}" if parts.query else "")
        path_head = f"{method} {origin_form} {version}\r\n".encode("latin-1") + rest
    if host != "127.0.0.1":
        proxy.refused.append(target)
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
    proxy.relayed.append((method, target))
    if method == "CONNECT":
        writer.write(proxy.established)
        await writer.drain()
        proxy.events.append("answered")
        first = b""
        try:
            first = await reader.read(65536)
        except (ConnectionError, OSError):
            pass
        finally:  # (also when cancelled as the proxy stops: the venue sees the close)
            if not first:  # the client gave up on the tunnel (a refusal, say)
                writer.close()
                upstream_writer.close()
        if not first:
            return
        proxy.events.append("used")
        upstream_writer.write(first)
    else:
        upstream_writer.write(path_head)
    await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))


@contextmanager
def forward_proxy(
    credentials: tuple[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
    established: bytes | None = None,
) -> Iterator[ForwardProxy]:
    """The proxy, served from its own thread and event loop for the block."""
    proxy = ForwardProxy(credentials=credentials, tls=tls)
    if established is not None:
        proxy.established = established
    loop = asyncio.new_event_loop()
    started = threading.Event()

    async def start() -> asyncio.Server:
        server = await asyncio.start_server(
            lambda r, w: _handle(proxy, r, w), "127.0.0.1", 0, ssl=proxy.tls
        )
        proxy.port = server.sockets[0].getsockname()[1]
        return server

    servers: list[asyncio.Server] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        servers.append(loop.run_until_complete(start()))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(timeout=30)
    try:
        yield proxy
    finally:

        async def shutdown() -> None:
            servers[0].close()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def echo_through_proxy(url: str, limit: float, watchdog: float | None = None) -> bytes | None:
    """One ``{"ping": 1}`` sent on a websocket to ``url`` (through whatever proxy the
    environment names) and the first answer; ``limit`` is the client's own timeout,
    ``watchdog`` (if given) a bound on opening it, for a test whose limit is an hour."""
    import anyio

    from adapters.grvt.ticker_snapshot import MAX_FRAME
    from adapters.streams.connection import open_connection

    async def echo() -> bytes | None:
        with anyio.fail_after(watchdog):
            connection = await open_connection(url, limit=limit, max_frame=MAX_FRAME)
        try:
            await connection.send_json({"ping": 1})
            return await connection.receive(limit)
        finally:
            await connection.aclose()

    return anyio.run(echo)
