"""Paper venues with the faults the paper venue's own knobs do not have (rate limiting,
going down at the moment an order arrives or right after filling one), and the fault
matrix's names for every fault. Test-side subclass: the paper venue itself is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from returns.result import Failure, Result, Success

from adapters.paper import ManualClock, PaperFaults, PaperMarketState, PaperVenue
from atomic_fp.errors import Ambiguous, RateLimited, VenueError
from atomic_fp.models import Order, OrderRequest
from tests.shell.helpers import PRICE, TAKER_ONLY, market


class FaultyPaper(PaperVenue):
    """A paper venue that can also answer 429, go down mid-cycle, or lose an answer."""

    rate_limit_next: int = 0
    """The next N orders answer HTTP 429 (not acted on)."""
    down_at_order: bool = False
    """The venue goes down when the next order arrives (it never reaches the book)."""
    down_after_fill_next: int = 0
    """The next N orders are acted on, then the venue goes down before answering."""
    reads_fail_after_order: bool = False
    """Once an order has been placed, every read (lookups included) fails."""

    async def _place(self, request: OrderRequest) -> Result[Order, VenueError]:
        venue = str(self.exchange)
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            self._count("place_order")
            return Failure(RateLimited(venue, "HTTP 429: too many requests", "429", timedelta(0)))
        if self.down_at_order:
            self.faults.down = True
        result = await super()._place(request)
        if self.reads_fail_after_order:
            self.faults.read_failure_probability = 1.0
        if self.down_after_fill_next > 0 and isinstance(result, Success):
            self.down_after_fill_next -= 1
            self.faults.down = True
            return Failure(Ambiguous(venue, "place_order: connection lost before the answer"))
        return result

    def heal(self) -> None:
        """Every fault off (the venue is back)."""
        self.faults.clear()
        self.rate_limit_next = 0
        self.down_at_order = False
        self.down_after_fill_next = 0
        self.reads_fail_after_order = False


def faulty_paper(
    name: str, *, clock: ManualClock, rate: Decimal = Decimal(0), **kwargs: object
) -> FaultyPaper:
    return FaultyPaper(
        name,
        [PaperMarketState(market(name), PRICE, funding_rate=rate)],
        fees=TAKER_ONLY,
        clock=clock,
        faults=PaperFaults(),
        **kwargs,  # type: ignore[arg-type]
    )


def _reject_once(v: FaultyPaper) -> None:
    v.faults.reject_next = 1


def _reject_always(v: FaultyPaper) -> None:
    v.faults.reject_probability = 1.0


def _timeout_not_received(v: FaultyPaper) -> None:
    v.faults.drop_next = 1


def _timeout_lookup_fails(v: FaultyPaper) -> None:
    v.faults.timeout_after_fill_next = 1
    v.reads_fail_after_order = True


def _ambiguous_filled(v: FaultyPaper) -> None:
    v.faults.timeout_after_fill_next = 1


def _partial_once(v: FaultyPaper) -> None:
    v.faults.partial_fill_next = 1


def _partial_always(v: FaultyPaper) -> None:
    v.faults.partial_fill_probability = 1.0
    v.faults.partial_fill_ratio = Decimal("0.37")


def _down_at_order(v: FaultyPaper) -> None:
    v.down_at_order = True


def _down_after_fill(v: FaultyPaper) -> None:
    v.down_after_fill_next = 1


def _rate_limited_once(v: FaultyPaper) -> None:
    v.rate_limit_next = 1


def _rate_limited_always(v: FaultyPaper) -> None:
    v.rate_limit_next = 1_000


FAULTS: dict[str, Callable[[FaultyPaper], None]] = {
    "reject_once": _reject_once,
    "reject_always": _reject_always,
    "timeout_not_received": _timeout_not_received,
    "timeout_lookup_fails": _timeout_lookup_fails,
    "ambiguous_but_filled": _ambiguous_filled,
    "partial_once": _partial_once,
    "partial_always": _partial_always,
    "down_at_order": _down_at_order,
    "down_after_fill": _down_after_fill,
    "rate_limited_once": _rate_limited_once,
    "rate_limited_always": _rate_limited_always,
}
