"""One connection made in a daemon thread while a scan starts up (:mod:`adapters.preconnect`).

The thread resolves and connects (``socket.create_connection``, bounded by the venue's
timeout), then drives a client TLS handshake with an ``ssl.SSLObject`` over two
``ssl.MemoryBIO`` s, verified by the process's shared context for the venue's CA bundle
with the URL's host as server name (what ``httpcore`` and the websocket pass). For a
websocket (GRVT's ticker snapshot) it also sends the opening handshake, built by the same
``websockets`` client protocol :func:`adapters.streams.connection.open_connection` uses,
and reads the answer's bytes without interpreting them: the event loop's
:class:`~adapters.streams.websocket.WebSocketConnection` reads them first, so the answer
is checked exactly as for a connection it opened (RFC 6455 4.1: nothing else is sent
before the answer, and nothing is).

The loop takes the result over with :meth:`PreparedConnection.take` (HTTP) or
:meth:`PreparedConnection.take_websocket`; each hands it out only to a caller asking with
the SAME context object and host name (and websocket URL and frame limit), else closes it.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from adapters.prepared_tls import PreparedTLSStream

log = logging.getLogger("adapters.preconnect")

ALPN = ["http/1.1"]
"""httpcore's ALPN list for an HTTP/1.1 connection (``httpcore/_async/connection.py``)."""

WEBSOCKET_MAX_FRAME = 8 * 1024 * 1024
"""The frame limit of GRVT's ticker snapshot websocket (``adapters.grvt.ticker_snapshot``,
checked equal by the tests): a pre-upgraded websocket is handed only to a caller asking
for the same limit."""


@attrs.frozen
class _Made:
    sock: socket.socket
    ssl_object: ssl.SSLObject
    incoming: ssl.MemoryBIO
    outgoing: ssl.MemoryBIO
    protocol: Any = None
    """The websocket's client protocol (``websockets.client.ClientProtocol``), if any."""
    plaintext: bytes = b""
    """Bytes already decrypted and not yet read by anyone (the websocket's answer)."""


class PreparedConnection:
    """One TCP connection and TLS handshake (and websocket opening) in a daemon thread."""

    def __init__(
        self,
        host: str,
        port: int,
        ca_bundle: str | None,
        timeout: float,
        websocket: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.websocket = websocket
        self.context: ssl.SSLContext | None = None
        self.problem: str | None = None
        """Why the connection could not be made (never reported: the caller reconnects)."""
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._made: _Made | None = None
        self._abandoned = False

    def start(self) -> None:
        name = f"atomic-fp-preconnect-{self.host}:{self.port}"
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        sock: socket.socket | None = None
        made = None
        try:
            from adapters.tls import shared_ssl_context

            context = shared_ssl_context(self.ca_bundle)
            context.set_alpn_protocols(ALPN)
            self.context = context
            deadline = time.monotonic() + self.timeout
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as asyncio does
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            ssl_object = context.wrap_bio(
                incoming, outgoing, server_side=False, server_hostname=self.host
            )
            pipe = _Pipe(sock, ssl_object, incoming, outgoing, deadline)
            pipe.run(ssl_object.do_handshake)
            made = _Made(sock, ssl_object, incoming, outgoing)
            if self.websocket is not None:
                protocol, plaintext = _open_websocket(pipe, self.websocket)
                made = attrs.evolve(made, protocol=protocol, plaintext=plaintext)
        except Exception as error:  # any failure: the caller connects as before
            self.problem = f"{type(error).__name__}: {error}"
            log.debug("pre-connect to %s:%s not made: %s", self.host, self.port, self.problem)
            if sock is not None:
                sock.close()
            made = None
        with self._lock:
            if self._abandoned and made is not None:
                made.sock.close()
                made = None
            self._made = made
        self._done.set()

    def ready(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` for the thread to finish; whether it has."""
        return self._done.wait(timeout)

    def abandon(self) -> None:
        """Close the connection now, or when its thread ends."""
        with self._lock:
            self._abandoned = True
            made, self._made = self._made, None
        if made is not None:
            made.sock.close()

    async def take(
        self,
        context: ssl.SSLContext,
        hostname: str | None,
        timeout: float | None,  # noqa: ASYNC109 (the caller's connect timeout)
    ) -> PreparedTLSStream | None:
        """The connection as a TLS stream when it was made with ``context`` for
        ``hostname`` and is no websocket (waiting up to ``timeout`` for its thread);
        else ``None``, and the connection is closed."""
        made = await self._take(context, hostname, None, timeout)
        return None if made is None else await _stream(made)

    async def take_websocket(
        self, context: ssl.SSLContext, url: str, max_frame: int
    ) -> tuple[PreparedTLSStream, Any] | None:
        """The websocket opened for ``url`` (its stream and client protocol, the answer
        to its opening handshake still to be read) when made with ``context`` for the
        URL's host and ``max_frame``; else ``None``, and the connection is closed."""
        if max_frame != WEBSOCKET_MAX_FRAME:
            self.abandon()
            return None
        made = await self._take(context, self.host, url, None)
        return None if made is None else (await _stream(made), made.protocol)

    async def _take(
        self,
        context: ssl.SSLContext,
        hostname: str | None,
        websocket: str | None,
        timeout: float | None,  # noqa: ASYNC109 (the caller's connect timeout)
    ) -> _Made | None:
        if not self._done.is_set():
            import anyio.to_thread

            wait = self.timeout if timeout is None else timeout
            try:
                await anyio.to_thread.run_sync(self._done.wait, wait, abandon_on_cancel=True)
            except BaseException:  # cancelled while waiting: nobody will use it
                self.abandon()
                raise
        with self._lock:
            made, self._made = self._made, None
            self._abandoned = True
        if made is None:
            return None
        if (
            context is not self.context
            or hostname != self.host
            or websocket != self.websocket
            or _closed_by_peer(made.sock)
        ):
            made.sock.close()
            return None
        return made


def _closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server has closed the connection meanwhile (its end is waiting to be
    read). Bytes waiting (TLS 1.3 session tickets) or none at all mean it is open."""
    try:
        sock.setblocking(False)  # as the event loop will use it (no wait here)
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


async def _stream(made: _Made) -> PreparedTLSStream:
    from anyio.abc import SocketStream

    from adapters.prepared_tls import PreparedTLSStream

    try:
        transport = await SocketStream.from_socket(made.sock)
    except BaseException:
        made.sock.close()
        raise
    return PreparedTLSStream(
        transport, made.ssl_object, made.incoming, made.outgoing, pending=made.plaintext
    )


@attrs.define
class _Pipe:
    """Runs ``SSLObject`` calls over a blocking socket until ``deadline``."""

    sock: socket.socket
    ssl_object: ssl.SSLObject
    incoming: ssl.MemoryBIO
    outgoing: ssl.MemoryBIO
    deadline: float

    def run(self, method: Any, *args: Any) -> Any:
        while True:
            try:
                result = method(*args)
            except ssl.SSLWantReadError:
                self.flush()
                self.incoming.write(self._receive())
            else:
                self.flush()
                return result

    def flush(self) -> None:
        if self.outgoing.pending:
            self.sock.sendall(self.outgoing.read())

    def _receive(self) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed by the server")
        return data


def _open_websocket(pipe: _Pipe, url: str) -> tuple[Any, bytes]:
    """Send the opening handshake for ``url``; the bytes read up to the end of the
    answer's head (and any after it in the same records), not interpreted."""
    from adapters.streams.websocket import client_protocol

    protocol = client_protocol(url, WEBSOCKET_MAX_FRAME)
    protocol.send_request(protocol.connect())
    for chunk in protocol.data_to_send():
        if chunk:
            pipe.run(pipe.ssl_object.write, chunk)
    plaintext = b""
    while b"\r\n\r\n" not in plaintext:
        data = pipe.run(pipe.ssl_object.read, 65536)
        if not data:
            raise ConnectionError("connection closed before the websocket's answer")
        plaintext += data
    return protocol, plaintext


__all__ = ["ALPN", "WEBSOCKET_MAX_FRAME", "PreparedConnection"]
