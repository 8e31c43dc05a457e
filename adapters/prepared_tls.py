"""A TLS byte stream continuing a handshake done elsewhere (:mod:`adapters.preconnect`).

:mod:`adapters.preconnect` connects and completes the TLS handshake in a background
thread, with an ``ssl.SSLObject`` over two ``ssl.MemoryBIO`` s on a blocking socket (the
way asyncio, anyio and trio drive TLS: the ``SSLObject`` never touches the socket). This
stream carries on with the same ``SSLObject`` on the event loop: each call runs it, and
moves bytes between its BIOs and the socket (an anyio ``SocketStream``) when it asks to.

It follows anyio's ``TLSStream`` as ``httpcore`` and :mod:`adapters.streams.connection`
open it (``standard_compatible=False``: closing does not wait for the server's
close_notify, and a server closing without one reads as the end of the stream), and
answers the same extra attributes (``TLSAttribute`` and the socket's), so its users
cannot tell it from one whose handshake ran on the loop. anyio's ``TLSStream`` is not
used because it has no public way to start from an ``SSLObject`` already handshaken.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
from anyio.abc import ByteStream, SocketStream
from anyio.streams.tls import TLSAttribute

T = TypeVar("T")


class PreparedTLSStream(ByteStream):
    """TLS over ``transport`` with a client ``SSLObject`` whose handshake is complete."""

    def __init__(
        self,
        transport: SocketStream,
        ssl_object: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        *,
        pending: bytes = b"",
    ) -> None:
        self.transport_stream = transport
        self._pending = pending
        """Bytes the handshake's thread already decrypted: read before any others."""
        self._ssl_object = ssl_object
        self._incoming = incoming
        self._outgoing = outgoing
        self._broken = False

    async def _flush(self) -> None:
        if self._outgoing.pending:
            data = self._outgoing.read()
            try:
                await self.transport_stream.send(data)
            except BaseException:
                # the record's sequence number is spent: nothing sent after it decrypts
                self._broken = True
                raise

    async def _call(self, method: Callable[..., T], *args: Any) -> T:
        """Run an ``SSLObject`` method, feeding it the socket's bytes until it can answer
        (anyio's ``TLSStream._call_sslobject_method``, ``standard_compatible=False``)."""
        if self._broken:
            raise anyio.BrokenResourceError
        while True:
            try:
                result = method(*args)
            except ssl.SSLWantReadError:
                try:
                    await self._flush()
                    data = await self.transport_stream.receive()
                except anyio.EndOfStream:
                    self._incoming.write_eof()
                except OSError as error:
                    self._incoming.write_eof()
                    self._outgoing.write_eof()
                    raise anyio.BrokenResourceError from error
                else:
                    self._incoming.write(data)
            except ssl.SSLWantWriteError:
                await self._flush()
            except ssl.SSLSyscallError as error:
                self._incoming.write_eof()
                self._outgoing.write_eof()
                raise anyio.BrokenResourceError from error
            except ssl.SSLError as error:
                self._incoming.write_eof()
                self._outgoing.write_eof()
                if isinstance(error, ssl.SSLEOFError) or (
                    error.strerror and "UNEXPECTED_EOF_WHILE_READING" in error.strerror
                ):
                    raise anyio.EndOfStream from None
                raise
            else:
                await self._flush()
                return result

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if max_bytes < 1:
            raise ValueError("max_bytes must be a positive integer")
        if self._pending:
            data, self._pending = self._pending[:max_bytes], self._pending[max_bytes:]
            return data
        data = await self._call(self._ssl_object.read, max_bytes)
        if not data:
            raise anyio.EndOfStream
        return data

    async def send(self, item: bytes) -> None:
        await self._call(self._ssl_object.write, item)

    async def send_eof(self) -> None:
        raise NotImplementedError("send_eof() is not implemented for TLS streams")

    async def aclose(self) -> None:
        await self.transport_stream.aclose()

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        ssl_object = self._ssl_object
        return {
            **self.transport_stream.extra_attributes,
            TLSAttribute.alpn_protocol: ssl_object.selected_alpn_protocol,
            TLSAttribute.channel_binding_tls_unique: ssl_object.get_channel_binding,
            TLSAttribute.cipher: ssl_object.cipher,
            TLSAttribute.peer_certificate: lambda: ssl_object.getpeercert(False),
            TLSAttribute.peer_certificate_binary: lambda: ssl_object.getpeercert(True),
            TLSAttribute.server_side: lambda: False,
            TLSAttribute.shared_ciphers: lambda: None,
            TLSAttribute.standard_compatible: lambda: False,
            TLSAttribute.ssl_object: lambda: ssl_object,
            TLSAttribute.tls_version: ssl_object.version,
        }


__all__ = ["PreparedTLSStream"]
