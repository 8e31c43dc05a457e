"""Connections a cold ``scan`` opens while it is still starting up (issue 20, target 1).

A cold scan spends about a third of a second importing and building its clients before
its first TCP connect, then pays a TCP and a TLS 1.3 handshake (two round trips) before
its first request. :func:`start` begins those handshakes as soon as the config is read,
in daemon threads (stdlib ``socket`` and ``ssl``, which release the GIL while they wait),
so that they run while the rest of the program imports. The HTTP transport
(:mod:`adapters.preconnected_transport`) and the websocket
(:func:`adapters.streams.connection.open_connection`) then :func:`claim` a connection made
for their host and port instead of opening one.

What does not change:

- Verification: the handshake uses the process's shared context for the venue's CA
  bundle (:func:`adapters.tls.shared_ssl_context`), with the URL's host as server name, as
  ``httpcore`` and the websocket do; the ALPN list is httpcore's (``["http/1.1"]``, set on
  that shared context by every HTTP/1.1 connect anyway). A claimed connection is used only
  when it was made with the SAME context object and host name the caller asks for;
  otherwise it is closed and the caller connects as before.
- Failures: a pre-connect that failed (refused, timed out, a certificate or host name
  refused, several addresses of which the first did not answer) is never reported: the
  caller connects as it always did, within what is left of its own connect timeout, and
  reports that connect's error exactly as before.
- Proxies: with a proxy configured in the environment (any ``*_proxy`` variable but
  ``no_proxy``, or the platform's proxy settings), nothing is pre-connected.
- Exit: a connection nobody claimed is closed by :func:`discard_unused` (the scan calls it
  when its venues are closed, and ``atexit`` again); a thread still handshaking closes its
  socket when it finishes. Each thread is bounded by the venue's own timeout, and daemon.

Which connections: :data:`SCAN_CONNECTIONS`, per venue kind, the URL a scan reads first
and how many connections it opens there at once (Binance asks ``premiumIndex`` and
``fundingInfo`` together: two). The counts are pinned by a test that counts the
connections a scan opens on local servers (``tests/adapters/test_preconnect_scan.py``).
A venue with options (a testnet switch, GRVT's REST tickers) is left to connect as
before, as is a kind not listed.
"""

from __future__ import annotations

import atexit
import logging
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import attrs

if TYPE_CHECKING:
    from adapters.prepared_tls import PreparedTLSStream

log = logging.getLogger("adapters.preconnect")

ALPN = ["http/1.1"]
"""httpcore's ALPN list for an HTTP/1.1 connection (``httpcore/_async/connection.py``)."""

SCAN_CONNECTIONS: Mapping[str, tuple[str, str, int]] = {
    # kind: (URL setting, its default, connections a scan opens there at once)
    "binance": ("base_url", "https://fapi.binance.com", 2),
    "hyperliquid": ("base_url", "https://api.hyperliquid.xyz", 1),
    "lighter": ("base_url", "https://mainnet.zklighter.elliot.ai", 2),
    "grvt": ("ws_url", "wss://market-data.grvt.io/ws/full", 1),
    "bybit": ("base_url", "https://api.bybit.com", 2),
    "okx": ("base_url", "https://www.okx.com", 3),
}
"""The defaults are the adapters' own (checked equal by the tests). GRVT's ticker
websocket has a default only with the default hosts (``GrvtOptions.read``)."""


class VenueLike(Protocol):
    """What :func:`plan` reads of a configured venue (``scripts.config.VenueConfig``)."""

    @property
    def kind(self) -> str: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def ws_url(self) -> str | None: ...
    @property
    def options(self) -> Mapping[str, str]: ...
    @property
    def ca_bundle(self) -> str | None: ...
    @property
    def timeout(self) -> float: ...


@attrs.frozen
class Target:
    """``count`` connections to ``host:port`` verified with ``ca_bundle``'s context."""

    host: str
    port: int
    ca_bundle: str | None
    timeout: float
    count: int


def plan(venues: Iterable[VenueLike]) -> tuple[Target, ...]:
    """The connections a live scan of ``venues`` opens first (see the module's doc)."""
    targets = []
    for venue in venues:
        known = SCAN_CONNECTIONS.get(venue.kind)
        if known is None or venue.options:
            continue
        setting, default, count = known
        url = getattr(venue, setting)
        if url is None and setting == "ws_url" and venue.base_url is not None:
            continue  # GRVT with its own hosts and no websocket: REST tickers
        address = _secure_address(url or default)
        if address is not None:
            targets.append(Target(*address, venue.ca_bundle, venue.timeout, count))
    return tuple(targets)


def _secure_address(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an ``https``/``wss`` URL with an ASCII host, else ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("https", "wss") or not host or not host.isascii():
        return None
    return host, port or 443


def proxies_configured(environ: Mapping[str, str]) -> bool:
    """Whether the environment names a proxy (``urllib.request.getproxies``'s sources:
    ``*_proxy`` variables in either case; elsewhere than Linux the system settings)."""
    if any(
        name.lower().endswith("_proxy") and name.lower() != "no_proxy" and value
        for name, value in environ.items()
    ):
        return True
    platform = sys.platform  # (a variable: the check is at run time, not mypy's platform)
    if platform == "linux":
        return False
    import urllib.request  # macOS and Windows: the system's proxy settings too

    return bool(urllib.request.getproxies())


class PreparedConnection:
    """One TCP connection and TLS handshake made in a daemon thread."""

    def __init__(self, host: str, port: int, ca_bundle: str | None, timeout: float) -> None:
        self.host = host
        self.port = port
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.context: ssl.SSLContext | None = None
        self.problem: str | None = None
        """Why the connection could not be made (never reported: the caller reconnects)."""
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._made: tuple[socket.socket, ssl.SSLObject, ssl.MemoryBIO, ssl.MemoryBIO] | None
        self._made = None
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
            _handshake(sock, ssl_object, incoming, outgoing, deadline)
            made = (sock, ssl_object, incoming, outgoing)
        except Exception as error:  # any failure: the caller connects as before
            self.problem = f"{type(error).__name__}: {error}"
            if sock is not None:
                sock.close()
        with self._lock:
            if self._abandoned and made is not None:
                made[0].close()
                made = None
            self._made = made
        self._done.set()

    def ready(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` for the thread to finish; whether it has."""
        return self._done.wait(timeout)

    def abandon(self) -> None:
        """Close the connection now, or when its handshake ends."""
        with self._lock:
            self._abandoned = True
            made, self._made = self._made, None
        if made is not None:
            made[0].close()

    async def take(
        self,
        context: ssl.SSLContext,
        hostname: str | None,
        timeout: float | None,  # noqa: ASYNC109 (the caller's connect timeout)
    ) -> PreparedTLSStream | None:
        """The connection as a TLS stream when it was made with ``context`` for
        ``hostname`` (waiting up to ``timeout`` for its handshake); else ``None``, and
        the connection is closed."""
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
        sock, ssl_object, incoming, outgoing = made
        if context is not self.context or hostname != self.host:
            sock.close()
            return None
        from anyio.abc import SocketStream

        from adapters.prepared_tls import PreparedTLSStream

        try:
            transport = await SocketStream.from_socket(sock)
        except BaseException:
            sock.close()
            raise
        return PreparedTLSStream(transport, ssl_object, incoming, outgoing)


def _handshake(
    sock: socket.socket,
    ssl_object: ssl.SSLObject,
    incoming: ssl.MemoryBIO,
    outgoing: ssl.MemoryBIO,
    deadline: float,
) -> None:
    """Drive a client handshake over a blocking socket until ``deadline``."""
    while True:
        try:
            ssl_object.do_handshake()
            break
        except ssl.SSLWantReadError:
            if outgoing.pending:
                sock.sendall(outgoing.read())
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("TLS handshake timed out") from None
            sock.settimeout(remaining)
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("closed during the TLS handshake") from None
            incoming.write(data)
    if outgoing.pending:  # the client's Finished
        sock.sendall(outgoing.read())


_lock = threading.Lock()
_waiting: dict[tuple[str, int], deque[PreparedConnection]] = {}
_begun: list[PreparedConnection] = []
"""Every connection begun, claimed or not: :func:`discard_unused` closes any not taken."""
_started: list[bool] = []


def start(targets: Iterable[Target], environ: Mapping[str, str]) -> int:
    """Begin every target's connections (none with a proxy in ``environ``); how many."""
    targets = tuple(targets)
    if not targets or proxies_configured(environ):
        return 0
    begun = 0
    with _lock:
        if not _started:
            atexit.register(discard_unused)
        _started.append(True)
        for target in targets:
            for _ in range(target.count):
                connection = PreparedConnection(
                    target.host, target.port, target.ca_bundle, target.timeout
                )
                _waiting.setdefault((target.host, target.port), deque()).append(connection)
                _begun.append(connection)
                connection.start()
                begun += 1
    log.debug(
        "pre-connecting %d connection(s): %s",
        begun,
        ", ".join(f"{t.host}:{t.port} x{t.count}" for t in targets),
    )
    return begun


def active() -> bool:
    """Whether :func:`start` began connections in this process (the transports of the
    clients built afterwards look for them)."""
    return bool(_started)


def claim(host: str, port: int) -> PreparedConnection | None:
    """The oldest unclaimed connection begun for ``host:port``, if any."""
    with _lock:
        queue = _waiting.get((host, port))
        if not queue:
            return None
        return queue.popleft()


def discard_unused() -> None:
    """Close every connection nobody took (see the module's doc): those never claimed,
    and those claimed by a caller that was cancelled or gave up before taking them."""
    with _lock:
        unused = list(_begun)
        _begun.clear()
        _waiting.clear()
    for connection in unused:
        connection.abandon()


def reset() -> None:
    """Forget everything (tests): unclaimed connections are closed first."""
    discard_unused()
    with _lock:
        _started.clear()


__all__ = [
    "SCAN_CONNECTIONS",
    "PreparedConnection",
    "Target",
    "active",
    "claim",
    "discard_unused",
    "plan",
    "proxies_configured",
    "start",
]
