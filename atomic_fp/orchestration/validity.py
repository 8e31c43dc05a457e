"""The validity-window rule: when an ambiguous order may be called "never sent".

Every order atomic-fp sends carries a deadline, ``OrderRequest.expires_at``, that the venue
itself enforces, so an order that has not reached the venue by then never will:

=============  =====================================================================
Binance        ``timestamp`` + ``recvWindow`` (ms): a request arriving later is refused
               with ``-1021`` (``recvWindow`` <= 60000; the research notes, A7).
Hyperliquid    ``expiresAfter`` (ms) on the signed ``/exchange`` action: an action
               arriving later is refused (weight x5 when it expires; nautilus
               ``HyperliquidExchangeActionRequest.expires_after``).
GRVT           the order signature's ``expiration`` (unix ns; error 2001 expired).
Bybit          ``X-BAPI-TIMESTAMP`` + ``X-BAPI-RECV-WINDOW`` (ms): a request arriving later
               is refused unread (retCode 10002; Bybit v5 authentication guide,
               research notes D).
Lighter        IOC orders carry expiry 0 (they live only inside the transaction that
               creates them); the transaction's nonce is single-use.
OKX            the ``expTime`` request header (ms): a place request arriving later is
               not processed (OKX v5 docs, "Transaction timeouts").
Aster          ``timestamp`` + ``recvWindow`` (ms, at most 5000 on API v3), as Binance;
               the v3 ``nonce`` (µs) must also be within ~5 s (aster-api-auth-v3).
Paradex        ``signature_timestamp`` + ``recv_window`` (ms): an order received later
               is rejected (docs.paradex.trade "Receive window").
paper          refuses an order that arrives after ``expires_at`` (venue clock).
=============  =====================================================================

An ambiguous outcome (timeout, HTTP 5xx, Binance ``-1007``/``-1006``, an unreadable
answer) stays *in flight* until the venue confirms the order by client id, or until

    expires_at + clock_skew_margin + unknown_status_grace

has passed with the order still unknown. Only then is it ``NOT_SENT``.

Why the grace after the deadline: Binance documents HTTP 503 and ``-1007`` ("Timeout
waiting for response from backend server. Send status unknown; execution status
unknown") as *not* failures: "the execution status is UNKNOWN and may have succeeded"
(binance-docs general info, error codes; research notes A8). Its ``recvWindow`` check is
made when the request arrives, so an order accepted just inside its window can reach the
matching engine later; the documentation gives no bound. We watch
``unknown_status_grace`` (5 s by default) past deadline + skew margin, polling every
``watch_interval``; an order that still appears later under an id the journal marked
never-sent is caught by reconciliation (:mod:`atomic_fp.orchestration.late_fills`),
attributed to its signal and unwound or reported.

No retry of an ambiguous leg happens before it is resolved (the execution blocks on
``LegState.unresolved``), and every retry uses a new client id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    NotSent,
    NotSupported,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import Order, OrderRequest, OrderStatus
from atomic_fp.models.order_update import OrderUpdate
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.policy import ExecutionPolicy
from atomic_fp.orchestration.report import LegOutcome

Clock = Callable[[], datetime]

_NOT_SENT = (NotSent, InvalidRequest, NotConfigured, NotSupported)
_REJECTED = (VenueRejected, UnknownSymbol, AuthenticationError, RateLimited)


def classify(
    result: Result[Order, VenueError],
) -> tuple[LegOutcome, Order | None, VenueError | None]:
    """One order call's answer as a leg outcome. An answer that is not understood is
    ambiguous: the venue may have acted."""
    if isinstance(result, Failure):
        error = result.failure()
        if isinstance(error, _NOT_SENT):
            return LegOutcome.NOT_SENT, None, error
        if isinstance(error, _REJECTED):
            return LegOutcome.REJECTED, None, error
        return LegOutcome.AMBIGUOUS, None, error
    order = result.unwrap()
    if not order.status.is_terminal:
        return LegOutcome.AMBIGUOUS, order, None
    if order.filled_size > 0 and (order.status is OrderStatus.FILLED or order.remaining == 0):
        return LegOutcome.FILLED, order, None
    if order.filled_size > 0:
        return LegOutcome.PARTIALLY_FILLED, order, None
    return LegOutcome.REJECTED, order, None


def deadline_of(request: OrderRequest, policy: ExecutionPolicy) -> datetime | None:
    """The instant after which an order still unknown to its venue is never sent, or
    ``None`` when the order carried no deadline (then it is never presumed unsent)."""
    if request.expires_at is None:
        return None
    return request.expires_at + timedelta(seconds=policy.watch_after_deadline)


async def _sleep_or_push(
    updates: OrderUpdateBook, request: OrderRequest, delay: float, policy: ExecutionPolicy
) -> OrderUpdate | None:
    """Wait ``delay`` (the policy's own sleep), or less if the account stream pushes a
    terminal update of this order first."""
    pushed: list[OrderUpdate] = []
    async with anyio.create_task_group() as group:

        async def listen() -> None:
            pushed.append(await updates.wait_terminal(request.exchange, request.client_order_id))
            group.cancel_scope.cancel()

        async def nap() -> None:
            await policy.sleep(delay)
            group.cancel_scope.cancel()

        group.start_soon(listen)
        group.start_soon(nap)
    return pushed[0] if pushed else None


async def resolve_order(
    trader: AtomicTrader,
    request: OrderRequest,
    order: Order | None,
    policy: ExecutionPolicy,
    clock: Clock,
    *,
    updates: OrderUpdateBook | None = None,
) -> tuple[LegOutcome, Order | None, VenueError | None]:
    """Settle an ambiguous order by its client id (cancelling it first if it is live).

    Found and terminal: its real fill. ``OrderNotFound`` before the watch deadline
    (:func:`deadline_of`): keep watching every ``watch_interval``. Not found after it:
    ``NOT_SENT``. Any other lookup failure, ``lookup_attempts`` times, or an order that
    stays live: ``AMBIGUOUS`` (left to reconciliation). The watch is bounded by the
    injected clock *and* by the seconds slept, so it ends even under a frozen test clock.

    With an account stream (``updates``), every wait before a lookup listens to it: a
    terminal update pushed for this client id settles the order at once, before (and
    instead of) the lookup; the lookups stay the safety net when nothing is pushed.
    """
    cid = request.client_order_id
    until = deadline_of(request, policy)
    budget = (until - clock()).total_seconds() if until is not None else 0.0
    waited = 0.0
    failures = 0
    last_error: VenueError | None = None
    first = True
    while True:
        if order is not None and not order.status.is_terminal:
            with anyio.move_on_after(policy.order_timeout):
                await trader.cancel_order(cid)
            order = None
        delay = policy.lookup_delay if first else policy.watch_interval
        if updates is not None:
            pushed = updates.latest(request.exchange, cid)
            if (pushed is None or not pushed.status.is_terminal) and delay > 0:
                pushed = await _sleep_or_push(updates, request, delay, policy)
                waited += delay
            if pushed is not None and pushed.status.is_terminal:
                return classify(Success(pushed.as_order(request)))
        elif delay > 0:
            await policy.sleep(delay)
            waited += delay
        first = False
        found: Result[Order, VenueError] = Failure(
            Ambiguous(str(trader.exchange), f"lookup of {cid} timed out")
        )
        with anyio.move_on_after(policy.order_timeout):
            found = await trader.fetch_order(cid)
        if isinstance(found, Failure):
            last_error = found.failure()
            if isinstance(last_error, OrderNotFound):
                if until is None:
                    return LegOutcome.AMBIGUOUS, None, last_error
                if clock() > until or waited >= budget:
                    return LegOutcome.NOT_SENT, None, last_error
                continue
            failures += 1
        else:
            outcome, order, _ = classify(found)
            if outcome is not LegOutcome.AMBIGUOUS:
                return outcome, order, None
            failures += 1  # still live after a cancel: count it, cancel again
        if failures >= max(1, policy.lookup_attempts):
            return LegOutcome.AMBIGUOUS, order, last_error


LEGACY_VALIDITY = timedelta(seconds=300)
"""Deadline assumed for an order journaled before orders carried one (``expires_at``
``None``): the longest default validity any adapter used then (GRVT's
``order_expiry_seconds``, 300 s; Binance's ``recvWindow`` is at most 60 s)."""


def with_deadline(request: OrderRequest, recorded_at: datetime) -> OrderRequest:
    """``request`` with a deadline: its own, else :data:`LEGACY_VALIDITY` after it was
    journaled."""
    if request.expires_at is not None:
        return request
    return attrs.evolve(request, expires_at=recorded_at + LEGACY_VALIDITY)


__all__ = [
    "LEGACY_VALIDITY",
    "Clock",
    "classify",
    "deadline_of",
    "resolve_order",
    "with_deadline",
]
