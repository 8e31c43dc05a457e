"""The guarded, never-raising venue facade and its capability map: one base for all clients.

Every venue client offers the same public surface (:class:`~atomic_fp.venue.VenueClient`):
``fetch_markets() -> FutureResult[...]`` and nine more, each of which must never raise.
Before the kit each client wrote ten ``fetch_x -> guarded(self._venue, self._x())``
wrappers with drifting names. :class:`GuardedVenue` writes them once:

- each public method runs the coroutine method of the same name with a leading
  underscore (``fetch_markets`` -> ``_fetch_markets``, ``place_order`` ->
  ``_place_order``) through :meth:`GuardedVenue._run`, which turns any stray exception
  into a :class:`~atomic_fp.errors.MalformedResponse` naming only the exception's *type*
  (its text might hold a signed URL) and masks :meth:`GuardedVenue._secrets` (and any
  64-hex-digit run: a signature) in every failure's message;
- a coroutine a venue does not override answers :class:`~atomic_fp.errors.NotSupported`;
- :attr:`GuardedVenue.capabilities` is the class's map: ``PUBLIC`` always, plus
  ``WITH_CREDENTIALS`` when :meth:`GuardedVenue._has_credentials` says so;
- names are fixed: ``self._exchange`` (the :class:`ExchangeIdentifier`) and
  ``self._venue`` (its string, used in every error).

How a venue package uses it (its ``factory.py``/client module)::

    class AcmeClient(GuardedVenue, MarginFacade, FeesFacade, Connectable):
        WITH_CREDENTIALS = TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}

        def __init__(self, settings):
            super().__init__(settings.id)
            ...
        def _has_credentials(self) -> bool: return self._credentials is not None
        def _secrets(self) -> Sequence[str]: return (key, secret) if set else ()
        async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]: ...

The venue's market data and execution live in mixins (``market_data.py``,
``execution.py``) that define the underscore coroutines; the client class combines them.
:class:`MarginFacade` and :class:`FeesFacade` add the optional ``fetch_margin`` /
``fetch_fees`` members only to clients that have them, so ``isinstance(client,
MarginReporter)`` stays truthful.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Collection, Sequence
from datetime import datetime
from typing import ClassVar, TypeVar

import attrs
from returns.future import FutureResult
from returns.result import Failure, Result

from adapters._future import guarded
from atomic_fp.errors import MalformedResponse, NotConfigured, NotSupported, VenueError
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
from atomic_fp.venue import (
    PUBLIC_CAPABILITIES,
    TRADING_CAPABILITIES,
    Capability,
    PreparedOrder,
)

T = TypeVar("T")

_HEX_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every secret and every 64-hex-digit run (a signature) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _HEX_SIGNATURE.sub("***", text)


class _Guard:
    """What every facade part shares: the venue's names and the guard."""

    _exchange: ExchangeIdentifier
    _venue: str

    def _secrets(self) -> Sequence[str]:
        """Strings never to appear in an error message (keys, secrets, tokens)."""
        return ()

    def _scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        """``error`` with the client's secrets and ``extra`` masked in its message."""
        clean = redact(error.message, [*extra, *self._secrets()])
        return error if clean == error.message else attrs.evolve(error, message=clean)

    def _run(self, work: Awaitable[Result[T, VenueError]]) -> FutureResult[T, VenueError]:
        """``work`` as a ``FutureResult`` that cannot raise (cancellation still does)."""
        return guarded(self._venue, self._contained(work))

    async def _contained(self, work: Awaitable[Result[T, VenueError]]) -> Result[T, VenueError]:
        try:
            result = await work
        except Exception as error:
            return Failure(
                MalformedResponse(self._venue, f"internal error: {type(error).__name__}")
            )
        if isinstance(result, Failure):
            return Failure(self._scrub(result.failure()))
        return result

    def _unsupported(self, what: str) -> Failure[VenueError]:
        return Failure(NotSupported(self._venue, f"{what} is not supported by this venue client"))


class GuardedVenue(_Guard):
    """Base of a venue client: the protocol's public members, guarded, and its capability
    map. Subclasses override the underscore coroutines they support (see the module)."""

    PUBLIC: ClassVar[frozenset[Capability]] = PUBLIC_CAPABILITIES
    """Capabilities the client has without credentials."""
    WITH_CREDENTIALS: ClassVar[frozenset[Capability]] = TRADING_CAPABILITIES
    """Capabilities added when :meth:`_has_credentials` is true."""
    CREDENTIALS_HINT: ClassVar[str] = "credentials"
    """What :meth:`_not_configured` says is missing (e.g. ``"credentials api_key and
    api_secret"``)."""

    def __init__(self, exchange: ExchangeIdentifier) -> None:
        self._exchange = exchange
        self._venue = str(exchange)

    def _has_credentials(self) -> bool:
        return False

    def _not_configured(self, what: str) -> Failure[VenueError]:
        """``what`` cannot run without credentials (never sent)."""
        return Failure(
            NotConfigured(self._venue, f"{what} needs {self.CREDENTIALS_HINT} for this venue")
        )

    # ------------------------------------------------------------------ protocol members

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        if self._has_credentials():
            return self.PUBLIC | self.WITH_CREDENTIALS
        return self.PUBLIC

    async def aclose(self) -> None:
        """Release the client's connections (override when it owns any)."""

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return self._run(self._fetch_markets())

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._fetch_funding_rates(symbols))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return self._run(self._fetch_order_book(symbol, depth))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._fetch_funding_history(symbol, start, end))

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return self._run(self._fetch_positions())

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return self._run(self._fetch_balances())

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return self._run(self._place_order(request))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._run(self._cancel_order(symbol, client_order_id))

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._run(self._fetch_order(symbol, client_order_id))

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return self._run(self._fetch_funding_payments(start, end))

    # ------------------------------------------------------------------ to override

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return self._unsupported("markets")

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return self._unsupported("funding rates")

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return self._unsupported("order book")

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return self._unsupported("funding history")

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return self._unsupported("positions")

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return self._unsupported("balances")

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return self._unsupported("place_order")

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return self._unsupported("cancel_order")

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return self._unsupported("fetch_order")

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return self._unsupported("funding payments")


class MarginFacade(_Guard):
    """Adds ``fetch_margin`` (:class:`~atomic_fp.venue.MarginReporter`); the venue
    implements ``_fetch_margin``."""

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        return self._run(self._fetch_margin())

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        return self._unsupported("margin")


class FeesFacade(_Guard):
    """Adds ``fetch_fees`` (:class:`~atomic_fp.venue.FeeQuoting`); the venue implements
    ``_fetch_fees`` (its account's rates, else the published tier via
    :func:`adapters.published_fees.account_or_published`)."""

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        return self._run(self._fetch_fees())

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        return self._unsupported("fees")


class PreparedOrdersFacade(_Guard):
    """Adds ``prepare_order`` / ``send_prepared`` (:class:`~atomic_fp.venue.
    PreparesOrders`, issue 20 leg skew); the venue implements ``_prepare_order`` and
    ``_send_prepared`` (and its ``_place_order`` is the two in a row)."""

    def prepare_order(self, request: OrderRequest) -> FutureResult[PreparedOrder, VenueError]:
        return self._run(self._prepare_order(request))

    def send_prepared(self, prepared: PreparedOrder) -> FutureResult[Order, VenueError]:
        return self._run(self._send_prepared(prepared))

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        return self._unsupported("prepare_order")

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        return self._unsupported("send_prepared")


__all__ = ["FeesFacade", "GuardedVenue", "MarginFacade", "PreparedOrdersFacade", "redact"]
