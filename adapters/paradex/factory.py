"""``ParadexClient``: the :class:`~atomic_fp.venue.VenueClient` for Paradex perpetuals,
and its registry factory ``create``.

A thin facade on the venue kit's :class:`~adapters.kit.facade.GuardedVenue` (never
raising); the work lives in :mod:`~adapters.paradex.market_data` and
:mod:`~adapters.paradex.execution`.

``settings.options`` (all optional, strings): ``markets_ttl_seconds`` (600),
``max_budget_wait_seconds`` (5), ``public_requests_per_second`` (20), ``chain_id``
(``PRIVATE_SN_PARACLEAR_MAINNET``; testnet ``PRIVATE_SN_POTC_SEPOLIA``: the signing
domain), ``recv_window_ms`` (5000: an order's validity window when it has no
``expires_at``; see :mod:`~adapters.paradex.execution`).

With ``account_address`` and ``stark_private_key`` the client trades: positions,
balances, funding payments, orders by client id, signed by our own Starknet signer
(:mod:`~adapters.paradex.signing`; the optional extra ``paradex``: without it every
account call answers ``NotConfigured`` naming the extra, market data still works).

Not covered: onboarding (``POST /onboarding``: the account must exist), subkeys and EVM
(EIP-191) accounts, order modification, websocket streams, the account's own fee tier.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from returns.result import Result

from adapters.client_config import Connectable, as_settings
from adapters.kit import GuardedVenue
from adapters.kit.facade import FeesFacade, MarginFacade
from adapters.paradex.config import (
    DEFAULT_BASE_URL,
    KIND,
    ParadexConfig,
    chain_id_option,
    signer_from,
)
from adapters.paradex.execution import DEFAULT_RECV_WINDOW_MS, ParadexExecution
from adapters.paradex.http import ParadexHttp
from adapters.paradex.market_data import ParadexMarketData
from adapters.paradex.signing import crypto_available
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
from atomic_fp.venue import TRADING_CAPABILITIES, Capability


def _number(options: Mapping[str, str], key: str, default: float) -> float:
    raw = options.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"paradex option {key}={raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"paradex option {key}={raw!r} must be > 0")
    return value


class ParadexClient(GuardedVenue, MarginFacade, FeesFacade, Connectable):
    """Paradex perpetuals; see the module docstring."""

    WITH_CREDENTIALS: ClassVar[frozenset[Capability]] = TRADING_CAPABILITIES | {
        Capability.FUNDING_PAYMENTS
    }
    CREDENTIALS_HINT: ClassVar[str] = "credentials account_address and stark_private_key"

    def __init__(
        self,
        settings: ParadexConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        super().__init__(settings.id)
        options = settings.options
        chain_id = chain_id_option(options)
        self._signer = signer_from(settings.credentials, chain_id)
        self._raw_key = settings.credentials.get("stark_private_key", "")
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._http = ParadexHttp(
            self._venue,
            self._base_url,
            transport=settings.transport,
            timeout=settings.timeout,
            max_body_bytes=settings.max_response_bytes,
            monotonic=monotonic,
            max_budget_wait=_number(options, "max_budget_wait_seconds", 5.0),
            requests_per_second=_number(options, "public_requests_per_second", 20.0),
            signer=self._signer,
            clock=clock,
            hint=self.CREDENTIALS_HINT,
        )
        self._data = ParadexMarketData(
            self._http,
            self._exchange,
            settings.symbol_overrides,
            monotonic=monotonic,
            markets_ttl=_number(options, "markets_ttl_seconds", 600.0),
        )
        window = int(_number(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        self._trading = ParadexExecution(self._http, self._data, self._exchange, clock, window)

    def __repr__(self) -> str:
        trading = "with Stark key" if self._signer is not None else "market data only"
        return f"ParadexClient({self._venue}, {self._base_url}, {trading})"

    def _has_credentials(self) -> bool:
        """A key, and the crypto to sign with it (without the extra the client does not
        claim trading; its account calls answer which extra is missing)."""
        return self._signer is not None and crypto_available()

    def _secrets(self) -> Sequence[str]:
        """The key as configured and as we print hex, and the current JWT."""
        return tuple(s for s in (self._raw_key, *self._http.secrets()) if s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return await self._data.fetch_markets()

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.fetch_funding_rates(symbols)

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return await self._data.fetch_order_book(symbol, depth)

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.fetch_funding_history(symbol, start, end)

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        return await self._trading.fees()

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        return await self._trading.margin()

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return await self._trading.positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await self._trading.balances()

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return await self._trading.funding_payments(start, end)

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await self._trading.place(request)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return await self._trading.cancel(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._trading.order(symbol, client_order_id)


def create(settings: VenueSettings) -> ParadexClient:
    """Venue factory registered as ``adapters.paradex.factory:create``."""
    return ParadexClient(settings)


__all__ = ["ParadexClient", "create"]
