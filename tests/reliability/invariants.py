"""The three invariants every reliability scenario ends with, venue-agnostic.

1. **No unreported exposure**: the venues' net base exposure moved by exactly the residual
   the reports state (zero, or a residual that is journaled).
2. **No duplicate order**: at most one order accepted per client order id at each venue,
   and the entry + retry orders of one leg never filled more than the leg's size (a retry
   under a new id is only ever sent when the earlier id provably did not fill it).
3. **Journal consistent**: every order the venue holds is in the journal with the same
   filled size; an order the journal calls never-sent or rejected has no fill at the venue;
   the journal's positions equal the venue's; nothing is left unresolved or unfinished.

A :class:`VenueView` is how a scenario shows a venue's *own* state (paper venue object,
the wire server's memory), never what our client parsed from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from adapters.paper import PaperVenue
from atomic_fp.errors import VenueError
from atomic_fp.models import Order, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration import ExecutionJournal, LegOutcome, OrderIntent, OrderPurpose


class VenueView(Protocol):
    @property
    def exchange(self) -> ExchangeIdentifier: ...

    def position_base(self) -> Decimal:
        """Signed base-asset position of the scenario's symbol, as the venue holds it."""
        ...

    def filled_by_cid(self) -> Mapping[str, Decimal]:
        """Filled size (venue units) of every order the venue holds, by client id."""
        ...

    def accepted_counts(self) -> Mapping[str, int]:
        """How many orders the venue accepted (acted on) under each client id."""
        ...


class PaperView:
    """A paper venue's own state. ``accepted_counts`` counts submissions that reached the
    matching engine (``submit_log``), not the venue's dict of orders (which could not
    hold a duplicate)."""

    def __init__(self, venue: PaperVenue, symbol: Symbol) -> None:
        self.venue = venue
        self.symbol = symbol

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self.venue.exchange

    def position_base(self) -> Decimal:
        return self.venue.position_base(self.symbol)

    def filled_by_cid(self) -> Mapping[str, Decimal]:
        return {o.client_order_id: o.filled_size for o in self.venue.orders()}

    def accepted_counts(self) -> Mapping[str, int]:
        return Counter(r.client_order_id for r in self.venue.submit_log if r.arrived is not None)


def net_exposure(views: Sequence[VenueView]) -> Decimal:
    return sum((v.position_base() for v in views), Decimal(0))


def assert_no_duplicate_orders(views: Sequence[VenueView]) -> None:
    for view in views:
        twice = {cid: n for cid, n in view.accepted_counts().items() if n > 1}
        assert not twice, f"{view.exchange}: client ids accepted more than once: {twice}"


async def assert_no_overfilled_leg(
    views: Sequence[VenueView], journal: ExecutionJournal, signal_ids: Sequence[str]
) -> None:
    """Entry + retries of a leg filled at most its size; unwinds at most what they undo."""
    by_venue = {view.exchange: view.filled_by_cid() for view in views}
    for signal_id in signal_ids:
        opened: dict[int, Decimal] = {}
        unwound: dict[int, Decimal] = {}
        sizes: dict[int, Decimal] = {}
        for order in await journal.orders_for_signal(signal_id):
            intent = order.intent
            filled = by_venue.get(intent.request.exchange, {}).get(
                intent.client_order_id, Decimal(0)
            )
            bucket = unwound if intent.purpose is OrderPurpose.UNWIND else opened
            bucket[intent.leg_index] = bucket.get(intent.leg_index, Decimal(0)) + filled
            if intent.purpose is OrderPurpose.ENTRY:
                sizes[intent.leg_index] = intent.request.size
        for leg, filled in opened.items():
            assert filled <= sizes[leg], f"{signal_id} leg {leg} filled {filled} > {sizes[leg]}"
            assert unwound.get(leg, Decimal(0)) <= filled, f"{signal_id} leg {leg} over-unwound"


async def assert_journal_matches(
    views: Sequence[VenueView],
    journal: ExecutionJournal,
    symbol: Symbol,
    signal_ids: Sequence[str],
) -> None:
    assert not await journal.unresolved_orders(symbol), "orders left unresolved"
    assert not await journal.open_signals(symbol), "signals left unfinished"
    positions = await journal.positions()
    journaled_cids: set[str] = set()
    for signal in signal_ids:
        for order in await journal.orders_for_signal(signal):
            journaled_cids.add(order.intent.client_order_id)
    for view in views:
        held = view.filled_by_cid()
        assert positions.get((view.exchange, symbol), Decimal(0)) == view.position_base(), (
            f"{view.exchange}: journal says {positions.get((view.exchange, symbol))}, "
            f"venue holds {view.position_base()}"
        )
        unknown = {cid for cid, filled in held.items() if filled and cid not in journaled_cids}
        assert not unknown, f"{view.exchange}: fills the journal does not know: {unknown}"
    for signal in signal_ids:
        for order in await journal.orders_for_signal(signal):
            request = order.intent.request
            view_filled = _view(views, request.exchange).filled_by_cid()
            at_venue = view_filled.get(request.client_order_id)
            if order.outcome is LegOutcome.NOT_SENT:
                assert at_venue is None, f"{request.client_order_id} 'never sent' but is there"
            elif order.outcome is LegOutcome.REJECTED:
                assert not at_venue, f"{request.client_order_id} 'rejected' but filled"
            else:
                assert at_venue == order.filled_size, (
                    f"{request.client_order_id}: journal {order.filled_size}, venue {at_venue}"
                )


def _view(views: Sequence[VenueView], exchange: ExchangeIdentifier) -> VenueView:
    return next(v for v in views if v.exchange == exchange)


async def assert_invariants(
    views: Sequence[VenueView],
    journal: ExecutionJournal,
    symbol: Symbol,
    *,
    exposure_before: Decimal,
    reported_residual: Decimal,
    signal_ids: Sequence[str],
) -> None:
    """All three invariants, after the scenario's executions are finished (reconciled)."""
    moved = net_exposure(views) - exposure_before
    assert moved == reported_residual, (
        f"unreported exposure: venues moved {moved}, reports stated {reported_residual}"
    )
    assert_no_duplicate_orders(views)
    await assert_no_overfilled_leg(views, journal, signal_ids)
    await assert_journal_matches(views, journal, symbol, signal_ids)


class RecordingJournal:
    """Wraps a journal, recording the order in which intents and outcomes were written,
    so a test can check *when* each retry was decided (not only what the end state is)."""

    def __init__(self, inner: ExecutionJournal) -> None:
        self._inner = inner
        self.log: list[tuple[str, str, object]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def record_intent(self, intent: OrderIntent) -> None:
        await self._inner.record_intent(intent)
        self.log.append(("intent", intent.client_order_id, intent))

    async def record_outcome(
        self,
        client_order_id: str,
        outcome: LegOutcome,
        order: Order | None,
        error: VenueError | None,
        at: datetime,
    ) -> None:
        await self._inner.record_outcome(client_order_id, outcome, order, error, at)
        self.log.append(("outcome", client_order_id, outcome))


def assert_retries_only_after_known_fates(journal: RecordingJournal) -> None:
    """A retry (new attempt id on a leg) is sent only when every earlier entry/retry of
    that leg had a known outcome: filled, partly filled, rejected or never sent -- never
    while one was ambiguous (it might still fill, and the retry would double it)."""
    latest: dict[str, LegOutcome] = {}
    earlier: dict[tuple[str, int], list[str]] = {}
    for kind, cid, detail in journal.log:
        if kind == "outcome":
            assert isinstance(detail, LegOutcome)
            latest[cid] = detail
            continue
        assert isinstance(detail, OrderIntent)
        if detail.purpose is OrderPurpose.UNWIND:
            continue
        key = (detail.signal_id, detail.leg_index)
        for previous in earlier.get(key, []):
            fate = latest.get(previous)
            assert fate is not None and fate is not LegOutcome.AMBIGUOUS, (
                f"{cid} sent while {previous} was {fate}"
            )
        earlier.setdefault(key, []).append(cid)
