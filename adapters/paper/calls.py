"""How a call reaches the paper venue, as awkwardly as a real venue's: counted and logged
(:class:`~adapters.paper.records.CallEvent`), delayed, refused while the venue is down,
failed, dropped, answered "status unknown" and executed late (inside the order's validity
window, in venue time), or timed out after the fill, as the fault knobs
(:class:`~adapters.paper.faults.PaperFaults`) say; and the funding settled and late orders
executed before each call acts."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio
from returns.result import Failure, Result, Success

from adapters.paper.faults import OrderFault
from adapters.paper.matching import PaperMatching
from adapters.paper.records import _SEQUENCE, CallEvent, SubmitRecord
from atomic_fp.errors import Ambiguous, NetworkError, NotSent, VenueError
from atomic_fp.models import Order, OrderRequest

T = TypeVar("T")


class PaperVenueCalls(PaperMatching):
    """Call plumbing, fault injection, late execution and order placement."""

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        self._event(name, "start")

    def _event(self, name: str, phase: str) -> None:
        self.call_log.append(CallEvent(next(_SEQUENCE), str(self._exchange), name, phase))

    async def _delay(self, seconds: float) -> None:
        if seconds > 0:
            await anyio.sleep(seconds)

    async def _answer(self, name: str, call: Awaitable[T]) -> T:
        """Await ``call``, logging its ``end``, or ``unanswered`` when it never returned
        (cancelled by a caller's timeout, or raised)."""
        answered = False
        try:
            result = await call
            answered = True
            return result
        finally:
            self._event(name, "end" if answered else "unanswered")

    async def _read(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        self._count(name)
        return await self._answer(name, self._read_now(name, work))

    async def _read_now(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        venue = str(self._exchange)
        if self.faults.down:
            return Failure(NetworkError(venue, f"{name}: venue is down (connection refused)"))
        await self._delay(self.faults.latency)
        if self.faults.read_fails():
            return Failure(NetworkError(venue, f"{name}: injected read failure"))
        self._tick()
        result = work()
        await self._delay(self.faults.response_latency)
        return result

    async def _write(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        self._count(name)
        return await self._answer(name, self._write_now(name, work))

    async def _write_now(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        if self.faults.down:
            return Failure(NotSent(str(self._exchange), f"{name}: venue is down"))
        await self._delay(self.faults.latency)
        self._tick()
        result = work()
        self._save()
        await self._delay(self.faults.response_latency)
        return result

    def _tick(self) -> None:
        if self.auto_funding:
            self.settle_due()
        self._execute_late()

    def _valid_until(self, request: OrderRequest) -> datetime | None:
        """The order's deadline in venue time, as Binance sees ``timestamp`` +
        ``recvWindow`` from an offset-synced client: the time left until ``expires_at``
        on the client's clock (``client_clock``, default the venue's), counted from now
        on the venue's clock. A venue clock skewed from ours thus neither refuses every
        order nor accepts stale ones."""
        if request.expires_at is None:
            return None
        now = self.now()
        client_now = self.client_clock() if self.client_clock is not None else now
        return now + (request.expires_at - client_now)

    def _execute_late(self) -> None:
        """Execute late orders that are due (in arrival order), inside their validity
        window; one whose execution time falls past its ``expires_at`` expires unseen."""
        now = self.now()
        due = [cid for cid, (_, at, _) in self._late.items() if at <= now]
        for cid in due:
            request, at, valid_until = self._late.pop(cid)
            if valid_until is None or at <= valid_until:
                self._accept(request, OrderFault.NONE)
        if due:
            self._save()

    async def _place(self, request: OrderRequest) -> Result[Order, VenueError]:
        self._count("place_order")
        venue = str(self._exchange)
        submitted = time.perf_counter()
        if self.faults.down:
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            return Failure(NotSent(venue, "place_order: venue is down (connection refused)"))
        fault = self.faults.next_order_fault()
        valid_until = self._valid_until(request)
        await self._delay(self.faults.latency + self.faults.order_latency)
        if fault is OrderFault.DROP:
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            await self._delay(self.faults.response_latency)
            return Failure(Ambiguous(venue, "place_order: timed out (injected drop)"))
        self._tick()
        if valid_until is not None and self.now() > valid_until:
            # Binance -1021: the request arrived outside its recvWindow; never acted on.
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            return self._reject(
                f"order arrived after its deadline {valid_until.isoformat()} (venue time)",
                "expired",
            )
        if fault is OrderFault.LATE_EXECUTION and request.client_order_id not in self._late:
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            at = self.now() + timedelta(seconds=self.faults.late_delay())
            self._late[request.client_order_id] = (request, at, valid_until)
            self._save()
            await self._delay(self.faults.response_latency)
            return Failure(
                Ambiguous(venue, "place_order: HTTP 503, execution status unknown", "-1007")
            )
        self.submit_log.append(
            SubmitRecord(request.client_order_id, submitted, time.perf_counter())
        )
        self._tick()
        result = self._accept(request, fault)
        self._save()
        await self._delay(self.faults.response_latency)
        if fault is OrderFault.TIMEOUT_AFTER_FILL and isinstance(result, Success):
            return Failure(Ambiguous(venue, "place_order: timed out waiting for the answer"))
        return result


__all__ = ["PaperVenueCalls"]
