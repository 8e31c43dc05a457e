"""The websocket protocol half of :mod:`adapters.streams.connection`: a connected
websocket over an anyio byte stream, with ``websockets``' sans-I/O client protocol.

Its own module so that importing ``websockets`` (~18 ms) is not on the path to a
connection: :func:`adapters.streams.connection.open_connection` opens the TCP (and TLS)
connection first and imports this meanwhile, in a thread (issue 20)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import anyio
import idna
from anyio.abc import ByteStream
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from adapters.streams.connection import ConnectionClosed


def client_protocol(url: str, max_frame: int) -> ClientProtocol:
    """The client protocol for ``url`` (``websockets.uri.parse_uri``: it raises
    ``InvalidURI`` for a URL that is not a websocket's)."""
    return ClientProtocol(parse_uri(url), max_size=max_frame)


def host_as_httpx_encodes(url: str) -> str:
    """``url`` with a non-ASCII host written as httpx writes a host, so that a venue's
    websocket dials, names in ``Host`` and verifies the host its HTTP requests do.

    ``websockets`` encodes an internationalised host with Python's ``idna`` codec
    (IDNA 2003, ``websockets/uri.py``); httpx with the ``idna`` package (IDNA 2008,
    ``httpx/_urlparse.py``: ``idna.encode(host.lower())``). They differ on the deviation
    characters: ``straße.example`` is ``strasse.example`` to the first and
    ``xn--strae-oqa.example`` to the second, two different hosts. Any other URL, or a host
    the ``idna`` package refuses, is returned unchanged (``websockets`` then reads it, or
    refuses it, as before)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return url
    if host is None or host.isascii():
        return url
    try:
        encoded = idna.encode(host.lower()).decode("ascii")
    except UnicodeError:  # idna.IDNAError and the codec's own
        return url
    userinfo, at, hostport = parts.netloc.rpartition("@")
    colon, port = (":", hostport.rpartition(":")[2]) if parts.port is not None else ("", "")
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{encoded}{colon}{port}"))


def address(url: str) -> tuple[bool, str, int]:
    """``(secure, host, port)`` of ``url`` as ``websockets`` reads it."""
    uri = parse_uri(url)
    return uri.secure, uri.host, uri.port


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

    async def receive(self, wait: float | None) -> bytes | None:
        """The next whole text message, or ``None`` when nothing came within ``wait`` s.

        ``wait=None``: no timeout of its own, for a caller whose cancel scope already bounds
        the whole exchange (GRVT's ticker snapshot reads ~80 messages per scan, each its
        own TLS record: a scope per message cost ~1 ms a scan, issue 20)."""
        if self._pending:
            return self._pending.pop(0)
        if wait is None:
            await self._until_pending()
            return self._pending.pop(0)
        with anyio.move_on_after(wait):
            await self._until_pending()
        return self._pending.pop(0) if self._pending else None

    async def _until_pending(self) -> None:
        while not self._pending:
            for event in await self._events():
                if isinstance(event, Frame):
                    self._on_frame(event)
            await self._flush()
            if self._protocol.state is State.CLOSED or self._protocol.close_expected():
                raise ConnectionClosed(self._close_text("closed by the server"))

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


__all__ = ["WebSocketConnection", "address", "client_protocol"]
