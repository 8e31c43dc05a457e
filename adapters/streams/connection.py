"""One websocket connection over anyio (asyncio and trio), with ``websockets``' sans-I/O
client protocol: the same approach as Lighter's feed (``adapters/lighter/ws.py``).

This is the only module that imports ``websockets``; :mod:`adapters.streams.feed` imports
it when a feed first connects, so a command that builds clients but streams nothing (a
``scan``) never loads it (issue 20). A secure connection verifies with the process's one
SSL context for its CA bundle (:func:`adapters.tls.shared_ssl_context`), as the HTTP
clients do, instead of building a context (and loading the CA store) per connection."""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping

import anyio
from anyio.abc import ByteStream
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from adapters.connection_events import connection_starting
from adapters.tls import shared_ssl_context


class ConnectionClosed(Exception):
    """The connection ended (closed, dropped, refused or went silent)."""


class WebSocketConnection:
    """A connected websocket: send JSON, receive whole text messages (``None`` on a
    quiet period), answer protocol pings. Use :func:`open_connection`."""

    def __init__(self, stream: ByteStream, protocol: ClientProtocol) -> None:
        self._stream = stream
        self._protocol = protocol
        self._parts: list[bytes] = []
        self._pending: list[bytes] = []
        self.binary_frames = 0

    @property
    def open(self) -> bool:
        return self._protocol.state is State.OPEN

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def send_json(self, message: object) -> None:
        self._protocol.send_text(json.dumps(message).encode())
        await self._flush()

    async def send_ping(self) -> None:
        self._protocol.send_ping(b"atomic-fp")
        await self._flush()

    async def handshake(self, limit: float) -> None:
        with anyio.fail_after(limit):
            await self._flush()
            done = False
            while not done:
                # frames may arrive in the same read as the handshake answer: keep them
                for event in await self._events():
                    if isinstance(event, Response):
                        if self._protocol.handshake_exc is not None:
                            raise ConnectionClosed(
                                f"handshake failed: {self._protocol.handshake_exc}"
                            )
                        done = True
                    elif isinstance(event, Frame):
                        self._on_frame(event)

    async def receive(self, wait: float) -> bytes | None:
        """The next whole text message, or ``None`` when nothing came within ``wait`` s."""
        if self._pending:
            return self._pending.pop(0)
        with anyio.move_on_after(wait):
            while not self._pending:
                for event in await self._events():
                    if isinstance(event, Frame):
                        self._on_frame(event)
                await self._flush()
                if self._protocol.state is State.CLOSED or self._protocol.close_expected():
                    raise ConnectionClosed(self._close_text("closed by the server"))
        return self._pending.pop(0) if self._pending else None

    async def _events(self) -> list[object]:
        try:
            data = await self._stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
            self._protocol.receive_eof()
            raise ConnectionClosed(self._close_text("connection dropped")) from None
        self._protocol.receive_data(data)
        return list(self._protocol.events_received())

    def _on_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT:
            self._parts = [bytes(frame.data)]
        elif frame.opcode is Opcode.CONT and self._parts:
            self._parts.append(bytes(frame.data))
        elif frame.opcode is Opcode.BINARY:
            self.binary_frames += 1
            return
        else:
            return  # ping/pong/close: answered by the protocol layer
        if frame.fin:
            self._pending.append(b"".join(self._parts))
            self._parts = []

    def _close_text(self, fallback: str) -> str:
        code = self._protocol.close_code
        reason = self._protocol.close_reason
        if code is None:
            return fallback
        return f"{fallback} (code {code}{': ' + reason if reason else ''})"

    async def _flush(self) -> None:
        for chunk in self._protocol.data_to_send():
            if chunk:
                await self._stream.send(chunk)


async def open_connection(
    url: str,
    *,
    limit: float,
    max_frame: int,
    ssl_context: ssl.SSLContext | None = None,
    ca_bundle: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> WebSocketConnection:
    """Connect and complete the opening handshake, each within ``limit`` seconds;
    ``headers`` are added to the handshake request (e.g. GRVT's session cookie).

    ``wss://`` verifies with ``ssl_context`` if given, else with the shared context for
    ``ca_bundle`` (``None``: the default store, as the HTTP clients)."""
    uri = parse_uri(url)
    connection_starting()  # adapters.connection_events: the process may import meanwhile
    with anyio.fail_after(limit):
        stream: ByteStream
        if uri.secure:
            stream = await anyio.connect_tcp(
                uri.host,
                uri.port,
                tls=True,
                ssl_context=ssl_context or shared_ssl_context(ca_bundle),
                tls_hostname=uri.host,
            )
        else:
            stream = await anyio.connect_tcp(uri.host, uri.port)
    protocol = ClientProtocol(uri, max_size=max_frame)
    request = protocol.connect()
    for name, value in (headers or {}).items():
        request.headers[name] = value
    protocol.send_request(request)
    connection = WebSocketConnection(stream, protocol)
    try:
        await connection.handshake(limit)
    except BaseException:
        await stream.aclose()
        raise
    return connection
