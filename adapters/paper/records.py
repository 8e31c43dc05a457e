"""The paper venue's plain records: a market's simulated state (and the read-only view of it
the venue hands out), a position, and what the
venue logs about the calls it receives (:class:`SubmitRecord`, :class:`CallEvent`, ordered
across every paper venue of the process by one counter)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models import Market, OrderBook

Clock = Callable[[], datetime]
_DEFAULT_DEPTH = Decimal(1_000_000)


@attrs.define
class PaperMarketState:
    market: Market
    mark_price: Decimal
    funding_rate: Decimal = Decimal(0)
    next_funding_time: datetime | None = None
    book: OrderBook | None = None
    """Explicit book; ``None`` = synthetic book around the mark."""
    half_spread: Decimal = Decimal("0.0001")
    """Half the synthetic book's spread, as a fraction of the mark."""
    depth: Decimal = _DEFAULT_DEPTH
    """Size (venue units) of the synthetic book's single level on each side."""


class PaperMarketView:
    """A read-only view of one venue's :class:`PaperMarketState`: what
    :meth:`PaperVenue.market_state <adapters.paper.venue.PaperVenue.market_state>` answers.
    It reads the venue's current state (a later mark move shows), and refuses writes
    (``AttributeError``): a market's state changes only through the venue's ``set_*`` and
    ``list_market`` calls, which keep what the liquidation check and the backtest's memos
    read (:meth:`~adapters.paper.state.PaperVenueState._holdings_changed`)."""

    __slots__ = ("_state",)

    def __init__(self, state: PaperMarketState) -> None:
        self._state = state

    @property
    def market(self) -> Market:
        return self._state.market

    @property
    def mark_price(self) -> Decimal:
        return self._state.mark_price

    @property
    def funding_rate(self) -> Decimal:
        return self._state.funding_rate

    @property
    def next_funding_time(self) -> datetime | None:
        return self._state.next_funding_time

    @property
    def book(self) -> OrderBook | None:
        return self._state.book

    @property
    def half_spread(self) -> Decimal:
        return self._state.half_spread

    @property
    def depth(self) -> Decimal:
        return self._state.depth

    def __repr__(self) -> str:
        return f"PaperMarketView({self._state!r})"


@attrs.define
class PaperPosition:
    size: Decimal = Decimal(0)
    entry_price: Decimal = Decimal(0)


@attrs.frozen
class SubmitRecord:
    """When an order call started (``submitted``) and reached the matching engine
    (``arrived``; ``None`` if it never did), as ``time.perf_counter()`` readings."""

    client_order_id: str
    submitted: float
    arrived: float | None


_SEQUENCE = itertools.count()
"""One counter for every paper venue of the process: call events are totally ordered."""


@attrs.frozen
class CallEvent:
    """A venue call starting (``start``), answering (``end``) or never answering
    (``unanswered``: its caller gave up on it, or it raised). ``seq`` orders the events of
    all paper venues of a process, so a test can assert that two calls overlapped by the
    order of their events, without reading any clock (a loaded machine makes clocks
    unreliable witnesses)."""

    seq: int
    venue: str
    call: str
    phase: str


__all__ = [
    "CallEvent",
    "Clock",
    "PaperMarketState",
    "PaperMarketView",
    "PaperPosition",
    "SubmitRecord",
]
