"""What a declared venue is made of: the protocols its parts satisfy (transport,
credentials, market data, account, funding payments, margin, fees, execution, prepared
execution), the declaration itself (:class:`VenueParts`), the plain credentials
(:class:`Secrets`), the fee reader most venues use (:class:`AccountOrPublishedFees`), and
which part serves each capability (:data:`CAPABILITY_SOURCES`).
:class:`~adapters.kit.components.DeclaredVenue` turns a declaration into a venue client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs
from returns.result import Result, Success

from adapters.kit.lazy_part import Part
from adapters.published_fees import account_or_published
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


class Transport(Protocol):
    """What the venue owns connections through."""

    async def aclose(self) -> None: ...


@runtime_checkable
class ScrubbingTransport(Protocol):
    """A transport that masks more than the kit does (OKX: base64 signatures)."""

    def scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError: ...


class Credentials(Protocol):
    """Declared credentials: only what must never appear in a message is needed here."""

    def secrets(self) -> Sequence[str]: ...


class MarketDataSource(Protocol):
    """Public market data (capabilities ``MARKETS``, ``FUNDING_RATES``, ``ORDER_BOOK``,
    ``FUNDING_HISTORY``)."""

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]: ...

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]: ...

    async def fetch_order_book(
        self, symbol: Symbol, depth: int
    ) -> Result[OrderBook, VenueError]: ...

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]: ...


class AccountSource(Protocol):
    """The account's reads (``POSITIONS``, ``BALANCES``)."""

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]: ...

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]: ...


@runtime_checkable
class FundingPaymentsSource(Protocol):
    """An account part that also reads its own funding payments (``FUNDING_PAYMENTS``)."""

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]: ...


@runtime_checkable
class MarginSource(Protocol):
    """An account part that also reads the margin state (``fetch_margin``)."""

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]: ...


class FeeReader(Protocol):
    """The fees the venue charges this client (``fetch_fees``)."""

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]: ...


class OrderExecution(Protocol):
    """Orders (``PLACE_ORDER``, ``CANCEL_ORDER``, ``ORDER_STATUS``), by our client id."""

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]: ...

    async def cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]: ...

    async def fetch_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]: ...


@runtime_checkable
class PreparedExecution(Protocol):
    """An execution part that signs before sending (issue 20 leg skew)."""

    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]: ...

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]: ...


@attrs.frozen(repr=False)
class Secrets:
    """:class:`Credentials` as a plain list of strings never to show (``repr`` hides them)."""

    values: tuple[str, ...]

    @classmethod
    def of(cls, *values: str | None) -> Secrets:
        return cls(tuple(v for v in values if v))

    def secrets(self) -> Sequence[str]:
        return self.values

    def __repr__(self) -> str:
        return f"Secrets({len(self.values)} hidden)"


@attrs.frozen
class AccountOrPublishedFees:
    """:class:`FeeReader`: the account's rates read by ``read_account`` (``None``: no
    credentials), else or when that read fails the published tier of ``kind``, saying why
    (:func:`adapters.published_fees.account_or_published`)."""

    kind: str
    read_account: Callable[[], Awaitable[Result[FeeQuote, VenueError]]] | None

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        if self.read_account is None:
            return Success(account_or_published(self.kind, None))
        return Success(account_or_published(self.kind, await self.read_account()))


@attrs.frozen
class VenueParts:
    """What a venue is made of; see the module docstring."""

    transport: Transport
    market_data: MarketDataSource
    base_url: str
    account: Part[AccountSource] | None = None
    execution: Part[OrderExecution] | None = None
    fees: Part[FeeReader] | None = None
    credentials: Credentials | None = None


CAPABILITY_SOURCES: tuple[tuple[Capability, str, str], ...] = (
    (Capability.MARKETS, "market_data", "fetch_markets"),
    (Capability.FUNDING_RATES, "market_data", "fetch_funding_rates"),
    (Capability.ORDER_BOOK, "market_data", "fetch_order_book"),
    (Capability.FUNDING_HISTORY, "market_data", "fetch_funding_history"),
    (Capability.POSITIONS, "account", "fetch_positions"),
    (Capability.BALANCES, "account", "fetch_balances"),
    (Capability.FUNDING_PAYMENTS, "account", "fetch_funding_payments"),
    (Capability.PLACE_ORDER, "execution", "place_order"),
    (Capability.CANCEL_ORDER, "execution", "cancel_order"),
    (Capability.ORDER_STATUS, "execution", "fetch_order"),
)
"""Which part's method serves each capability."""


__all__ = [
    "CAPABILITY_SOURCES",
    "AccountOrPublishedFees",
    "AccountSource",
    "Credentials",
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
