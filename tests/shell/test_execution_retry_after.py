"""The execution retry honours ``Retry-After`` (issue 13): a leg the venue answered with
429 + ``Retry-After`` is never re-sent before it has passed; past
``ExecutionPolicy.max_retry_after`` it is not re-sent by this execution at all (Binance
bans an IP, 418, that keeps sending after a 429)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from returns.future import FutureResult

from adapters._future import failed
from adapters.paper import ManualClock, PaperVenue
from atomic_fp.errors import Ambiguous, RateLimited, VenueError
from atomic_fp.models import Order, OrderRequest
from atomic_fp.orchestration import ExecutionStatus, OrderPurpose
from tests.shell.helpers import FAST, T0, hedge, orchestrator, paper

pytestmark = pytest.mark.anyio


class AsksToWait:
    """Wraps a paper venue: its first order is answered with ``error`` (nothing done);
    every order's arrival time is recorded on the venue's (fake) clock, which is the
    execution's clock too: the wait is measured in the time the execution waits in, so the
    test does not depend on wall-clock speed."""

    def __init__(self, venue: PaperVenue, error: VenueError, clock: ManualClock) -> None:
        self.venue = venue
        self.clock = clock
        self.error: VenueError | None = error
        self.arrivals: list[datetime] = []

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        self.arrivals.append(self.clock())
        if self.error is not None:
            error, self.error = self.error, None
            return failed(error)
        return self.venue.place_order(request)

    def __getattr__(self, name: str) -> object:
        return getattr(self.venue, name)


def rate_limited(seconds: float) -> RateLimited:
    return RateLimited("b", "HTTP 429: too many requests", "-1003", timedelta(seconds=seconds))


async def test_a_long_retry_after_means_no_resend_and_the_other_leg_is_unwound() -> None:
    clock = ManualClock(T0)
    a = paper("a", clock=clock)
    b = AsksToWait(paper("b", clock=clock), rate_limited(120), clock)
    orch = orchestrator([a, b], clock=clock)  # type: ignore[list-item]
    report = await orch.execute_signal(hedge(size=Decimal("0.01")))
    assert len(b.arrivals) == 1  # the retry was not sent
    assert any("asked to wait 120 s (Retry-After)" in action for action in report.actions)
    # The filled leg on a is unwound instead: no exposure, nothing left to chance.
    assert [x.purpose for x in report.attempts if x.request.exchange == a.exchange] == [
        OrderPurpose.ENTRY,
        OrderPurpose.UNWIND,
    ]
    assert report.status is ExecutionStatus.NOT_EXECUTED, report.describe()


async def test_a_short_retry_after_is_waited_for_before_the_retry() -> None:
    clock = ManualClock(T0)
    a = paper("a", clock=clock)
    b = AsksToWait(paper("b", clock=clock), rate_limited(0.3), clock)
    orch = orchestrator([a, b], clock=clock)  # type: ignore[list-item]
    report = await orch.execute_signal(hedge(size=Decimal("0.01")))
    assert report.status is ExecutionStatus.COMPLETE, report.describe()
    first, retry = b.arrivals
    assert retry - first >= timedelta(seconds=0.3)
    assert any("(Retry-After) before the retry" in action for action in report.actions)


async def test_a_503_with_retry_after_on_an_order_delays_the_resend_too() -> None:
    """Binance 503: the order's fate is unknown; once the lookup says it never arrived,
    the retry under a new id still waits for the venue's Retry-After."""
    clock = ManualClock(T0)
    a = paper("a", clock=clock)
    b = AsksToWait(
        paper("b", clock=clock),
        Ambiguous("b", "HTTP 503: busy", "503", retry_after=timedelta(seconds=0.3)),
        clock,
    )
    orch = orchestrator([a, b], policy=FAST, clock=clock)  # type: ignore[list-item]
    report = await orch.execute_signal(hedge(size=Decimal("0.01")))
    assert report.status is ExecutionStatus.COMPLETE, report.describe()
    first, retry = b.arrivals
    assert retry - first >= timedelta(seconds=0.3)
