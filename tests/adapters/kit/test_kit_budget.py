"""The kit's one rate-limit budget (``adapters/kit/budget.py``).

Outside references: Binance USD-M meters REST calls by weight per minute and answers 429
then 418 to a client that ignores ``Retry-After`` (developers.binance.com, "General Info:
Limits"); Lighter allows 60 requests per rolling minute on a standard account
(apidocs.lighter.xyz/docs/rate-limits). The budget refuses locally before either happens,
with one refusal type that is both "never sent" and "rate limited".
"""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from returns.result import Failure, Success

from adapters.kit.budget import BACKOFF_CODE, RequestBudget
from atomic_fp.errors import NotSent, RateLimited, RefusedLocally
from atomic_fp.orchestration.report import LegOutcome
from atomic_fp.orchestration.validity import classify


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def budget(clock: FakeClock, capacity: float = 60, max_wait: float = 5.0) -> RequestBudget:
    return RequestBudget(
        "ip", capacity, 60.0, max_wait, monotonic=clock, sleep=clock.sleep, refusal_code="w"
    )


@pytest.mark.anyio
async def test_weights_wait_briefly_then_refuse_without_taking() -> None:
    clock = FakeClock()
    b = budget(clock)
    assert isinstance(await b.acquire("v", 58, "GET /a"), Success)
    assert isinstance(await b.acquire("v", 5, "GET /a"), Success)  # 3 s of refill
    assert clock.slept == [pytest.approx(3.0)]
    refused = await b.acquire("v", 10, "GET /a")
    assert isinstance(refused, Failure)
    error = refused.failure()
    assert isinstance(error, RefusedLocally) and error.code == "w"
    assert isinstance(error, NotSent) and isinstance(error, RateLimited)
    assert error.retry_after == timedelta(seconds=10)
    assert "GET /a" in error.message and "ip budget exhausted" in error.message
    assert b.spent == 2  # the refused one took nothing
    clock.now += 60
    assert b.available == pytest.approx(60)


@pytest.mark.anyio
async def test_a_weight_above_capacity_is_refused_at_once() -> None:
    clock = FakeClock()
    refused = await budget(clock).acquire("v", 61, "GET /big")
    assert isinstance(refused, Failure) and "exceeds" in refused.failure().message
    assert clock.slept == []


@pytest.mark.anyio
async def test_retry_after_blocks_every_request_until_it_passed() -> None:
    clock = FakeClock()
    b = budget(clock, capacity=100)
    b.back_off(30)
    blocked = await b.acquire("v", 1, "GET /x")
    assert isinstance(blocked, Failure)
    error = blocked.failure()
    assert isinstance(error, RefusedLocally) and error.code == BACKOFF_CODE
    assert error.retry_after == timedelta(seconds=30)
    clock.now += 29.9
    assert isinstance(await b.acquire("v", 1, "GET /x"), Failure)
    clock.now += 0.2
    assert isinstance(await b.acquire("v", 1, "GET /x"), Success)


@pytest.mark.anyio
async def test_a_shorter_retry_after_never_shortens_a_longer_one() -> None:
    clock = FakeClock()
    b = budget(clock)
    b.back_off(30)
    b.back_off(5)
    clock.now += 10
    assert isinstance(await b.acquire("v", 1), Failure)


@pytest.mark.anyio
async def test_a_waiting_caller_never_blocks_one_that_need_not_wait() -> None:
    """No lock is held while sleeping: the first caller reserves its weight and sleeps;
    a second caller, refused at once (its wait would exceed max_wait), answers while the
    first is still asleep. Order of events, not milliseconds."""
    events: list[str] = []
    gate = anyio.Event()
    sleeping = anyio.Event()

    async def held_sleep(seconds: float) -> None:
        events.append("first sleeping")
        sleeping.set()
        await gate.wait()

    now = [0.0]
    b = RequestBudget("ip", 10, 10.0, 5.0, monotonic=lambda: now[0], sleep=held_sleep)
    assert isinstance(await b.acquire("v", 8), Success)

    async def first() -> None:
        assert isinstance(await b.acquire("v", 5), Success)  # waits 3 s (reserved)
        events.append("first done")

    async def second() -> None:
        await sleeping.wait()
        outcome = await b.acquire("v", 5)  # would need 8 s: refused at once
        events.append("second refused" if isinstance(outcome, Failure) else "second ok")
        gate.set()

    with anyio.fail_after(30):  # a deadlock guard only: a lock held while asleep hangs
        async with anyio.create_task_group() as group:
            group.start_soon(first)
            group.start_soon(second)
    assert events == ["first sleeping", "second refused", "first done"]


@pytest.mark.anyio
async def test_concurrent_callers_never_overdraw() -> None:
    clock = FakeClock()
    b = budget(clock, capacity=10, max_wait=0)
    outcomes: list[bool] = []

    async def take() -> None:
        outcomes.append(isinstance(await b.acquire("v", 1), Success))

    async with anyio.create_task_group() as group:
        for _ in range(25):
            group.start_soon(take)
    assert outcomes.count(True) == 10 and b.spent == 10


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="capacity and period"):
        RequestBudget("ip", 0, 60.0)
    with pytest.raises(ValueError, match="max_wait"):
        RequestBudget("ip", 1, 60.0, -1.0)


def test_execution_treats_a_local_refusal_as_never_sent() -> None:
    """An order refused by the budget never left the process: the execution layer must
    classify it NOT_SENT (safe to retry), not REJECTED (a venue answer) nor AMBIGUOUS."""
    for code in ("w", BACKOFF_CODE):
        outcome, order, error = classify(Failure(RefusedLocally("v", "not sent", code)))
        assert outcome is LegOutcome.NOT_SENT and order is None and error is not None
