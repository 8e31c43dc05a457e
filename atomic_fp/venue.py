"""Layer 0/2 contract: what a venue client offers, typed by a ``Protocol``.

Every call returns a ``FutureResult`` whose failure is a typed
:class:`~atomic_fp.errors.VenueError`; a client never lets an exception escape. A client
declares its :class:`Capability` set (like ccxt's ``has`` map) so callers can tell
"not supported" (:class:`~atomic_fp.errors.NotSupported`) from "failed".

Any object with these members plugs in: the core never imports an adapter.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs
from returns.future import FutureResult

from atomic_fp.errors import VenueError
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin


class Capability(enum.Enum):
    MARKETS = "markets"
    FUNDING_RATES = "funding_rates"
    ORDER_BOOK = "order_book"
    POSITIONS = "positions"
    BALANCES = "balances"
    PLACE_ORDER = "place_order"
    CANCEL_ORDER = "cancel_order"
    ORDER_STATUS = "order_status"
    FUNDING_HISTORY = "funding_history"
    FUNDING_PAYMENTS = "funding_payments"


PUBLIC_CAPABILITIES = frozenset(
    {
        Capability.MARKETS,
        Capability.FUNDING_RATES,
        Capability.ORDER_BOOK,
        Capability.FUNDING_HISTORY,
    }
)
TRADING_CAPABILITIES = frozenset(
    {
        Capability.POSITIONS,
        Capability.BALANCES,
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.ORDER_STATUS,
    }
)


@runtime_checkable
class VenueClient(Protocol):
    """One venue account. Symbols are canonical; the client maps them to its own names
    from its market list (and the user's overrides)."""

    @property
    def exchange(self) -> ExchangeIdentifier: ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]: ...

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        """Current funding for ``symbols`` (all listed symbols when ``None``)."""
        ...

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]: ...

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        """Every open position of the account. A symbol that is absent is flat *because
        the venue said so*; a failed call is a Failure, never an empty tuple."""
        ...

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]: ...

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]: ...

    def cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> FutureResult[Order, VenueError]: ...

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        """The order with this client id; ``OrderNotFound`` if the venue never got it."""
        ...

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        """SETTLED rates with ``start <= funding_time < end``, oldest first, all pages."""
        ...

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class MarginReporter(Protocol):
    """Optional: a client that reports its account's margin (equity, maintenance margin,
    per-position liquidation price and its source). Binance, Hyperliquid, GRVT, Lighter
    and the paper venue implement it; a client without it is still a ``VenueClient``."""

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]: ...


@runtime_checkable
class FeeQuoting(Protocol):
    """A client that can say what its venue charges (optional: ``scan`` and the trading
    commands fall back to the published tier of the venue's kind, else an assumed fee).

    ``fetch_fees`` gives the account's own rates when the client has credentials and the
    venue an endpoint for them (source ``account``), else the venue's published base tier
    (``published``). A failed account query is reported in the quote's ``detail`` and
    answered with the published tier: the base tier is the most expensive regular tier, so
    the fallback can only overstate the cost."""

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]: ...


@attrs.frozen
class PreparedOrder:
    """An order signed and encoded, ready to go out: what :meth:`PreparesOrders.
    send_prepared` puts on the wire without computing anything that takes time.

    ``payload`` is the venue's own (opaque to the core); ``request`` is the order it
    encodes, with the ``expires_at`` its validity window was computed from at prepare
    time, so the signature is still valid when the order is sent before that instant
    (after it, the venue refuses it: the order was never live)."""

    request: OrderRequest
    payload: object = attrs.field(repr=False)
    release: Callable[[], None] | None = attrs.field(
        default=None, repr=False, eq=False, kw_only=True
    )
    """Gives back what preparing reserved (a Lighter nonce) when the order is not sent."""

    def discard(self) -> None:
        """This order will not be sent (its round was abandoned): free what preparing
        reserved. Idempotent, and a no-op once the order was sent."""
        if self.release is not None:
            self.release()


@runtime_checkable
class PreparesOrders(Protocol):
    """Optional two-step order path (issue 20, "leg skew"): every leg of a round is
    signed first, then all are sent, so the gap between the legs' first bytes is the
    network's alone (Hyperliquid's signing took about 3.2 ms per order on the critical
    path). A client without it keeps ``place_order``.

    ``prepare_order`` does the signing and encoding; it sends nothing (its only awaits
    are cached reads the round's preflight has already warmed, e.g. the market's
    rounding). A failure means the order was never sent. ``send_prepared`` is exactly
    the send half of ``place_order``: the same bytes on the wire as ``place_order`` at
    the same clock. A prepared order that will not be sent is given back with
    :meth:`PreparedOrder.discard` (Lighter's reserves its API key's next nonce)."""

    def prepare_order(self, request: OrderRequest) -> FutureResult[PreparedOrder, VenueError]: ...

    def send_prepared(self, prepared: PreparedOrder) -> FutureResult[Order, VenueError]: ...
