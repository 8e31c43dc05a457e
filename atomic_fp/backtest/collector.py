"""Fewer garbage-collector passes while a backtest replays (issue 20: ``gc.freeze()``
after start-up, with a raised generation-0 threshold during the engine loop).

A run allocates millions of short-lived containers (models, tuples, ``Result``s) and
almost no cycles (a year of the benchmark leaves ~3,500 collectable objects). With the
default threshold of 700 allocations CPython runs ~1,300 young and ~120 middle collections
per run, each walking the young objects, and the full ones walk everything alive: the
loaded history, the series and the venues (hundreds of MB). Inside :func:`fewer_collections`:

- the objects alive at the start (the history, the series, the imported modules) are
  frozen (:func:`gc.freeze`) so the full collections skip them -- unless something else
  already froze objects (an application that froze after its own start-up keeps its own);
- the young generation is collected every :data:`YOUNG_THRESHOLD` net allocations instead
  of 700: ~70 times less often, and at most that many container objects (a few MB) wait
  for a pass, so memory stays bounded: the collector still runs, just less often.

Both are restored on the way out (also on an exception), so a caller's process runs
with the collector it had. Only the timing of collections changes, never what a run
computes (nothing in the backtest reads ``gc`` or weak references):
``tests/backtest/test_collector.py`` checks the settings during and after a run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Freeze what is alive now and raise the young generation's threshold; restore both
    afterwards."""
    threshold = gc.get_threshold()
    froze = gc.isenabled() and gc.get_freeze_count() == 0
    if froze:
        gc.freeze()
    gc.set_threshold(max(threshold[0], YOUNG_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if froze:
            gc.unfreeze()


__all__ = ["YOUNG_THRESHOLD", "fewer_collections"]
