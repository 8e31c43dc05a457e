"""Start-up trimming for the ``atomic-fp`` process (issue 20: a cron ``scan`` pays its
start-up every few minutes).

- :func:`block_unused_imports`: httpx imports its own command-line client
  (``httpx._main``: rich, pygments, click's extras) when it is imported, inside a
  ``try/except ImportError`` so that the client is optional; no ``atomic-fp`` command uses
  it. A ``None`` entry in ``sys.modules`` makes that import raise ``ImportError`` (the
  import system's documented way to block a module, see the ``sys.modules`` entry of the
  Python reference, "The import system", 5.3.1), so httpx falls back to its stub ``main``
  and rich is never loaded. Likewise ``trio``: httpcore imports it when it is installed
  (``try: import trio``, for its locks under trio; ``httpcore/_synchronization.py``), which
  costs 60-95 ms (issue 20), and every ``atomic-fp`` command runs on asyncio
  (``anyio.run``'s default backend), where httpcore uses anyio's locks instead. And ``h2``
  (with ``hpack``, ``hyperframe``): httpcore imports its HTTP/2 connection when ``h2`` is
  installed (``try: from .http2 import ...``, ``httpcore/_async/__init__.py``), ~10 ms, and
  no ``atomic-fp`` client asks for HTTP/2 (``httpx.AsyncHTTPTransport(http2=False)``, the
  default; httpx imports ``h2`` itself only for ``http2=True``). Only the
  ``atomic-fp`` process does this, never a library import of ``atomic_fp``.
- :func:`freeze_startup_objects`: ``gc.freeze()`` moves every object alive after the
  imports (modules, classes, functions: they live as long as the process) to the
  permanent generation, so the collections that decoding thousands of JSON objects
  triggers no longer traverse them (measured: a full collection of 20-30 ms during a
  scan's decoding). Objects created later are collected as usual, so a long-running
  ``watch`` or ``run`` does not keep its garbage.
- :func:`pause_collector` / :func:`start_up_done`: while a ``scan`` starts (its imports,
  its clients built: hundreds of modules and ~150 attrs classes, all alive to the end),
  the cyclic collector runs some 40 times and finds nothing to free (measured 10-30 ms of
  a ``scan --offline``'s CPU, ~10 %); the ``atomic-fp`` process pauses it for the
  start-up of the commands in :data:`scripts.cli.FAST_START_COMMANDS` and
  :func:`start_up_done` resumes it, once the start-up objects are frozen, before the
  first answer is read (issue 20). Only collection is paused: objects without cycles are
  freed by reference counting as always, and nothing the start-up builds is garbage. Every
  other command starts with the collector running, as Python does.
- :func:`warm_imports`: a cold ``scan`` waits three to four network round trips before
  its first answer; the modules it needs only for the answers (decisions, carry columns,
  output) are imported in that time, in a worker thread started when the first
  connection starts (:mod:`adapters.connection_events`), instead of before it. The worker
  only fills ``sys.modules`` early: the code that uses a module still imports it where it
  uses it, which is free once the worker has done it, and which raises the real error
  (an ``ImportError`` naming the module) if the worker could not. Python's import system
  takes a lock per module, so an import in both threads at once waits, never runs twice.
- :class:`QuietResult`: ``asyncio.Runner`` (under ``anyio.run``) restores the SIGINT
  handler at exit through ``signal.signal``, which formats the handler it replaces, a
  ``partial`` holding the finished main task, with ``repr``: the task's repr includes its
  result, i.e. every funding rate a scan read (measured 15 ms at exit). Returning the
  result inside a holder whose repr is constant makes that free.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

_UNUSED = ("httpx._main", "trio", "h2")


def block_unused_imports() -> None:
    for name in _UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def freeze_startup_objects() -> None:
    gc.freeze()


_PAUSED: list[bool] = []
"""Set while :func:`pause_collector` holds the collector (only the ``atomic-fp`` process)."""


def pause_collector() -> None:
    """Stop cyclic garbage collection until :func:`start_up_done` (see the module's doc);
    nothing happens if the collector is already off (a caller's own choice, kept)."""
    if gc.isenabled() and not _PAUSED:
        gc.disable()
        _PAUSED.append(True)


def start_up_done() -> None:
    """Freeze the start-up objects and resume the collector if :func:`pause_collector`
    stopped it (callable any number of times, from any thread)."""
    gc.freeze()
    _enable()


READ_YOUNG_THRESHOLD = 10_000
"""Allocations between young collections while a ``scan`` reads and ranks, instead of
Python's 700. Counted on ``scan --offline`` after its start-up: 24 young and 2 middle
collections (~5 ms, ~2 % of its CPU) became 2 and 0 (``tests/cli/test_startup_collector.py``
counts them); every collection still runs, on larger batches (the backtest does the same,
:mod:`atomic_fp.backtest.collector`)."""

_THRESHOLD: list[tuple[int, int, int]] = []
"""The threshold :func:`collect_in_batches` replaced, restored by :func:`resume_collector`."""


def collect_in_batches() -> None:
    """Raise the young generation's threshold to :data:`READ_YOUNG_THRESHOLD` for the rest
    of the command, if the collector is still paused for its start-up: only the
    ``atomic-fp`` process's read-only ``scan`` (:data:`scripts.cli.FAST_START_COMMANDS`),
    never a command that trades, which resumes the collector when it is chosen."""
    if _PAUSED and not _THRESHOLD:
        threshold = gc.get_threshold()
        _THRESHOLD.append(threshold)
        gc.set_threshold(max(threshold[0], READ_YOUNG_THRESHOLD), *threshold[1:])


def resume_collector() -> None:
    """Resume the collector if :func:`pause_collector` stopped it, freezing nothing, and
    restore the threshold :func:`collect_in_batches` raised: :func:`scripts.cli.main`'s
    last step, so that a command that ended before its start-up was done (a scan refused
    before its clients were built) leaves no paused collector in a process that called
    ``main`` and goes on."""
    _enable()
    if _THRESHOLD:
        gc.set_threshold(*_THRESHOLD.pop())


def _enable() -> None:
    if _PAUSED:
        _PAUSED.clear()
        gc.enable()


@asynccontextmanager
async def warm_imports(names: Sequence[str]) -> AsyncIterator[None]:
    """While the block runs, import ``names`` in a worker thread from the moment the first
    network connection starts (see the module's doc and
    :class:`adapters.background_import.BackgroundImport`). If none starts (an offline
    scan, every venue failing before connecting), nothing is imported here: the caller's
    own imports run afterwards as they would have. Leaving the block normally waits for
    the worker; leaving it by an exception (a cancellation, Ctrl-C) does not: the
    exception goes on unchanged and the daemon thread cannot keep the process alive."""
    if not names:
        yield
        return
    from adapters.background_import import BackgroundImport
    from adapters.connection_events import on_connection_start

    worker = BackgroundImport(names, name="atomic-fp-imports", then=freeze_startup_objects)
    with on_connection_start(worker.start):
        yield
    await worker.wait()


_CONSOLE: list[bool] = []


def mark_console_process() -> None:
    """Called by :func:`scripts.cli.main`: this is the ``atomic-fp`` process (kept here, not
    in ``scripts.cli``, which ``python -m scripts.cli`` loads twice: as ``__main__`` and by
    name)."""
    _CONSOLE.append(True)


def console_process() -> bool:
    """Whether :func:`mark_console_process` ran: the ``atomic-fp`` process, not a test or a
    program calling ``scripts.cli.cli`` itself (only it pre-connects a live scan,
    ``adapters.preconnect``)."""
    return bool(_CONSOLE)


class QuietResult(Generic[T]):
    """A value with a constant ``repr`` (see the module's doc)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<QuietResult>"


__all__ = [
    "QuietResult",
    "block_unused_imports",
    "collect_in_batches",
    "console_process",
    "freeze_startup_objects",
    "mark_console_process",
    "pause_collector",
    "resume_collector",
    "start_up_done",
    "warm_imports",
]
