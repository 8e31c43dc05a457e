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
  (``anyio.run``'s default backend), where httpcore uses anyio's locks instead. Only the
  ``atomic-fp`` process does this, never a library import of ``atomic_fp``.
- :func:`freeze_startup_objects`: ``gc.freeze()`` moves every object alive after the
  imports (modules, classes, functions: they live as long as the process) to the
  permanent generation, so the collections that decoding thousands of JSON objects
  triggers no longer traverse them (measured: a full collection of 20-30 ms during a
  scan's decoding). Objects created later are collected as usual, so a long-running
  ``watch`` or ``run`` does not keep its garbage.
- :class:`QuietResult`: ``asyncio.Runner`` (under ``anyio.run``) restores the SIGINT
  handler at exit through ``signal.signal``, which formats the handler it replaces, a
  ``partial`` holding the finished main task, with ``repr``: the task's repr includes its
  result, i.e. every funding rate a scan read (measured 15 ms at exit). Returning the
  result inside a holder whose repr is constant makes that free.
"""

from __future__ import annotations

import gc
import sys
from typing import Generic, TypeVar

T = TypeVar("T")

_UNUSED = ("httpx._main", "trio")


def block_unused_imports() -> None:
    for name in _UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def freeze_startup_objects() -> None:
    gc.freeze()


class QuietResult(Generic[T]):
    """A value with a constant ``repr`` (see the module's doc)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<QuietResult>"


__all__ = ["QuietResult", "block_unused_imports", "freeze_startup_objects"]
