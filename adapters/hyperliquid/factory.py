"""``HyperliquidClient`` (the seed-style client class) and ``create(settings)``.

The client is the kit's :class:`~adapters.kit.facade.GuardedVenue` (public, never-raising
methods; capability map) over :class:`~adapters.hyperliquid.http.HyperliquidHttp`
(``/info``, signed ``/exchange``), :class:`~adapters.hyperliquid.market_data.
HyperliquidMarketData` and :class:`~adapters.hyperliquid.execution.HyperliquidExecution`.

Settings: ``base_url`` (default mainnet ``https://api.hyperliquid.xyz``; testnet
``https://api.hyperliquid-testnet.xyz``), ``credentials["account_address"]`` (the master
account) and ``credentials["agent_private_key"]``, ``options["network"]``,
``options["meta_ttl_seconds"]`` (see :class:`~adapters.hyperliquid.config.
HyperliquidOptions`), ``timeout`` and ``transport``. Time (funding ``observed_at``, order
deadlines) comes from the ``clock`` argument, else ``settings.clock``, else the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from returns.future import FutureResult
from returns.result import Result

from adapters.client_config import Connectable, as_settings
from adapters.hyperliquid.config import HyperliquidConfig, HyperliquidOptions
from adapters.hyperliquid.execution import HyperliquidExecution
from adapters.hyperliquid.http import HyperliquidHttp
from adapters.hyperliquid.market_data import HyperliquidMarketData
from adapters.hyperliquid.signing import AgentSigner, NonceSource
from adapters.kit.facade import FeesFacade, GuardedVenue, MarginFacade, PreparedOrdersFacade
from adapters.kit.http import RetryPolicy
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
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import (
    PUBLIC_CAPABILITIES,
    TRADING_CAPABILITIES,
    Capability,
    PreparedOrder,
)

if TYPE_CHECKING:
    import httpx

Clock = Callable[[], datetime]


def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


class HyperliquidClient(GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """A :class:`~atomic_fp.venue.VenueClient` for one Hyperliquid account."""

    PUBLIC: ClassVar[frozenset[Capability]] = (
        PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}
    )
    """Everything is offered; calls that need credentials say which are missing."""

    def __init__(
        self,
        settings: HyperliquidConfig | VenueSettings,
        *,
        clock: Clock | None = None,
        http_client: httpx.AsyncClient | None = None,
        nonces: NonceSource | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        settings = as_settings(settings, "hyperliquid")
        super().__init__(settings.id)
        self._credentials_given = bool(settings.credentials)
        self._settings = settings
        options = HyperliquidOptions.read(settings.base_url, settings.options)
        self._clock: Clock = clock or settings.clock or _wall_clock
        self._transport = HyperliquidHttp(
            settings, options, http_client=http_client, nonces=nonces, retry=retry
        )
        self._http = self._transport.json
        self._data = HyperliquidMarketData(
            self._transport,
            self._exchange,
            settings.symbol_overrides,
            self._clock,
            options.meta_ttl,
        )
        self._trading = HyperliquidExecution(
            self._transport, self._data, self._exchange, self._clock
        )

    @property
    def mainnet(self) -> bool:
        return self._transport.mainnet

    def _secrets(self) -> Sequence[str]:
        key = self._settings.credentials.get("agent_private_key")
        return (key,) if key else ()

    @property
    def _nonces(self) -> NonceSource | None:
        """The agent's nonce source (clients of one agent share it)."""
        return self._transport.nonces

    def _agent(self) -> Result[AgentSigner, VenueError]:
        return self._transport.agent()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def fetch_predicted_funding_rates(
        self,
        symbols: Collection[Symbol] | None = None,
        *,
        source: str = "HlPerp",
        exchange: ExchangeIdentifier | None = None,
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        """Predicted next funding from ``predictedFundings``: Hyperliquid's own (``HlPerp``),
        or with ``source="BinPerp"``/``"BybitPerp"`` Hyperliquid's prediction for Binance's
        or Bybit's next settlement, as rates of ``exchange`` (that venue's id)."""
        return self._run(self._data.predicted(symbols, source, exchange))

    # ------------------------------------------------------------------ the kit's hooks

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return await self._data.markets()

    async def _fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.funding_rates(symbols)

    async def _fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return await self._data.book(symbol, depth)

    async def _fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return await self._data.history(symbol, start, end)

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        """The account's rates (``userFees``) when the master address is configured, else
        (or when that fails) the published tier 0 (:mod:`adapters.published_fees`)."""
        return await self._trading.fees()

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return await self._trading.positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await self._trading.balances()

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """The same ``clearinghouseState`` (see ``hyperliquid/margin.py``)."""
        return await self._trading.margin()

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await self._trading.place(request)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        return await self._trading.prepare(request)

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        return await self._trading.send_prepared(prepared)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return await self._trading.cancel(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._trading.order(symbol, client_order_id)

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return await self._trading.payments(start, end)


def create(settings: VenueSettings) -> HyperliquidClient:
    """Registry factory (``adapters.hyperliquid.factory:create``)."""
    return HyperliquidClient(settings)


__all__ = ["HyperliquidClient", "create"]
