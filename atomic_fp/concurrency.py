"""The few concurrency primitives the read path uses, anyio's unless a loop-free run asks.

By default every function here returns anyio's own object (``task_group()`` *is*
``anyio.create_task_group()``, ``move_on_after`` anyio's, ``capacity_limiter`` an
``anyio.CapacityLimiter``, :func:`lock_of` an ``anyio.Lock``, ``sleep`` awaits
``anyio.sleep``): the live commands (scan, watch, run, execute) behave exactly as if they
called anyio themselves.

:func:`run_inline` runs one coroutine function *without an event loop*, for work that can
never wait: the offline scan, whose venue clients answer from recorded responses in memory
(issue 20: importing asyncio and anyio's backend, and through them ``ssl``, was ~15 % of that
command's instructions). While it runs (a context variable, so only its own call stack sees
it) the functions here return sequential stand-ins: a task group runs each task to its end,
in the order started, when the group is left; a cancel scope that never fires (nothing
waits, so no deadline can pass at a checkpoint); a lock and a capacity limiter that are
never contended; a worker-thread call made in place. Anything that would really have to
wait (a ``sleep`` longer than 0, a contended lock or limiter, an ``await`` that suspends)
raises :class:`InlineRefused`, a ``BaseException``: the venue guards (``except Exception``)
let it through, so it can never become a quiet venue failure, and the caller runs the work
again on anyio (:func:`scripts.scan_run.run_scan`, with new clients).

anyio's observable semantics are kept for work that never waits: every task started runs
to its end, in the order started, after the group's own body; exceptions of the body and
of the tasks leave the group as one ``ExceptionGroup`` with anyio's message, the body's
first, then the tasks' in order (``tests/core/test_concurrency.py`` runs generated
programs on both and compares). Two differences, both invisible to the offline scan: a
group nested in a task runs its tasks when it is left (depth first), where anyio runs them
after the tasks already queued; and after a failure the group's other tasks still run to
their end, where anyio cancels them at their next checkpoint (a lock taken, a nested group
left). The offline scan's venue calls fail as values (their guards), never by raising into
a group, and ``tests/cli/test_scan_offline_loop_free.py`` compares every byte of its output
with the anyio run's.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, TypeVarTuple, cast

import anyio

T = TypeVar("T")
Args = TypeVarTuple("Args")


class InlineRefused(BaseException):
    """The loop-free run met something that needs a real event loop (a wait)."""


class TaskGroup(Protocol):
    """What our code uses of a task group."""

    def start_soon(
        self,
        func: Callable[[*Args], Coroutine[Any, Any, Any]],
        *args: *Args,
        name: object = None,
    ) -> object: ...

    async def __aenter__(self) -> TaskGroup: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None: ...


class Limiter(Protocol):
    """What our code uses of a capacity limiter: an ``async with`` block."""

    async def __aenter__(self) -> object: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None: ...


class Lock(Limiter, Protocol):
    """What our code uses of a lock: a limiter of one that says whether it is held."""

    def locked(self) -> bool: ...


class Scope(Protocol):
    """What our code uses of a cancel scope: a ``with`` block."""

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...


class _InlineRun:
    """The state of one :func:`run_inline` call: the locks it lent out, by owner."""

    def __init__(self) -> None:
        self.locks: dict[int, tuple[object, _InlineLock]] = {}
        self.after: list[Callable[[], object]] = []
        """Side effects kept for the run's end (:func:`side_effect`)."""


_RUN: ContextVar[_InlineRun | None] = ContextVar("atomic_fp_inline_run", default=None)


def inline() -> bool:
    """Whether the caller runs inside :func:`run_inline`."""
    return _RUN.get() is not None


class _InlineTaskGroup:
    def __init__(self) -> None:
        self._pending: list[tuple[Coroutine[Any, Any, Any], tuple[object, ...]]] = []

    def start_soon(
        self,
        func: Callable[[*Args], Coroutine[Any, Any, Any]],
        *args: *Args,
        name: object = None,
    ) -> None:
        self._pending.append((func(*args), args))

    async def __aenter__(self) -> _InlineTaskGroup:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if exc is not None and not isinstance(exc, Exception):
            self._drop_pending()  # InlineRefused, KeyboardInterrupt: on as they are
            return None
        errors: list[Exception] = [] if exc is None else [exc]
        while self._pending:
            task, _ = self._pending.pop(0)
            try:
                await task
            except Exception as error:  # anyio collects it; the others still run
                errors.append(error)
            except BaseException:
                self._drop_pending()
                raise
        if errors:
            raise BaseExceptionGroup("unhandled errors in a TaskGroup", errors) from None
        return None

    def _drop_pending(self) -> None:
        for task, args in self._pending:
            task.close()  # never started: anyio cancels a task before its first step
            for arg in args:
                # a coroutine handed to that task (adapters._future.both): on anyio the
                # task had started and awaited it; left unstarted here, it would warn
                # "never awaited" at Ctrl-C or before the anyio re-run (review)
                if inspect.iscoroutine(arg) and (
                    inspect.getcoroutinestate(arg) == inspect.CORO_CREATED
                ):
                    arg.close()
        self._pending.clear()


class _InlineScope:
    cancel_called = False
    cancelled_caught = False

    def __enter__(self) -> _InlineScope:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        return False


class _InlineLock:
    """A lock or limiter with ``tokens`` holders at once; waiting for one is refused."""

    def __init__(self, tokens: int, what: str) -> None:
        self._tokens = tokens
        self._held = 0
        self._what = what

    def locked(self) -> bool:
        return self._held >= self._tokens

    async def __aenter__(self) -> _InlineLock:
        if self.locked():
            raise InlineRefused(f"{self._what} contended: a loop-free run cannot wait for it")
        self._held += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self._held -= 1
        return None


def task_group() -> TaskGroup:
    """``anyio.create_task_group()``; in a loop-free run, tasks run one after the other."""
    if _RUN.get() is None:
        return anyio.create_task_group()
    return _InlineTaskGroup()


def move_on_after(delay: float | None) -> Scope:
    """``anyio.move_on_after(delay)``; in a loop-free run, a scope that never fires."""
    if _RUN.get() is None:
        return anyio.move_on_after(delay)
    return _InlineScope()


def capacity_limiter(total_tokens: int) -> Limiter:
    """``anyio.CapacityLimiter(total_tokens)``; in a loop-free run, one that refuses to wait."""
    if _RUN.get() is None:
        return anyio.CapacityLimiter(total_tokens)
    return _InlineLock(total_tokens, "capacity limiter")


def lock_of(owner: object, current: anyio.Lock | None) -> tuple[Lock, anyio.Lock | None]:
    """The lock ``owner`` should hold, and what it should keep as its own lock.

    Outside a loop-free run: ``current``, or a new ``anyio.Lock`` created now (in the event
    loop, as anyio wants). Inside one: a lock lent by that run for ``owner`` alone, never
    stored on the owner, so an owner that outlives the run (a cache a live run uses later)
    never holds a lock that cannot wait."""
    run = _RUN.get()
    if run is None:
        made = current if current is not None else anyio.Lock()
        return made, made
    lent = run.locks.get(id(owner))
    if lent is None or lent[0] is not owner:
        lent = (owner, _InlineLock(1, "lock"))
        run.locks[id(owner)] = lent
    return lent[1], current


async def sleep(delay: float) -> None:
    """``anyio.sleep(delay)``; in a loop-free run ``sleep(0)`` returns and a longer sleep
    is refused (:class:`InlineRefused`)."""
    if _RUN.get() is None:
        await anyio.sleep(delay)
        return
    if delay > 0:
        raise InlineRefused(f"sleep({delay:g}): a loop-free run cannot wait")


async def in_worker_thread(func: Callable[..., T], *args: object) -> T:
    """``anyio.to_thread.run_sync(func, *args)``; in a loop-free run, ``func(*args)`` here
    (nothing else runs meanwhile that a blocking call could hold up)."""
    if _RUN.get() is None:
        return await anyio.to_thread.run_sync(func, *args)
    return func(*args)


async def side_effect(func: Callable[..., object], *args: object) -> None:
    """``func(*args)`` in a worker thread, for an effect nothing in the run reads back (a
    cache file for the next process); in a loop-free run, done once the run has finished
    without a refusal, so a refused run leaves nothing its anyio re-run would find (review:
    GRVT's instrument cache, written by the refused run, changed the re-run's log)."""
    run = _RUN.get()
    if run is None:
        await anyio.to_thread.run_sync(func, *args)
        return
    run.after.append(functools.partial(func, *args))


def run_inline(func: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``func()`` to its end without an event loop; :class:`InlineRefused` if it would
    have to wait. A coroutine that suspends gets the refusal thrown in where it stopped, so
    its ``finally`` blocks run (closing its clients) before the refusal reaches the caller."""
    run = _InlineRun()
    token = _RUN.set(run)
    try:
        coroutine = func()
        try:
            awaited = coroutine.send(None)
        except StopIteration as done:
            for effect in run.after:
                effect()
            return cast(T, done.value)
        refusal = InlineRefused(f"a loop-free run was asked to wait for {awaited!r}")
        for _ in range(100):  # its cleanup may try to wait as well: refuse each time
            try:
                coroutine.throw(refusal)
            except InlineRefused:
                raise
            except StopIteration:  # it swallowed the refusal: its result cannot be trusted
                raise refusal from None
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as other:  # what its cleanup made of the refusal
                raise refusal from other
        coroutine.close()
        raise refusal
    finally:
        _RUN.reset(token)


__all__ = [
    "InlineRefused",
    "Limiter",
    "Lock",
    "Scope",
    "TaskGroup",
    "capacity_limiter",
    "in_worker_thread",
    "inline",
    "lock_of",
    "move_on_after",
    "run_inline",
    "side_effect",
    "sleep",
    "task_group",
]
