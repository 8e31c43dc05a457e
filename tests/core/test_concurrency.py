"""``atomic_fp.concurrency``: anyio's own objects by default; in :func:`run_inline`, stand-ins
that run the same non-waiting work in the same order with the same errors, and refuse
(``InlineRefused``) whatever would have to wait.

The oracle for the stand-ins is anyio itself: the same generated program of tasks (each
records its step, returns, or raises, in nested groups, with the group's own body raising
too) is run by ``anyio.run`` and by ``run_inline``, and the recorded order, the result and
the exception (its type, message and sub-exceptions) must be the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Success

from adapters._future import both, guarded
from adapters.kit.budget import RequestBudget
from adapters.kit.cache import TtlCache
from atomic_fp import concurrency
from atomic_fp.concurrency import InlineRefused, run_inline
from atomic_fp.errors import VenueError

# --------------------------------------------------------------------------- the default


def test_without_a_loop_free_run_every_function_returns_anyios_own_object() -> None:
    seen: dict[str, object] = {}

    async def main() -> None:
        assert not concurrency.inline()
        seen["group"] = concurrency.task_group()
        seen["anyio group"] = anyio.create_task_group()
        seen["scope"] = concurrency.move_on_after(3)
        seen["anyio scope"] = anyio.move_on_after(3)
        seen["limiter"] = concurrency.capacity_limiter(4)
        cache: TtlCache[int] = TtlCache(ttl=1)
        seen["lock"] = cache.lock
        seen["lock again"] = cache.lock
        seen["kept"] = cache._lock
        async with concurrency.task_group() as group:  # it is a working anyio group
            group.start_soon(anyio.sleep, 0)

    anyio.run(main)
    assert type(seen["group"]) is type(seen["anyio group"])
    assert type(seen["scope"]) is type(seen["anyio scope"])
    assert isinstance(seen["scope"], anyio.CancelScope)
    assert seen["scope"].deadline - seen["anyio scope"].deadline < 1  # type: ignore[attr-defined]
    limiter = seen["limiter"]
    assert isinstance(limiter, anyio.CapacityLimiter) and limiter.total_tokens == 4
    assert isinstance(seen["lock"], anyio.Lock)
    assert seen["lock"] is seen["lock again"] is seen["kept"]  # one lock, kept by the cache


def test_without_a_loop_free_run_sleep_and_the_budget_sleep_are_anyios(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []

    async def recorded(delay: float) -> None:
        slept.append(delay)

    monkeypatch.setattr(anyio, "sleep", recorded)

    async def main() -> None:
        await concurrency.sleep(2.5)
        budget = RequestBudget("test", capacity=1, period=4, monotonic=lambda: 0.0)
        await budget.acquire("v")
        await budget.acquire("v")  # must wait 4 s for the refill

    anyio.run(main)
    assert slept == [2.5, 4.0]


# --------------------------------------------------------------- the oracle: anyio itself

Step = tuple[str, Any]
"""``("ok", None)``, ``("raise", None)``, ``("keyerror", None)``, ``("group", [steps...])``."""

KINDS = st.sampled_from(["ok", "raise", "keyerror"])
flat_steps = st.lists(st.tuples(KINDS, st.none()), max_size=5)
nested_steps: st.SearchStrategy[list[Step]] = st.recursive(
    st.lists(st.tuples(st.just("ok"), st.none()), max_size=3),
    lambda inner: st.lists(
        st.one_of(st.tuples(st.just("ok"), st.none()), st.tuples(st.just("group"), inner)),
        max_size=3,
    ),
    max_leaves=10,
)


def _program(
    plan: list[Step], host_raises: bool, group: Callable[[], Any]
) -> tuple[Callable[[], Any], list[str]]:
    log: list[str] = []

    async def task(name: str, kind: str, inner: list[Step]) -> None:
        log.append(f"start {name}")
        if kind == "raise":
            raise ValueError(name)
        if kind == "keyerror":
            raise KeyError(name)
        if kind == "group":
            await run_group(name, inner, False)
        log.append(f"end {name}")

    async def run_group(prefix: str, inner: list[Step], raises: bool) -> None:
        async with group() as tasks:
            for index, (kind, nested) in enumerate(inner):
                tasks.start_soon(task, f"{prefix}.{index}", kind, nested or [])
            log.append(f"body {prefix}")
            if raises:
                raise LookupError(prefix)

    async def main() -> str:
        await run_group("g", plan, host_raises)
        return "done"

    return main, log


def _shape(error: BaseException) -> object:
    if isinstance(error, BaseExceptionGroup):
        return (type(error).__name__, str(error), [_shape(e) for e in error.exceptions])
    return (type(error).__name__, str(error))


def _outcome(run: Callable[[], object]) -> object:
    try:
        return ("value", run())
    except BaseException as error:
        return ("error", _shape(error))


@given(plan=flat_steps, host_raises=st.booleans())
def test_a_task_group_runs_and_fails_as_anyios_does(plan: list[Step], host_raises: bool) -> None:
    loop_main, loop_log = _program(plan, host_raises, anyio.create_task_group)
    inline_main, inline_log = _program(plan, host_raises, concurrency.task_group)
    expected = _outcome(lambda: anyio.run(loop_main))
    assert _outcome(lambda: run_inline(inline_main)) == expected
    assert inline_log == loop_log  # the same steps in the same order


@given(plan=nested_steps)
def test_nested_task_groups_run_every_task_as_anyio_does(plan: list[Step]) -> None:
    """Depth first, where anyio queues a nested group's tasks after those already queued
    (the module's doc): the same steps, each task's own in the same order."""
    loop_main, loop_log = _program(plan, False, anyio.create_task_group)
    inline_main, inline_log = _program(plan, False, concurrency.task_group)
    assert run_inline(inline_main) == anyio.run(loop_main) == "done"
    assert sorted(inline_log) == sorted(loop_log)
    assert inline_log.index("body g") == loop_log.index("body g") == 0


def test_a_failing_call_inside_both_is_the_same_guarded_failure_as_on_anyio() -> None:
    async def fine() -> int:
        return 1

    async def broken() -> int:
        raise ZeroDivisionError("boom")

    async def main() -> object:
        async def work() -> Any:
            return Success(await both(fine(), broken()))

        return await guarded("venue", work())

    assert str(run_inline(main)) == str(anyio.run(main))
    assert "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)" in str(
        anyio.run(main)
    )


# ----------------------------------------------------------------------------- refusals


def _refused(main: Callable[[], Awaitable[object]]) -> InlineRefused:
    with pytest.raises(InlineRefused) as raised:
        run_inline(main)  # type: ignore[arg-type]
    return raised.value


def test_a_sleep_longer_than_zero_is_refused_and_zero_returns() -> None:
    async def zero() -> str:
        await concurrency.sleep(0)
        return "ok"

    assert run_inline(zero) == "ok"

    async def longer() -> None:
        await concurrency.sleep(0.001)

    assert "sleep(0.001)" in str(_refused(longer))


def test_a_budget_that_must_wait_is_refused() -> None:
    async def main() -> None:
        budget = RequestBudget("test", capacity=1, period=4, monotonic=lambda: 0.0)
        await budget.acquire("v")
        await budget.acquire("v")

    assert "sleep(4)" in str(_refused(main))


def test_a_contended_lock_or_limiter_is_refused() -> None:
    cache: TtlCache[int] = TtlCache(ttl=1)

    async def lock_twice() -> None:
        async with cache.lock, cache.lock:
            pass

    assert "lock contended" in str(_refused(lock_twice))

    async def limiter_over() -> None:
        limiter = concurrency.capacity_limiter(2)
        async with limiter, limiter, limiter:
            pass

    assert "capacity limiter contended" in str(_refused(limiter_over))

    async def limiter_within() -> str:
        limiter = concurrency.capacity_limiter(2)
        async with limiter, limiter:
            pass
        async with limiter, limiter:  # released: free again
            return "ok"

    assert run_inline(limiter_within) == "ok"


class _Suspends:
    """An awaitable that really suspends (what a loop's future does)."""

    def __await__(self) -> Generator[str, None, None]:
        yield "a future"


def test_an_await_that_suspends_is_refused_after_the_cleanup_ran() -> None:
    cleaned: list[str] = []

    async def main() -> None:
        try:
            await _Suspends()
        finally:
            cleaned.append("closed")

    assert "'a future'" in str(_refused(main))
    assert cleaned == ["closed"]


def test_a_refusal_passes_the_venue_guard_instead_of_becoming_a_venue_failure() -> None:
    async def main() -> object:
        async def work() -> Any:
            await concurrency.sleep(1)
            return Success(1)

        async with concurrency.task_group() as group:  # and the task group
            group.start_soon(guarded("venue", work()).awaitable)
        return "not reached"

    _refused(main)


def test_a_loop_free_run_keeps_no_lock_on_the_cache_it_used() -> None:
    cache: TtlCache[int] = TtlCache(ttl=100, monotonic=lambda: 0.0)
    loads: list[int] = []

    async def load() -> Any:
        loads.append(1)
        return Success(7)

    async def read() -> object:
        return await cache.get(load)

    assert run_inline(read) == Success(7)
    assert cache._lock is None  # lent by the run, not kept
    assert loads == [1]

    async def on_anyio() -> object:
        cache.invalidate()
        outcome = await cache.get(load)
        assert isinstance(cache._lock, anyio.Lock)
        return outcome

    assert anyio.run(on_anyio) == Success(7)


def test_the_switch_is_off_again_after_a_loop_free_run_and_after_a_refusal() -> None:
    async def probe() -> bool:
        return concurrency.inline()

    assert run_inline(probe) is True
    assert not concurrency.inline()

    async def refused() -> None:
        await concurrency.sleep(1)

    _refused(refused)
    assert not concurrency.inline()


def test_a_worker_thread_call_runs_in_place_in_a_loop_free_run() -> None:
    async def main() -> int:
        return await concurrency.in_worker_thread(sum, [1, 2, 3])

    assert run_inline(main) == 6
    assert anyio.run(main) == 6


_unused: VenueError | None = None
