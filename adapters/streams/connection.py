"""One websocket connection over anyio (asyncio and trio), with ``websockets``' sans-I/O
client protocol: the same approach as Lighter's feed (``adapters/lighter/ws.py``).

Only this module and :mod:`adapters.streams.websocket` import ``websockets``;
:mod:`adapters.streams.feed` imports this one when a feed first connects, so a command
that builds clients but streams nothing (a ``scan`` of REST venues) never loads it
(issue 20). :func:`open_connection` starts the TCP connection before importing
``websockets`` (in a thread while the TCP and TLS handshakes are in flight: ~18 ms that
would otherwise hold the event loop, and every other venue's connection, before this one
starts). A secure connection verifies with the process's one SSL context for its CA
bundle (:func:`adapters.tls.shared_ssl_context`), as the HTTP clients do, instead of
building a context (and loading the CA store) per connection. A ``wss://`` connection made
for the same host, port and context while the process started up
(:mod:`adapters.preconnect`: a cold ``scan``) is used instead of a new one.

Proxies: a websocket goes through the proxy the environment names for its URL, as every
venue client's HTTP requests do (:func:`adapters.proxy_routing.websocket_proxy`: ``wss://``
takes the ``https://`` routes, ``ws://`` the ``http://`` ones, ``ALL_PROXY`` and
``NO_PROXY`` as httpx reads them), in a ``CONNECT`` tunnel
(:mod:`adapters.streams.proxy_tunnel`) with TLS to the venue over it verified with the same
context. A proxied websocket never takes a pre-made connection (none is made while a
proxy is set: :mod:`adapters.preconnect`). Without a ``*_proxy`` variable (Linux) nothing
of this is imported."""

from __future__ import annotations

import os
import ssl
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import anyio

from adapters.background_import import BackgroundImport
from adapters.connection_events import connection_starting
from adapters.tls import _may_name_proxies, shared_ssl_context

if TYPE_CHECKING:
    import httpx
    from anyio.abc import ByteStream

    from adapters.prepared_connection import PreparedConnection
    from adapters.streams.websocket import WebSocketConnection as WebSocketConnection

_PROTOCOL_MODULE = "adapters.streams.websocket"


class ConnectionClosed(Exception):
    """The connection ended (closed, dropped, refused or went silent)."""


def _quick_address(url: str) -> tuple[bool, str, int] | None:
    """``(secure, host, port)`` of a ``ws://``/``wss://`` URL as ``websockets.uri.parse_uri``
    reads it, for the URLs it accepts without rewriting (ASCII, no fragment, no user);
    ``None`` for any other, which ``websockets`` itself then reads (and rejects)."""
    try:
        parts = urlparse(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if (
        parts.scheme not in ("ws", "wss")
        or host is None
        or parts.fragment != ""
        or parts.username is not None
        or not url.isascii()
    ):
        return None
    secure = parts.scheme == "wss"
    return secure, host, port or (443 if secure else 80)


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
    ``ca_bundle`` (``None``: the default store, as the HTTP clients). Through the
    environment's proxy for ``url`` if it names one (see the module's doc); a malformed
    proxy setting raises :class:`adapters.proxy_routing.ProxySettingError` naming it."""
    where = _quick_address(url)
    if where is None:
        from adapters.streams.websocket import address, host_as_httpx_encodes

        url = host_as_httpx_encodes(url)
        where = address(url)
    secure, host, port = where
    proxy = _proxy(secure, host, port)
    loader = None
    if _PROTOCOL_MODULE not in sys.modules:
        loader = BackgroundImport([_PROTOCOL_MODULE], name="atomic-fp-websockets")
        loader.start()
    connection_starting()  # adapters.connection_events: the process may import meanwhile
    context = (ssl_context or shared_ssl_context(ca_bundle)) if secure else None
    if proxy is not None:  # never a pre-made (direct) connection
        return await _open_new(url, host, port, context, limit, max_frame, headers, loader, proxy)
    claimed = _claim(host, port, url) if context is not None and not headers else None
    if claimed is None or context is None:
        return await _open_new(url, host, port, context, limit, max_frame, headers, loader)
    if claimed.finished():
        opened = await _preopened(claimed, url, context, limit, max_frame)
        if opened is not None:
            if loader is not None:
                await loader.wait()
            return opened
        return await _open_new(url, host, port, context, limit, max_frame, headers, loader)

    async def when_opened() -> WebSocketConnection | None:
        try:
            await claimed.wait_finished()
        except BaseException:  # the connect won: nobody will use it
            claimed.abandon()
            raise
        opened = await _preopened(claimed, url, context, limit, max_frame)
        if opened is not None and loader is not None:
            await loader.wait()
        return opened

    async def close(connection: WebSocketConnection) -> None:
        await connection.aclose()

    from adapters.connect_race import first_of

    return await first_of(
        lambda: _open_new(url, host, port, context, limit, max_frame, headers, loader),
        when_opened,
        close,
        delay=lambda: claimed.hedge_delay(time.monotonic()),
    )


async def _open_new(
    url: str,
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    limit: float,
    max_frame: int,
    headers: Mapping[str, str] | None,
    loader: BackgroundImport | None,
    proxy: httpx.Proxy | None = None,
) -> WebSocketConnection:
    """Connect (TLS with ``context`` if given; through ``proxy``'s tunnel if given) and
    send the opening handshake, as always."""
    try:
        with anyio.fail_after(limit):
            stream: ByteStream
            if proxy is not None:
                from adapters.streams.proxy_tunnel import open_tunnel

                stream = await open_tunnel(proxy, host, port, context)
            elif context is not None:
                stream = await _preconnected(host, port, context) or await anyio.connect_tcp(
                    host,
                    port,
                    tls=True,
                    ssl_context=context,
                    tls_hostname=host,
                    # closing does not wait for the server's TLS close_notify: a round
                    # trip at the end of every scan with a websocket (measured 93 ms at
                    # 100 ms). The websocket's own framing (and close frames) already
                    # tells a whole message from a cut one; httpcore connects its HTTP
                    # streams the same way, and websockets' asyncio client does not wait
                    # either (asyncio's SSL transport closes in the background).
                    tls_standard_compatible=False,
                )
            else:
                stream = await anyio.connect_tcp(host, port)
    finally:
        if loader is not None:
            await loader.wait()
    from adapters.streams.websocket import WebSocketConnection, client_protocol

    try:
        protocol = client_protocol(url, max_frame)
    except BaseException:
        await stream.aclose()
        raise
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


def _proxy(secure: bool, host: str, port: int) -> httpx.Proxy | None:
    """The environment's proxy for this websocket, if any (a cheap test first, so a
    process without a proxy never imports :mod:`adapters.proxy_routing`)."""
    if not _may_name_proxies(os.environ):
        return None
    from adapters.proxy_routing import websocket_proxy

    return websocket_proxy(secure, host, port)


def _claim(host: str, port: int, url: str) -> PreparedConnection | None:
    """The websocket pre-opened for ``url`` (:mod:`adapters.preconnect`), if any."""
    from adapters import preconnect

    return preconnect.claim(host, port, websocket=url) if preconnect.active() else None


async def _preopened(
    claimed: PreparedConnection, url: str, context: ssl.SSLContext, limit: float, max_frame: int
) -> WebSocketConnection | None:
    """The websocket for ``url`` whose opening handshake was sent while the process
    started (:mod:`adapters.preconnect`), its answer checked here as for any other;
    ``None`` when it is not usable (the caller opens one as always, and reports its
    error if any)."""
    try:
        taken = await claimed.take_websocket(context, url, max_frame)
    except OSError:  # handing the socket to the event loop failed (as the HTTP path)
        return None
    if taken is None:
        return None
    from adapters.streams.websocket import WebSocketConnection

    stream, protocol = taken
    connection = WebSocketConnection(stream, protocol)
    try:
        await connection.handshake(limit)
    except (ConnectionClosed, anyio.BrokenResourceError, anyio.EndOfStream):
        await stream.aclose()
        return None
    except BaseException:
        await stream.aclose()
        raise
    return connection


async def _preconnected(host: str, port: int, context: ssl.SSLContext) -> ByteStream | None:
    """A connection made for ``host:port`` while the process started
    (:mod:`adapters.preconnect`), if it is finished and was made with ``context`` for
    ``host`` (never waited for: one still being made is closed when it ends)."""
    from adapters import preconnect

    claimed = preconnect.claim(host, port) if preconnect.active() else None
    if claimed is None:
        return None
    if not claimed.finished():
        claimed.abandon()
        return None
    try:
        return await claimed.take(context, host)
    except OSError:
        return None


def __getattr__(name: str) -> object:
    if name == "WebSocketConnection":  # it lives with websockets (see the module's doc)
        from adapters.streams.websocket import WebSocketConnection

        return WebSocketConnection
    raise AttributeError(name)
