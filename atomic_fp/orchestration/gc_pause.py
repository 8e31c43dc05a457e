"""No cyclic garbage collection while a round's orders are on their way (issue 20, leg
skew).

A round's legs are written one after the other by the same event loop, so anything that
stops the loop between the first leg's write and the last one's is skew: an unhedged
position for that long. A full collection is such a stop: 20-30 ms in a process holding a
scan's worth of objects (issue 20's measurement of ``scan``), about the size of the p99
skew it was filed against. The round is short (its orders' answers, seconds at most) and
allocates little, so the collector waits until it is over; reference counting still frees
everything acyclic meanwhile. Rounds may overlap (two signals on one loop): the collector
is re-enabled when the last of them ends, and only if it was enabled before the first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """``gc`` disabled for the block (nested or overlapping blocks: until the last ends)."""
    global _depth, _was_enabled
    if _depth == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _was_enabled:
            gc.enable()


__all__ = ["collection_paused"]
