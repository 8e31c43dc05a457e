"""The guard that makes "no test touches the internet" checkable.

:func:`block_internet` makes every socket connection and name lookup outside the loopback
interface fail (connections with :class:`InternetAccessError`, a ``ConnectionRefusedError``;
lookups with ``socket.gaierror``), so a test that tried to reach a venue could not pass. A
venue's test folder turns it on for all its tests in its ``conftest.py``::

    @pytest.fixture(autouse=True)
    def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
        block_internet(monkeypatch)
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class InternetAccessError(ConnectionRefusedError):
    """A test tried to reach a host outside the loopback interface."""


def _host(address: Any) -> str:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(address)


def block_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse non-loopback connections and lookups until the test ends."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def outside(sock: socket.socket, address: Any) -> bool:
        internet = (socket.AF_INET, socket.AF_INET6)
        return sock.family in internet and _host(address) not in LOOPBACK

    def connect(self: socket.socket, address: Any) -> None:
        if outside(self, address):
            raise InternetAccessError(f"test tried to reach {_host(address)!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if outside(self, address):
            raise InternetAccessError(f"test tried to reach {_host(address)!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK:
            raise socket.gaierror(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


__all__ = ["LOOPBACK", "InternetAccessError", "block_internet"]
