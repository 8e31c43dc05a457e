"""A TCP proxy on 127.0.0.1 that holds chosen connections until told (the pre-connect
tests): connection ``n`` (1-based, in the order accepted) is forwarded to the server only
once ``gates[n]`` is set, so a test decides when a handshake may go on, by events, never
by time. Counts the connections accepted, and those that ended (the local servers never
end a connection first: an end is the client's)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Mapping


class GatedProxy:
    def __init__(self, target_port: int, gates: Mapping[int, threading.Event]) -> None:
        self._target_port = target_port
        self._gates = gates
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self.ended: set[int] = set()
        """Connections that reached their end (the numbers)."""
        self._changed = threading.Condition()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            with self._changed:
                self.accepted += 1
                number = self.accepted
                self._changed.notify_all()
            threading.Thread(target=self._forward, args=(raw, number), daemon=True).start()

    def _forward(self, raw: socket.socket, number: int) -> None:
        gate = self._gates.get(number)
        if gate is not None:
            gate.wait(60)  # a safety net: the tests set every gate
        try:
            upstream = socket.create_connection(("127.0.0.1", self._target_port))
        except OSError:
            raw.close()
            return
        threading.Thread(target=_pump, args=(upstream, raw), daemon=True).start()
        _pump(raw, upstream)
        with self._changed:
            self.ended.add(number)
            self._changed.notify_all()

    def wait_for(self, condition: str, count: int) -> bool:
        """Until ``accepted >= count`` (``"accepted"``) or connection ``count`` ended
        (``"ended"``); a bounded wait (60 s) as a safety net only."""

        def met() -> bool:
            return self.accepted >= count if condition == "accepted" else count in self.ended

        with self._changed:
            return self._changed.wait_for(met, timeout=60)

    def stop(self) -> None:
        self._listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` to ``sink`` until ``source`` ends; then end ``sink``."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for sock in (sink, source):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    source.close()
