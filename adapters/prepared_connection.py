"""One connection made in a daemon thread while a scan starts up (:mod:`adapters.preconnect`).

The thread resolves and connects (:func:`adapters.connect_within.connect_within`: every
address within one deadline, the venue's timeout; name resolution itself is the
system's), then drives a
client TLS handshake with an ``ssl.SSLObject`` over two ``ssl.MemoryBIO`` s, verified
by the process's shared context for the venue's CA bundle with the URL's host as server
name (what ``httpcore`` and the websocket pass). For a websocket (GRVT's ticker
snapshot) it also sends the opening handshake, built by the same ``websockets`` client
protocol :func:`adapters.streams.connection.open_connection` uses,
and reads the answer's bytes without interpreting them: the event loop's
:class:`~adapters.streams.websocket.WebSocketConnection` reads them first, so the answer
is checked exactly as for a connection it opened (RFC 6455 4.1: nothing else is sent
before the answer, and nothing is).

The loop takes the result over with :meth:`PreparedConnection.take` (HTTP) or
:meth:`PreparedConnection.take_websocket`; each hands it out only to a caller asking with
the SAME context object and host name (and websocket URL and frame limit), and only if the
server has not closed it meanwhile, else closes it. Neither waits for the thread: a caller
that finds it unfinished races it against its own connect (:mod:`adapters.connect_race`),
waking on the thread's end without parking a worker thread (:meth:`wait_finished`).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from adapters.connect_within import connect_one, connect_within

if TYPE_CHECKING:
    from adapters.prepared_tls import PreparedTLSStream

ALPN = ["http/1.1"]
"""httpcore's ALPN list for an HTTP/1.1 connection (``httpcore/_async/connection.py``)."""

WEBSOCKET_MAX_FRAME = 8 * 1024 * 1024
"""The frame limit of GRVT's ticker snapshot websocket (``adapters.grvt.ticker_snapshot``,
checked equal by the tests): a pre-upgraded websocket is handed only to a caller asking
for the same limit."""

HEDGE_FLOOR = 0.5
"""The least time a handshake under way is given before its caller connects anew
(:meth:`PreparedConnection.hedge_delay`). A TCP connect through a local proxy (the
benchmarks', ``bench/latency_proxy.py``) measures no round trip, and the thread shares the
CPU with the start-up: 0.5 s covers a TLS 1.3 handshake at up to ~0.4 s round trips."""

POLL_INTERVAL = 0.005
"""How often a loop that is not asyncio's looks whether a thread has finished."""


class _Made(NamedTuple):
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
        self._wakers: list[Callable[[], None]] = []
        self._phase: tuple[float, float, int] | None = None
        """The handshake under way: when it began, the round trip measured by the one
        before it, and how many handshakes (of one round trip each) are left."""
        """Called (from the thread) when it finishes: each wakes a waiting event loop."""

    def start(self) -> None:
        name = f"atomic-fp-preconnect-{self.host}:{self.port}"
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        sock: socket.socket | None = None
        made = None
        try:
            deadline = time.monotonic() + self.timeout
            sock = connect_within(self.host, self.port, deadline, connect=self._timed_connect)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as asyncio does
            # the context after the connect: it is built (the CA store loaded; without a
            # bundle, httpx imported) by start()'s own thread while the connects wait
            from adapters.tls import shared_ssl_context

            context = shared_ssl_context(self.ca_bundle)
            context.set_alpn_protocols(ALPN)
            self.context = context
            if self._phase is not None:  # the handshakes' clock starts now
                self._phase = (time.monotonic(), *self._phase[1:])
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            ssl_object = context.wrap_bio(
                incoming, outgoing, server_side=False, server_hostname=self.host
            )
            pipe = _Pipe(sock, ssl_object, incoming, outgoing, deadline)
            # a websocket's opening request is built once the ClientHello is out, while
            # the server's answer travels, so that it leaves with the client's Finished
            # (built after the handshake, its module's import could outlast the server's
            # session tickets: one round trip more; before the ClientHello, it delays it)
            requests: list[Any] = []
            url = self.websocket
            prepare = None if url is None else lambda: requests.append(_websocket_request(url))
            pipe.run(ssl_object.do_handshake, before_wait=prepare)
            protocol = requests[0] if requests else None
            if url is not None and protocol is None:  # (a handshake without a wait)
                protocol = _websocket_request(url)
            if self.websocket is not None and self._phase is not None:
                began = self._phase[0]
                ended = time.monotonic()
                self._phase = (ended, ended - began, 1)
            made = _Made(sock, ssl_object, incoming, outgoing)
            if protocol is not None:
                plaintext = _open_websocket(pipe, protocol)
                made = made._replace(protocol=protocol, plaintext=plaintext)
        except Exception as error:  # any failure: the caller connects as before
            self.problem = f"{type(error).__name__}: {error}"
            _debug("pre-connect to %s:%s not made: %s", self.host, self.port, self.problem)
            if sock is not None:
                sock.close()
            made = None
        with self._lock:
            if self._abandoned and made is not None:
                made.sock.close()
                made = None
            self._made = made
            self._done.set()
            wakers, self._wakers = self._wakers, []
        for wake in wakers:
            wake()

    def ready(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` for the thread to finish; whether it has (tests)."""
        return self._done.wait(timeout)

    def _timed_connect(self, where: Any, timeout: float) -> socket.socket:
        began = time.monotonic()
        sock = connect_one(where, timeout)
        ended = time.monotonic()
        self._phase = (ended, ended - began, 2 if self.websocket is not None else 1)
        return sock

    def hedge_delay(self, now: float) -> float:
        """How long a caller that found the thread unfinished at ``now`` (``time.monotonic``)
        waits before it starts a connect of its own (:func:`adapters.connect_race.first_of`
        asks again when that time comes: the thread may have moved on meanwhile).

        Zero while the thread's TCP connect has not ended (slow name resolution, an
        address that drops packets, a far host: nothing says it will finish before a
        connect started now). Once it has, a handshake is under way, each needing one
        round trip ``r`` (the previous step's, measured): a connect of one's own starts
        when the ones left should have ended with one ``r`` to spare, and not before
        :data:`HEDGE_FLOOR`, so a healthy pre-connect, which is ahead of any new connect,
        costs no second connection; a stuck one delays the own connect by that much at
        most, never by the venue's timeout."""
        phase = self._phase
        if phase is None or self._done.is_set():
            return 0.0
        began, rtt, left = phase
        return max(0.0, began + max(rtt * (left + 1), HEDGE_FLOOR) - now)

    def finished(self) -> bool:
        """Whether the thread has finished (made the connection or given up)."""
        return self._done.is_set()

    async def wait_finished(self) -> None:
        """Until the thread has finished, without parking a worker thread: the thread
        wakes the event loop itself (``call_soon_threadsafe``), so a cancelled wait leaves
        nothing behind that the interpreter's exit would wait for (anyio's worker threads
        are not daemons). Outside asyncio (trio): polls every few milliseconds."""
        import asyncio

        import anyio

        if self._done.is_set():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            while not self._done.is_set():  # noqa: ASYNC110 (set by another thread)
                await anyio.sleep(POLL_INTERVAL)
            return
        event = anyio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(event.set)

        with self._lock:
            if self._done.is_set():
                return
            self._wakers.append(wake)
        try:
            await event.wait()
        finally:
            with self._lock:
                if wake in self._wakers:
                    self._wakers.remove(wake)

    def abandon(self) -> None:
        """Close the connection now, or when its thread ends."""
        with self._lock:
            self._abandoned = True
            made, self._made = self._made, None
        if made is not None:
            made.sock.close()

    async def take(self, context: ssl.SSLContext, hostname: str | None) -> PreparedTLSStream | None:
        """The connection as a TLS stream when its thread has finished, made it with
        ``context`` for ``hostname`` (no websocket), and the server has not closed it;
        else ``None``, and the connection is closed (now, or when its thread ends). It
        never waits for the thread: a caller that wants to, races it against a connect of
        its own (:func:`adapters.connect_race.first_of`, after :meth:`wait_finished`)."""
        made = self._take(context, hostname, None)
        return None if made is None else await _stream(made)

    async def take_websocket(
        self, context: ssl.SSLContext, url: str, max_frame: int
    ) -> tuple[PreparedTLSStream, Any] | None:
        """The websocket opened for ``url`` (its stream and client protocol, the answer
        to its opening handshake still to be read) when finished, made with ``context``
        for the URL's host and ``max_frame``, and still open; else ``None``, and the
        connection is closed. Never waits (as :meth:`take`)."""
        if max_frame != WEBSOCKET_MAX_FRAME:
            self.abandon()
            return None
        made = self._take(context, self.host, url)
        return None if made is None else (await _stream(made), made.protocol)

    def _take(
        self, context: ssl.SSLContext, hostname: str | None, websocket: str | None
    ) -> _Made | None:
        with self._lock:
            made, self._made = self._made, None
            self._abandoned = True  # an unfinished thread closes what it makes
        if made is None:
            return None
        if context is not self.context or hostname != self.host or websocket != self.websocket:
            made.sock.close()
            return None
        still_open = _still_open(made)
        if still_open is None:
            made.sock.close()
        return still_open


def _still_open(made: _Made) -> _Made | None:
    """``made`` (with any data the server sent meanwhile) if the server has not closed it.

    Whatever is waiting in the socket is read without blocking into the ``SSLObject``,
    which then reads it: a TLS 1.3 server's session tickets (sent after the handshake,
    never read by the thread of an HTTP connection) are consumed, so what follows them is
    seen; "wants more data" means open; the end of the stream, a ``close_notify`` or a
    broken record means closed (the caller connects anew, as httpcore would never retry a
    connection it believes fresh)."""
    sock, incoming = made.sock, made.incoming
    try:
        sock.setblocking(False)  # as the event loop will use it
        while True:
            data = sock.recv(65536)
            if not data:
                return None  # the server's end of the TCP stream
            incoming.write(data)
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        return None
    plaintext = made.plaintext
    try:
        while True:
            data = made.ssl_object.read(65536)
            if not data:
                return None  # close_notify
            plaintext += data
    except ssl.SSLWantReadError:
        return made if plaintext == made.plaintext else made._replace(plaintext=plaintext)
    except ssl.SSLError:
        return None


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


class _Pipe:
    """Runs ``SSLObject`` calls over a blocking socket until ``deadline``."""

    __slots__ = ("deadline", "incoming", "outgoing", "sock", "ssl_object")

    def __init__(
        self,
        sock: socket.socket,
        ssl_object: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        deadline: float,
    ) -> None:
        self.sock = sock
        self.ssl_object = ssl_object
        self.incoming = incoming
        self.outgoing = outgoing
        self.deadline = deadline

    def run(self, method: Any, *args: Any, before_wait: Callable[[], object] | None = None) -> Any:
        """``method(*args)`` until it no longer wants to read; ``before_wait`` is called
        once, when what it wrote first has been sent and before the first wait for an
        answer."""
        while True:
            try:
                result = method(*args)
            except ssl.SSLWantReadError:
                self.flush()
                if before_wait is not None:
                    before_wait()
                    before_wait = None
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


def warm_up(ca_bundles: Iterable[str | None]) -> None:
    """In a daemon thread, build the shared contexts for ``ca_bundles``
    (:func:`adapters.tls.shared_ssl_context`), so that they are ready, or under way, when
    the connections' TCP connects end (the threads would otherwise wait for the first of
    them to build it once connected). A failure is left for the connections themselves to
    meet (and not report: their callers connect as before)."""
    bundles = tuple(ca_bundles)

    def build() -> None:
        try:
            from adapters.tls import shared_ssl_context

            for bundle in bundles:
                shared_ssl_context(bundle)
        except Exception as error:  # e.g. an unreadable bundle: see above
            _debug("pre-connect warm-up not done: %s", error)

    threading.Thread(target=build, name="atomic-fp-preconnect-warm-up", daemon=True).start()


def _debug(message: str, *args: object) -> None:
    """A debug record on ``adapters.preconnect`` (``logging`` is imported here, not when
    the module is: the console script imports this module before anything else,
    :mod:`scripts.early_preconnect`)."""
    import logging

    logging.getLogger("adapters.preconnect").debug(message, *args)


def _websocket_request(url: str) -> Any:
    """The client protocol for ``url`` (the same ``websockets`` one
    :func:`adapters.streams.connection.open_connection` uses) with its opening request
    queued (``data_to_send``)."""
    from adapters.streams.websocket import client_protocol

    protocol = client_protocol(url, WEBSOCKET_MAX_FRAME)
    protocol.send_request(protocol.connect())
    return protocol


def _open_websocket(pipe: _Pipe, protocol: Any) -> bytes:
    """Send ``protocol``'s opening request; the bytes read up to the end of the answer's
    head (and any after it in the same records), not interpreted."""
    for chunk in protocol.data_to_send():
        if chunk:
            pipe.run(pipe.ssl_object.write, chunk)
    plaintext = b""
    while b"\r\n\r\n" not in plaintext:
        data = pipe.run(pipe.ssl_object.read, 65536)
        if not data:
            raise ConnectionError("connection closed before the websocket's answer")
        plaintext += data
        _within_head_limits(plaintext)
    return plaintext


def _within_head_limits(head: bytes) -> None:
    """Refuse an answer's head longer than ``websockets`` would read (its
    ``http11.MAX_LINE_LENGTH`` per line, ``MAX_NUM_HEADERS`` headers after the status
    line): the thread stops reading there, and the caller connects as before (where
    ``websockets`` refuses the same answer with its own error)."""
    from websockets.http11 import MAX_LINE_LENGTH, MAX_NUM_HEADERS

    lines = head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    if any(len(line) > MAX_LINE_LENGTH for line in lines):
        raise ValueError("a line of the websocket's answer is too long")
    if len(lines) > MAX_NUM_HEADERS + 1:
        raise ValueError("too many headers in the websocket's answer")


__all__ = ["ALPN", "WEBSOCKET_MAX_FRAME", "PreparedConnection", "warm_up"]
