"""A local HTTP/1.1-over-TLS server that counts connections (the pre-connect tests)."""

from __future__ import annotations

import socket
import ssl
import threading


class TlsServer:
    """HTTP/1.1 over TLS on 127.0.0.1: answers ``ok`` to every request on a connection;
    counts the connections it accepted and those the client closed."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
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
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        try:
            with self._context.wrap_socket(raw, server_side=True) as conn:
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
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
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
