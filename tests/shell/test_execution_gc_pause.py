"""``collection_paused`` (issue 20, leg skew): the collector is off for the block, back
on when the last of overlapping blocks ends, and left off if it was off before."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from atomic_fp.orchestration.gc_pause import collection_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_overlapping_blocks_re_enable_when_the_last_ends() -> None:
    gc.enable()
    first, second = collection_paused(), collection_paused()
    first.__enter__()
    assert not gc.isenabled()
    second.__enter__()
    first.__exit__(None, None, None)  # rounds of two signals need not end in order
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_an_exception_in_the_block_still_restores_the_collector() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("send failed")
    assert gc.isenabled()
