"""Importing modules in a worker thread while the event loop waits for the network
(issue 20: a cold process waits several round trips for its connections, idle).

:class:`BackgroundImport` imports its modules in a daemon thread started, once asked
(:meth:`~BackgroundImport.start`), two turns of the asyncio event loop later: a
connection is signalled just before ``anyio.connect_tcp``, which connects in a task of
its own (happy eyeballs) queued after the signal, so the thread starts once that task
has sent its connect and never competes with it. While it runs, the interpreter's switch
interval is 0.5 ms instead of 5 (:data:`SWITCH_INTERVAL`): a network event the loop must
handle waits at most that long for the thread to let go of the GIL.

The worker only fills ``sys.modules`` early: the code that uses a module still imports it
where it uses it, which is free once the worker has done it and raises the real error
(an ``ImportError`` naming the module, or the module's own) if the worker could not.
Python's import system takes a lock per module, so an import in both threads at once
waits for the other, never runs twice.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence

SWITCH_INTERVAL = 0.0005
"""Seconds a worker may hold the GIL while the event loop has an event to handle."""

_switching = threading.Lock()
_fast: list[float] = []
"""The interval to restore, once per worker running (see :func:`_fast_switching`)."""


def _fast_switching(on: bool) -> None:
    """Lower the switch interval while at least one worker runs; restore it after."""
    with _switching:
        if on:
            _fast.append(sys.getswitchinterval())
            sys.setswitchinterval(min(_fast[0], SWITCH_INTERVAL))
        else:
            restore = _fast.pop()
            if not _fast:
                sys.setswitchinterval(restore)


class BackgroundImport:
    """Modules to import in a worker thread (see the module's doc)."""

    def __init__(
        self, names: Sequence[str], *, name: str, then: Callable[[], None] | None = None
    ) -> None:
        self.names = tuple(names)
        self.then = then
        """Run by the worker after the imports (e.g. ``gc.freeze``)."""
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._scheduled = False
        self._running = threading.Event()

    @property
    def scheduled(self) -> bool:
        return self._scheduled

    def _run(self) -> None:
        import importlib

        _fast_switching(True)
        try:
            for name in self.names:
                try:
                    importlib.import_module(name)
                except Exception as problem:  # the caller's own import raises it again
                    import logging

                    logging.getLogger("adapters").debug("background import %s: %r", name, problem)
        finally:
            _fast_switching(False)
        if self.then is not None:
            self.then()

    def _launch(self) -> None:
        self._thread.start()
        self._running.set()

    def start(self) -> None:
        """Start the worker two loop turns from now (at once outside asyncio); again: no-op."""
        if self._scheduled:
            return
        self._scheduled = True
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # trio, or no loop: now
            self._launch()
        else:
            loop.call_soon(loop.call_soon, self._launch)

    async def wait(self) -> None:
        """Until the worker, if it was scheduled, has finished."""
        if not self._scheduled:
            return
        import anyio.to_thread

        if not self._running.is_set():  # its start is still queued on the loop
            await anyio.to_thread.run_sync(self._running.wait)
        await anyio.to_thread.run_sync(self._thread.join)


__all__ = ["SWITCH_INTERVAL", "BackgroundImport"]
