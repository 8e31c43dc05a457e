"""A venue declared from its parts: :class:`DeclaredVenue`, which implements every kit hook
of :class:`~adapters.kit.facade.GuardedVenue` by delegating to the parts a venue declares
(their protocols and the declaration, :class:`VenueParts`, are in :mod:`adapters.kit.parts`;
re-exported here).

Before this module every ``factory.py`` wrote the same ten-plus
``async def _fetch_x(...): return await self._data.x(...)`` delegations, the same
``_has_credentials`` / ``_secrets`` / ``aclose`` / ``__repr__`` hooks, under drifting
names (``_data``/``_trading``/``_execution``; ``markets``/``fetch_markets``; ``place``/
``place_order``). A venue now builds its components and declares them once in a
:class:`VenueParts`:

==================  ========================================================================
part                what it is
==================  ========================================================================
``transport``       the venue's HTTP object; :meth:`DeclaredVenue.aclose` closes it (once)
``market_data``     a :class:`MarketDataSource`
``account``         an :class:`AccountSource` (optional; may also be a
                    :class:`FundingPaymentsSource` and a :class:`MarginSource`)
``execution``       an :class:`OrderExecution` (optional; may also be a
                    :class:`PreparedExecution`)
``fees``            a :class:`FeeReader` (optional; answers without credentials too, with the
                    published tier: see :class:`AccountOrPublishedFees`)
``credentials``     a :class:`Credentials` (``secrets()``: what is never shown), or ``None``
==================  ========================================================================

The account, execution and fee parts may be given as :class:`~adapters.kit.lazy_part.Lazy`
holders: the part is then built (and its modules imported) when a call first needs it, so
a client built for a scan never builds them (issue 20). Only the capability map and the
calls served by a part build it; the answers are those of the part built eagerly.

**Method names are the public ones.** A component's method has the name of the
:class:`~atomic_fp.venue.VenueClient` member it serves (``fetch_markets``,
``fetch_funding_rates``, ``fetch_order_book``, ``fetch_funding_history``,
``fetch_positions``, ``fetch_balances``, ``fetch_funding_payments``, ``fetch_margin``,
``fetch_fees``, ``place_order``, ``prepare_order``, ``send_prepared``, ``cancel_order``,
``fetch_order``) and returns the plain ``Result[..., VenueError]``: the facade adds the guard.

**Capabilities are derived, not declared.** :attr:`DeclaredVenue.capabilities` holds a
capability when the part serving it exists and has the method (:data:`CAPABILITY_SOURCES`),
and, for the account and execution parts, when credentials are declared. A venue without an
account part has no account capabilities, and a call of one answers ``NotSupported`` (as
:class:`GuardedVenue` did); with the part but no credentials it answers ``NotConfigured``
before anything is sent. A venue whose account calls say themselves which credential is
missing (Hyperliquid: positions need only the address) declares credentials always.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import ClassVar, TypeVar

from returns.result import Failure, Result, Success

from adapters.kit.facade import GuardedVenue
from adapters.kit.lazy_part import Part, resolve
from adapters.kit.parts import (
    CAPABILITY_SOURCES,
    AccountOrPublishedFees,
    AccountSource,
    Credentials,
    FeeReader,
    FundingPaymentsSource,
    MarginSource,
    MarketDataSource,
    OrderExecution,
    PreparedExecution,
    ScrubbingTransport,
    Secrets,
    Transport,
    VenueParts,
)
from adapters.registry import VenueSettings
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
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import Capability, PreparedOrder

C = TypeVar("C")


_NEEDS_CREDENTIALS = frozenset({"account", "execution"})


class DeclaredVenue(GuardedVenue):
    """A :class:`GuardedVenue` whose hooks delegate to declared :class:`VenueParts`.

    Subclasses build their parts and call ``super().__init__(settings, parts)``; they add
    :class:`~adapters.kit.facade.MarginFacade` / ``FeesFacade`` / ``PreparedOrdersFacade``
    *after* this class to get the optional public members. The parts are kept under fixed
    names: ``_transport``, ``_market_data``, ``_account``, ``_execution``, ``_credentials``
    (``_account`` and ``_execution`` build a lazily declared part when first read).
    """

    CREDENTIALS_LABEL: ClassVar[str] = "with credentials"
    """What ``repr`` says when credentials are declared."""

    def __init__(self, settings: VenueSettings, parts: VenueParts) -> None:
        super().__init__(settings.id)
        # connect() checks given credentials with a balance read: only where one exists
        self._credentials_given = bool(settings.credentials) and parts.account is not None
        self._parts = parts
        self._transport = parts.transport
        self._market_data = parts.market_data
        self._credentials = parts.credentials
        self._closed = False
        if settings.credentials:
            # a client given credentials builds its parts with itself, as before they
            # were lazy: a broken install fails here, where the registry names the
            # module, not at the first order. Only clients built without (scan) wait.
            for declared in (parts.account, parts.execution, parts.fees):
                if declared is not None:
                    resolve(declared)

    @property
    def _account(self) -> AccountSource | None:
        part = self._parts.account
        return None if part is None else resolve(part)

    @property
    def _execution(self) -> OrderExecution | None:
        part = self._parts.execution
        return None if part is None else resolve(part)

    def __repr__(self) -> str:
        trading = self.CREDENTIALS_LABEL if self._credentials else "market data only"
        return f"{type(self).__name__}({self._venue}, {self._parts.base_url}, {trading})"

    # ------------------------------------------------------------------ declared hooks

    @property
    def capabilities(self) -> frozenset[Capability]:
        found = set()
        for capability, slot, method in CAPABILITY_SOURCES:
            # credentials first: a part that cannot serve without them is not built here
            if slot in _NEEDS_CREDENTIALS and self._credentials is None:
                continue
            declared = getattr(self._parts, slot)
            part = None if declared is None else resolve(declared)
            if part is None or not callable(getattr(part, method, None)):
                continue
            found.add(capability)
        return frozenset(found)

    def _has_credentials(self) -> bool:
        return self._credentials is not None

    def _secrets(self) -> Sequence[str]:
        return () if self._credentials is None else self._credentials.secrets()

    def _scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        clean = super()._scrub(error, extra)
        if isinstance(self._transport, ScrubbingTransport):
            return self._transport.scrub(clean, extra)
        return clean

    async def aclose(self) -> None:
        """Close the transport, once (a second call does nothing)."""
        if not self._closed:
            self._closed = True
            await self._transport.aclose()

    def _signed(self, part: Part[C] | None, what: str) -> Result[C, VenueError]:
        """``part`` when declared and credentials are; else why not (nothing sent, and
        a lazily declared part not built)."""
        if part is None:
            return self._unsupported(what)
        if self._credentials is None:
            return self._not_configured(what)
        return Success(resolve(part))

    # ------------------------------------------------------------------ market data

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return await self._market_data.fetch_markets()

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._market_data.fetch_funding_rates(symbols)

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return await self._market_data.fetch_order_book(symbol, depth)

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._market_data.fetch_funding_history(symbol, start, end)

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if self._parts.fees is None:
            return self._unsupported("fees")
        fees: FeeReader = resolve(self._parts.fees)
        return await fees.fetch_fees()

    # ------------------------------------------------------------------ account

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        account = self._signed(self._parts.account, "positions")
        if isinstance(account, Failure):
            return account
        return await account.unwrap().fetch_positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        account = self._signed(self._parts.account, "balances")
        if isinstance(account, Failure):
            return account
        return await account.unwrap().fetch_balances()

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        part: FundingPaymentsSource | None = (
            self._account if isinstance(self._account, FundingPaymentsSource) else None
        )
        account = self._signed(part, "funding payments")
        if isinstance(account, Failure):
            return account
        return await account.unwrap().fetch_funding_payments(start, end)

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        part: MarginSource | None = (
            self._account if isinstance(self._account, MarginSource) else None
        )
        account = self._signed(part, "margin")
        if isinstance(account, Failure):
            return account
        return await account.unwrap().fetch_margin()

    # ------------------------------------------------------------------ execution

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        execution = self._signed(self._parts.execution, "place_order")
        if isinstance(execution, Failure):
            return execution
        return await execution.unwrap().place_order(request)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        part: PreparedExecution | None = (
            self._execution if isinstance(self._execution, PreparedExecution) else None
        )
        execution = self._signed(part, "place_order")
        if isinstance(execution, Failure):
            return execution
        return await execution.unwrap().prepare_order(request)

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        part: PreparedExecution | None = (
            self._execution if isinstance(self._execution, PreparedExecution) else None
        )
        execution = self._signed(part, "place_order")
        if isinstance(execution, Failure):
            return execution
        return await execution.unwrap().send_prepared(prepared)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        execution = self._signed(self._parts.execution, "cancel_order")
        if isinstance(execution, Failure):
            return execution
        return await execution.unwrap().cancel_order(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        execution = self._signed(self._parts.execution, "fetch_order")
        if isinstance(execution, Failure):
            return execution
        return await execution.unwrap().fetch_order(symbol, client_order_id)


__all__ = [
    "CAPABILITY_SOURCES",
    "AccountOrPublishedFees",
    "AccountSource",
    "Credentials",
    "DeclaredVenue",
    "FeeReader",
    "FundingPaymentsSource",
    "MarginSource",
    "MarketDataSource",
    "OrderExecution",
    "PreparedExecution",
    "ScrubbingTransport",
    "Secrets",
    "Transport",
    "VenueParts",
]
