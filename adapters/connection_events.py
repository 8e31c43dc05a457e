"""A process-wide signal: "a network connection is being opened now".

Why (issue 20): a cold ``scan`` waits three to four round trips (TCP, TLS, the request; a
websocket also its upgrade and subscribe) during which the process has nothing to do, so
it imports what it needs for the answers (decisions, output) in that time, in a worker
thread (:func:`scripts.startup.warm_imports`). Starting those imports only once the first
connection is under way keeps them off the path to it, whatever the order in which the
event loop runs the venues' tasks: the first connection is opened before any of them.

Who signals: every HTTP transport :func:`adapters.tls.default_transport` builds (httpcore's
``trace`` request extension reports ``connection.connect_tcp.started`` just before it
connects; httpx passes a request's extensions to httpcore, ``httpx/_transports/default.py``),
and :func:`adapters.streams.connection.open_connection` before it connects a websocket.
Listeners are plain callables run on the event loop's thread; they must not block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_listeners: list[Callable[[], None]] = []


def connection_starting() -> None:
    """Tell every listener a connection is being opened (cheap when none listens)."""
    for listener in tuple(_listeners):
        listener()


def listening() -> bool:
    return bool(_listeners)


@contextmanager
def on_connection_start(listener: Callable[[], None]) -> Iterator[None]:
    """Call ``listener`` each time a connection starts, while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


__all__ = ["connection_starting", "listening", "on_connection_start"]
