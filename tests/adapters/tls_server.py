"""A local HTTP/1.1-over-TLS server that counts connections (the pre-connect tests)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from pathlib import Path

import trustme


class TlsServer:
    """HTTP/1.1 over TLS on 127.0.0.1: answers ``ok`` to every request on a connection;
    counts the connections it accepted and those the client closed. ``close_first``: the
    first connection is closed as soon as its handshake is done (an idle connection a
    server drops: a TLS 1.3 server has sent its session tickets by then), with a TLS
    ``"close_notify"`` first or only the TCP ``"fin"``. ``answer``: what every request
    gets (by default ``200 OK``, body ``ok``)."""

    def __init__(
        self,
        context: ssl.SSLContext,
        *,
        close_first: str | None = None,
        answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ) -> None:
        self._context = context
        self._close_first = close_first
        self._answer = answer
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self.closed = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._all_closed = threading.Condition(self._lock)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                close = self._close_first if self.accepted == 1 else None
            threading.Thread(target=self._handle, args=(raw, close), daemon=True).start()

    def _handle(self, raw: socket.socket, close: str | None = None) -> None:
        try:
            with self._context.wrap_socket(raw, server_side=True) as conn:
                if close == "close_notify":
                    conn.setblocking(False)  # send it; do not wait for the client's
                    with contextlib.suppress(ssl.SSLError):
                        conn.unwrap()
                if close is not None:
                    raise OSError("closed by the server")
                buffer = b""
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    buffer += data
                    while b"\r\n\r\n" in buffer:
                        _, buffer = buffer.split(b"\r\n\r\n", 1)
                        with self._lock:
                            self.requests += 1
                        conn.sendall(self._answer)
        except (OSError, ssl.SSLError):
            raw.close()
        with self._all_closed:
            self.closed += 1
            self._all_closed.notify_all()

    def wait_closed(self, count: int) -> bool:
        with self._all_closed:
            return self._all_closed.wait_for(lambda: self.closed >= count, timeout=30)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._listener.close()


def server_context(ca: trustme.CA, name: str = "127.0.0.1") -> ssl.SSLContext:
    """A server context with a certificate for ``name`` issued by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def write_bundle(ca: trustme.CA, directory: Path) -> str:
    """``ca``'s certificate as a CA bundle file in ``directory``; its path."""
    path = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)
