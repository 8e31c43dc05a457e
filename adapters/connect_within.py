"""A TCP connect with one deadline for all of a host's addresses (the pre-connect's thread,
:mod:`adapters.prepared_connection`)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any


def connect_within(
    host: str,
    port: int,
    deadline: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    resolve: Callable[..., list[Any]] | None = None,
    connect: Callable[[Any, float], socket.socket] | None = None,
) -> socket.socket:
    """``socket.create_connection((host, port))`` with one ``deadline`` for all of it:
    each address gets what is left (``create_connection`` gives each the whole timeout, so
    a first address that drops packets would hold the thread for a timeout per address).
    ``clock``, ``resolve`` and ``connect`` are the tests' (``connect(address, timeout)``)."""
    connect = connect or connect_one
    resolve = resolve or socket.getaddrinfo  # (looked up now, as create_connection does)
    error: OSError | None = None
    for family, kind, proto, _, address in resolve(host, port, 0, socket.SOCK_STREAM):
        remaining = deadline - clock()
        if remaining <= 0:
            break
        try:
            return connect((family, kind, proto, address), remaining)
        except OSError as failed:
            error = failed
    raise error if error is not None else TimeoutError(f"timed out connecting to {host}:{port}")


def connect_one(where: Any, timeout: float) -> socket.socket:
    family, kind, proto, address = where
    sock = socket.socket(family, kind, proto)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


__all__ = ["connect_one", "connect_within"]
