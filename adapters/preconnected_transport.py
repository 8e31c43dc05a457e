"""The HTTP transport of a process that pre-connected (:mod:`adapters.preconnect`).

``httpx.AsyncHTTPTransport`` has no way to take a network backend, so this is the same
thing written out with public APIs only: an ``httpcore.AsyncConnectionPool`` configured as
httpx configures its default one (HTTP/1.1, httpx's default limits, no retries, the
shared SSL context), with a network backend, :class:`PreconnectingBackend`, that hands out
a pre-made connection for a host and port once, and otherwise is httpcore's own
``AnyIOBackend``; and the mapping of requests, responses and exceptions between httpx and
httpcore that ``AsyncHTTPTransport.handle_async_request`` does
(``httpx/_transports/default.py``). It also traces connects as
:func:`adapters.tls.default_transport`'s transport does (:mod:`adapters.connection_events`).

Only a process that called :func:`adapters.preconnect.start` (a live ``scan``) builds it:
every other command, and so every command that trades, keeps
:func:`adapters.tls.default_transport`'s ``httpx.AsyncHTTPTransport``.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import anyio
import httpcore
import httpx

from adapters import preconnect
from adapters.connect_race import first_of
from adapters.connection_events import listening

_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
)
"""httpx's own table (``HTTPCORE_EXC_MAP``): each httpcore error becomes the most
specific httpx error, with the same message."""


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        mapped: type[httpx.HTTPError] | None = None
        for source, target in _EXCEPTIONS:
            if isinstance(error, source) and (mapped is None or issubclass(target, mapped)):
                mapped = target
        if mapped is None:
            raise
        raise mapped(str(error)) from error


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


async def _taken(
    claimed: preconnect.PreparedConnection, context: ssl.SSLContext, hostname: str | None
) -> httpcore.AsyncNetworkStream | None:
    """The claimed connection as httpcore's stream, or ``None`` (then closed)."""
    try:
        stream = await claimed.take(context, hostname)
    except OSError:  # handing the socket to the event loop failed: connect anew
        return None
    return None if stream is None else _TLSNetworkStream(stream)


async def _trace(event: str, info: dict[str, Any]) -> None:
    from adapters.tls import trace_connects

    await trace_connects(event, info)


class PreconnectingTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncHTTPTransport(verify=ssl_context)`` over :class:`PreconnectingBackend`."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's
        self.ssl_context = ssl_context
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=PreconnectingBackend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        extensions = request.extensions
        if listening() and "trace" not in extensions:
            extensions = {**extensions, "trace": _trace}
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=extensions,
        )
        with _httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class PreconnectingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's ``AnyIOBackend``, except that a connect to a host and port with a
    pre-made connection waiting (:func:`adapters.preconnect.claim`) gets that one."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        claimed = None if local_address or socket_options else preconnect.claim(host, port)
        if claimed is None:
            return await self._backend.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
        return _ClaimedStream(self._backend, claimed, host, port, timeout)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _ClaimedStream(httpcore.AsyncNetworkStream):
    """What :meth:`PreconnectingBackend.connect_tcp` answers for a claimed connection:
    ``start_tls`` with the context and host name it was made with returns it; anything
    else (another context or name, a failed pre-connect, one the server closed, plain
    HTTP) closes it and connects as httpcore would, with the same timeouts. A pre-connect
    still under way is raced against that connect (:func:`adapters.connect_race.first_of`):
    never slower than the connect, and the connect's error is the one reported."""

    def __init__(
        self,
        backend: httpcore.AsyncNetworkBackend,
        claimed: preconnect.PreparedConnection,
        host: str,
        port: int,
        timeout: float | None,
    ) -> None:
        self._backend = backend
        self._claimed: preconnect.PreparedConnection | None = claimed
        self._host = host
        self._port = port
        self._timeout = timeout
        self._plain: httpcore.AsyncNetworkStream | None = None

    async def _connect(self) -> httpcore.AsyncNetworkStream:
        """The connect httpcore would have made (``connect_tcp``'s errors, unchanged)."""
        self._abandon()
        if self._plain is None:
            self._plain = await self._backend.connect_tcp(self._host, self._port, self._timeout)
        return self._plain

    async def _connect_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None,
        timeout: float | None,  # noqa: ASYNC109 (httpcore's start_tls timeout)
    ) -> httpcore.AsyncNetworkStream:
        """httpcore's ``connect_tcp`` then ``start_tls``, with their timeouts and errors."""
        plain = await self._backend.connect_tcp(self._host, self._port, self._timeout)
        try:
            return await plain.start_tls(ssl_context, server_hostname, timeout)
        except BaseException:  # cancelled (the pre-made one won the race): close it
            with anyio.CancelScope(shield=True):
                await plain.aclose()
            raise

    def _abandon(self) -> None:
        claimed, self._claimed = self._claimed, None
        if claimed is not None:
            claimed.abandon()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
    ) -> httpcore.AsyncNetworkStream:
        claimed, self._claimed = self._claimed, None
        if claimed is not None and claimed.finished():
            stream = await _taken(claimed, ssl_context, server_hostname)
            if stream is not None:
                return stream
        elif claimed is not None:

            async def when_made() -> httpcore.AsyncNetworkStream | None:
                try:
                    await claimed.wait_finished()
                except BaseException:  # the connect won: nobody will use it
                    claimed.abandon()
                    raise
                return await _taken(claimed, ssl_context, server_hostname)

            async def close(stream: httpcore.AsyncNetworkStream) -> None:
                await stream.aclose()

            return await first_of(
                lambda: self._connect_tls(ssl_context, server_hostname, timeout),
                when_made,
                close,
                delay=lambda: claimed.hedge_delay(time.monotonic()),
            )
        return await self._connect_tls(ssl_context, server_hostname, timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await (await self._connect()).read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await (await self._connect()).write(buffer, timeout)

    async def aclose(self) -> None:
        self._abandon()
        if self._plain is not None:
            await self._plain.aclose()

    def get_extra_info(self, info: str) -> Any:
        return None if self._plain is None else self._plain.get_extra_info(info)


class _TLSNetworkStream(httpcore.AsyncNetworkStream):
    """An anyio TLS byte stream seen by httpcore as its ``AnyIOStream`` sees one (the
    same timeouts and error mapping, ``httpcore/_backends/anyio.py``)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        try:
            with anyio.fail_after(timeout):
                try:
                    data: bytes = await self._stream.receive(max_bytes=max_bytes)
                    return data
                except anyio.EndOfStream:
                    return b""
        except TimeoutError as error:
            raise httpcore.ReadTimeout(error) from error
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as error:
            raise httpcore.ReadError(error) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        try:
            with anyio.fail_after(timeout):
                await self._stream.send(item=buffer)
        except TimeoutError as error:
            raise httpcore.WriteTimeout(error) from error
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as error:
            raise httpcore.WriteError(error) from error

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("TLS is already started on this connection")

    def get_extra_info(self, info: str) -> Any:
        from anyio.abc import SocketAttribute
        from anyio.streams.tls import TLSAttribute

        if info == "ssl_object":
            return self._stream.extra(  # noqa: S610 (anyio's typed attributes)
                TLSAttribute.ssl_object, None
            )
        if info == "client_addr":
            return self._stream.extra(  # noqa: S610 (anyio's typed attributes)
                SocketAttribute.local_address, None
            )
        if info == "server_addr":
            return self._stream.extra(  # noqa: S610 (anyio's typed attributes)
                SocketAttribute.remote_address, None
            )
        sock = self._stream.extra(  # noqa: S610 (anyio's typed attributes)
            SocketAttribute.raw_socket, None
        )
        if info == "socket":
            return sock
        if info == "is_readable":
            return _readable(sock)
        return None


def _readable(sock: Any) -> bool:
    """httpcore's ``is_socket_readable`` (``httpcore/_utils.py``): a closed socket reads
    as readable (its next read returns the end); ``select.select`` where there is no
    ``poll`` (Windows)."""
    import select

    fd = None if sock is None else sock.fileno()
    if fd is None or fd < 0:
        return True
    if not hasattr(select, "poll"):
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


__all__ = ["PreconnectingBackend", "PreconnectingTransport"]
