"""Sign every order of a round before any is sent (issue 20, "leg skew").

Each leg's order used to be signed inside its own send task, so the second leg's first
byte waited for the first leg's signing (Hyperliquid: about 3.2 ms per order). Here every
order of a round is prepared first (:class:`~atomic_fp.venue.PreparesOrders`; a client
without it keeps ``place_order`` and gets ``None``), then the round is sent.

A round is all or nothing before the wire: if any leg's order cannot be prepared, no leg
is sent (sending the others would open an unhedged position on purpose). The failing leg
keeps its own error (as ``NotSent`` when the error alone would read as "maybe sent": a
preparation never reaches the venue); every other leg is ``NotSent`` naming the cause,
and what its preparation reserved is given back (:meth:`~atomic_fp.venue.PreparedOrder.
discard`: Lighter's nonce).
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from returns.result import Failure, Result, Success

from atomic_fp.errors import NotSent, VenueError
from atomic_fp.models import OrderRequest
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration.report import LegOutcome
from atomic_fp.orchestration.validity import classify
from atomic_fp.venue import PreparedOrder


def _never_sent(error: VenueError) -> VenueError:
    """``error`` as a leg's answer that certainly did not reach the venue."""
    outcome, _, _ = classify(Failure(error))
    if outcome is LegOutcome.AMBIGUOUS:
        return NotSent(error.venue, f"order not prepared, nothing sent: {error.message}")
    return error


def _discard(prepared: Sequence[PreparedOrder | None]) -> None:
    """Give back what each prepared order reserved (a Lighter nonce): none will be sent."""
    for ready in prepared:
        if ready is not None:
            ready.discard()


async def prepare_round(
    orders: Sequence[tuple[AtomicTrader, OrderRequest]], limit_seconds: float
) -> Result[list[PreparedOrder | None], list[VenueError]]:
    """Each order prepared (``None``: its client has no two-step path), or, when any
    cannot be, one error per order and nothing prepared is to be sent."""
    prepared: list[PreparedOrder | None] = []
    failed: dict[int, VenueError] = {}
    try:
        for position, (trader, request) in enumerate(orders):
            result: Result[PreparedOrder | None, VenueError] = Failure(
                NotSent(str(request.exchange), f"order not prepared within {limit_seconds} s")
            )
            with anyio.move_on_after(limit_seconds):
                result = await trader.prepare_order(request)
            if isinstance(result, Failure):
                failed[position] = _never_sent(result.failure())
                prepared.append(None)
            else:
                prepared.append(result.unwrap())
    except BaseException:
        _discard(prepared)  # cancelled from outside: nothing of the round will be sent
        raise
    if not failed:
        return Success(prepared)
    _discard(prepared)
    cause = "; ".join(f"{orders[p][1].exchange}: {e.message}" for p, e in failed.items())
    return Failure(
        [
            failed.get(
                position,
                NotSent(
                    str(request.exchange),
                    f"not sent: another leg of the round could not be prepared ({cause})",
                ),
            )
            for position, (_, request) in enumerate(orders)
        ]
    )


__all__ = ["prepare_round"]
