"""The kit's one market cache with a TTL (``adapters/kit/cache.py``)."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest
from returns.result import Failure, Result, Success

from adapters.kit.cache import TtlCache
from atomic_fp.errors import NetworkError, VenueError


class Loads:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    async def __call__(self) -> Result[int, VenueError]:
        self.calls += 1
        await anyio.lowlevel.checkpoint()
        if self.fail:
            return Failure(NetworkError("v", "down"))
        return Success(self.calls)


@pytest.mark.anyio
async def test_fresh_value_is_served_until_the_ttl_then_reloaded() -> None:
    now = [0.0]
    cache: TtlCache[int] = TtlCache(10, monotonic=lambda: now[0])
    load = Loads()
    assert (await cache.get(load)).unwrap() == 1
    now[0] = 9.9
    assert (await cache.get(load)).unwrap() == 1
    now[0] = 10.0
    assert (await cache.get(load)).unwrap() == 2
    assert cache.generation == 2


@pytest.mark.anyio
async def test_concurrent_callers_on_a_cold_cache_share_one_load() -> None:
    cache: TtlCache[int] = TtlCache(10, monotonic=lambda: 0.0)
    load = Loads()
    seen: list[int] = []

    async def ask() -> None:
        seen.append((await cache.get(load)).unwrap())

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(ask)
    assert load.calls == 1 and seen == [1] * 5


@pytest.mark.anyio
async def test_a_failed_load_is_returned_and_not_cached() -> None:
    now = [0.0]
    cache: TtlCache[int] = TtlCache(10, monotonic=lambda: now[0])
    load = Loads()
    assert (await cache.get(load)).unwrap() == 1
    now[0] = 20.0
    load.fail = True
    failed = await cache.get(load)
    assert isinstance(failed, Failure)  # the stale 1 is not passed off as fresh
    assert cache.fresh() is None and cache.last == 1
    load.fail = False
    assert (await cache.get(load)).unwrap() == 3


@pytest.mark.anyio
async def test_refresh_ignores_the_ttl_and_invalidate_forgets() -> None:
    cache: TtlCache[int] = TtlCache(10, monotonic=lambda: 0.0)
    load = Loads()
    await cache.get(load)
    assert (await cache.refresh(load)).unwrap() == 2
    cache.invalidate()
    assert cache.fresh() is None
    assert (await cache.get(load)).unwrap() == 3


def test_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError, match="ttl"):
        TtlCache(0)
