"""A websocket through the environment's HTTP proxy: the ``CONNECT`` tunnel.

Which proxy (if any) is :func:`adapters.proxy_routing.websocket_proxy`'s choice, the
routes every venue client follows. ``websockets`` 17 has a ``proxy=`` of its own, but only
in its asyncio client (``websockets.asyncio.client.connect``) and with its own routing
(``urllib.request.proxy_bypass``; a ``wss``/``socks`` key before ``https``), while this
package drives ``websockets``' sans-I/O protocol over anyio (asyncio and trio); so the
tunnel is opened here, the way httpcore opens one for the HTTP clients
(``httpcore/_async/http_proxy.py``, ``AsyncTunnelHTTPConnection``):

1. TCP to the proxy; for an ``https://`` proxy, TLS to it first, verified with the
   context httpcore gives a proxy (:func:`proxy_ssl_context`: the system's store plus
   certifi), for the proxy's host name; that name is the one httpcore connects to and
   verifies (:func:`proxy_address`: ``httpx.URL.raw_host``, an internationalised name
   IDNA 2008-encoded by httpx), never the decoded ``host``, which the socket and ssl
   modules would encode with IDNA 2003 (``straße`` -> ``strasse``: another host);
2. ``CONNECT host:port HTTP/1.1`` (RFC 9110 section 9.3.6) with ``Host`` and ``Accept``
   as httpcore sends them and, for a proxy URL with a user, ``Proxy-Authorization: Basic``
   (RFC 7617) built as httpcore builds it from ``httpx.Proxy.raw_auth``;
3. a 2xx answer opens the tunnel (anything else is the proxy's refusal); the client then
   speaks first (TLS ClientHello or the websocket's opening request), so a proxy that
   sends bytes after its answer and before that is broken, and refused. The answer's
   head is framed and checked as h11 (httpcore's parser) does (:mod:`adapters.streams.
   proxy_answer`: its status and header lines by h11's grammar, in linear time): it ends at
   the first ``LF [CR] LF`` (a bare LF ends a line too, RFC 9112 section 2.2: "a recipient
   MAY recognize a single LF as a line terminator and ignore any preceding CR"; h11
   ``_receivebuffer.py`` ``blank_line_regex``, since python-hyper/h11#7), interim 1xx
   answers other than 101 are skipped as httpcore skips them
   (``httpcore/_async/http11.py``, ``_receive_response_headers``), and an answer whose
   first byte is a control character or space is refused at once (h11's
   ``is_next_line_obviously_invalid_request_line``), not at the timeout;
4. for ``wss://``, TLS to the venue over the tunnel with the caller's context (the shared
   one for the venue's CA bundle): the venue's certificate is verified end to end, as
   without a proxy.

Every failure raises :class:`~adapters.streams.connection.ConnectionClosed` naming the
proxy without its user and password (and the proxy's status line when it refused): the
caller (a stream feed, GRVT's ticker snapshot) reports it as it reports a failed direct
connect. A SOCKS proxy (httpx's ``socks5://``, with ``httpx[socks]``) is not supported for
websockets: refused with a message saying so (``NO_PROXY`` can exempt the host).
"""

from __future__ import annotations

import base64
import functools
import ssl

import anyio
import httpx
from anyio.abc import ByteStream
from anyio.streams.tls import TLSStream

from adapters.proxy_routing import shown
from adapters.streams.connection import ConnectionClosed
from adapters.streams.proxy_answer import AnswerReader, answer_end

MAX_ANSWER_HEAD = 64 * 1024
"""The most a proxy's answer to ``CONNECT`` (status line and headers) may take."""


def authority(host: str, port: int) -> str:
    """``host:port`` as a ``CONNECT`` target and ``Host`` value (an IPv6 address in
    brackets, RFC 9110 section 7.2 / RFC 3986 section 3.2.2)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def proxy_address(proxy: httpx.Proxy) -> tuple[str, int]:
    """Where the proxy is reached (host, port), as httpcore does for the HTTP clients: its
    origin (``httpcore.URL(host=proxy.url.raw_host, ...).origin``, port 80/443 by scheme
    when none is given), the host in the ASCII form it dials and verifies TLS for."""
    default = 443 if proxy.url.scheme == "https" else 80
    return proxy.url.raw_host.decode("ascii"), proxy.url.port or default


def connect_request(proxy: httpx.Proxy, host: str, port: int) -> bytes:
    """The ``CONNECT`` request for ``host:port`` (httpcore's headers, plus the proxy's)."""
    target = authority(host, port)
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}", "Accept: */*"]
    raw = proxy.raw_auth
    if raw is not None:
        token = base64.b64encode(raw[0] + b":" + raw[1]).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {token}")
    lines.extend(f"{name}: {value}" for name, value in proxy.headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _printable(text: str) -> str:
    """The proxy's words with every line break or control character escaped (``\\x1b``),
    so that nothing it sends can forge a log line or drive a terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@functools.cache
def proxy_ssl_context() -> ssl.SSLContext:
    """What an ``https://`` proxy's certificate is verified with: the context httpcore
    gives a proxy when none is set (``httpcore._ssl.default_ssl_context``: the system's
    store plus certifi), as for every HTTP client of the process (:mod:`adapters.
    proxy_routing` sets none), so that a company proxy whose CA is in the system's store
    works for the websockets as it does for the REST calls."""
    import certifi

    context = ssl.create_default_context()
    context.load_verify_locations(certifi.where())
    return context


def check_answer(head: bytes, where: str, target: str) -> None:
    """Refuse a ``CONNECT`` answer (``head``: everything the proxy sent before the tunnel
    is used) that is malformed (as h11 judges it, :mod:`adapters.streams.proxy_answer`),
    not a 2xx, or that carries bytes after its blank line."""
    found = answer_end(head)
    if found is None:  # (never from open_tunnel, which reads a whole answer first)
        first = head.split(b"\n", 1)[0].removesuffix(b"\r").decode("latin-1")
        raise ConnectionClosed(
            f"proxy {where}: no whole answer to CONNECT {target}: {first[:80]!r}"
        )
    status_line, end, fault = found
    extra = head[end:]
    if fault == "not an HTTP answer" or fault == "no status line":
        raise ConnectionClosed(
            f"proxy {where}: not an HTTP answer to CONNECT {target}: {status_line[:80]!r}"
        )
    if fault:
        raise ConnectionClosed(
            f"proxy {where}: malformed answer to CONNECT {target} ({_printable(fault)}): "
            f"{status_line[:80]!r}"
        )
    _, code, reason = [*status_line.split(" ", 2), "", ""][:3]
    if not code.startswith("2"):
        raise ConnectionClosed(
            f"proxy {where} refused CONNECT {target}: {code} {_printable(reason[:80])}"
        )
    if extra:
        raise ConnectionClosed(
            f"proxy {where}: {len(extra)} bytes after its answer to CONNECT {target}, "
            "before the tunnel was used"
        )


async def _answer_head(stream: ByteStream, where: str, target: str) -> bytes:
    """Everything the proxy sent up to the end of its deciding head; the work per
    received byte is bounded (:class:`~adapters.streams.proxy_answer.AnswerReader`)."""
    reader = AnswerReader()
    found = reader.feed(b"")
    while found is None:
        if len(reader.data) > MAX_ANSWER_HEAD:
            raise ConnectionClosed(f"proxy {where}: answer to CONNECT {target} too long")
        try:
            found = reader.feed(await stream.receive())
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            raise ConnectionClosed(
                f"proxy {where} closed the connection before answering CONNECT {target}"
            ) from None
    return bytes(reader.data)


async def open_tunnel(
    proxy: httpx.Proxy, host: str, port: int, context: ssl.SSLContext | None
) -> ByteStream:
    """A byte stream to ``host:port`` through ``proxy`` (with TLS to the venue over it,
    verified with ``context``, when ``context`` is given); see the module's doc."""
    where = shown(proxy)
    target = authority(host, port)
    scheme = proxy.url.scheme
    if scheme not in ("http", "https"):
        raise ConnectionClosed(
            f"proxy {where}: websockets go through http:// or https:// proxies only "
            f"({scheme}:// is not supported for them; NO_PROXY can exempt {host})"
        )
    proxy_host, proxy_port = proxy_address(proxy)
    proxy_context = None
    if scheme == "https":
        try:
            proxy_context = proxy_ssl_context()
        except (OSError, ValueError) as error:  # e.g. SSLKEYLOGFILE naming no file
            from adapters.default_trust import blamed

            raise ConnectionClosed(f"proxy {where}: {blamed(error, None)}") from None
    try:
        stream: ByteStream = await anyio.connect_tcp(proxy_host, proxy_port)
    except OSError as error:
        raise ConnectionClosed(f"cannot connect to proxy {where}: {error}") from None
    try:
        if proxy_context is not None:
            stream = await TLSStream.wrap(
                stream,
                hostname=proxy_host,
                ssl_context=proxy_context,
                standard_compatible=False,
            )
        await stream.send(connect_request(proxy, host, port))
        check_answer(await _answer_head(stream, where, target), where, target)
        if context is not None:
            # as anyio.connect_tcp(tls=True, tls_standard_compatible=False) does directly
            stream = await TLSStream.wrap(
                stream, hostname=host, ssl_context=context, standard_compatible=False
            )
    except BaseException:
        await anyio.aclose_forcefully(stream)
        raise
    return stream


__all__ = [
    "MAX_ANSWER_HEAD",
    "answer_end",
    "authority",
    "check_answer",
    "connect_request",
    "open_tunnel",
    "proxy_address",
]
