"""Log records held back while work may still be thrown away and done again.

``scan --offline`` first asks its venues without an event loop
(:func:`atomic_fp.concurrency.run_inline`); if that run would have to wait, it is thrown
away and the scan asks again on anyio (:func:`scripts.scan_run.gather`). What the first
attempt logged must then not be printed too, or a ``-v`` scan would print some lines
twice. :func:`held_logs` holds every record that reaches the command's log handlers
(:data:`scripts.context.LOGGER_NAMES`) until the block ends: released in order, through
the same handlers and their filters (redaction included), when it ends normally; dropped
when it ends by :class:`~atomic_fp.concurrency.InlineRefused`; released too when it ends
by any other exception (a real error keeps what led to it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from atomic_fp.concurrency import InlineRefused
from scripts.context import LOGGER_NAMES


class _Hold(logging.Filter):
    """First filter of a handler: keeps the record for later, lets nothing through now."""

    def __init__(self, held: list[tuple[logging.Handler, logging.LogRecord]]) -> None:
        super().__init__()
        self._held = held
        self.handler: logging.Handler | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        assert self.handler is not None
        self._held.append((self.handler, record))
        return False


@contextmanager
def held_logs() -> Iterator[None]:
    held: list[tuple[logging.Handler, logging.LogRecord]] = []
    handlers = {
        id(handler): handler
        for name in LOGGER_NAMES
        for handler in logging.getLogger(name).handlers
    }
    holds = []
    for handler in handlers.values():
        hold = _Hold(held)
        hold.handler = handler
        handler.filters.insert(0, hold)  # before the redactor: it runs once, on release
        holds.append((handler, hold))
    release = True
    try:
        yield
    except InlineRefused:
        release = False
        raise
    finally:
        for handler, hold in holds:
            handler.removeFilter(hold)
        if release:
            for handler, record in held:
                handler.handle(record)


__all__ = ["held_logs"]
