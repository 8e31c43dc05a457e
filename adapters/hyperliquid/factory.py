"""``HyperliquidClient`` (the seed-style client class) and ``create(settings)``.

Declared on the venue kit (:class:`~adapters.kit.components.DeclaredVenue`) from
:class:`~adapters.hyperliquid.http.HyperliquidHttp` (``/info``, signed ``/exchange``),
:class:`~adapters.hyperliquid.market_data.HyperliquidMarketData` and
:class:`~adapters.hyperliquid.execution.HyperliquidExecution`. Every capability is offered
(credentials are always declared): each call that needs a credential says which one is
missing (positions need only ``account_address``; orders the agent key too).

Settings: ``base_url`` (default mainnet ``https://api.hyperliquid.xyz``; testnet
``https://api.hyperliquid-testnet.xyz``), ``credentials["account_address"]`` (the master
account) and ``credentials["agent_private_key"]``, ``options["network"]``,
``options["meta_ttl_seconds"]`` (see :class:`~adapters.hyperliquid.config.
HyperliquidOptions`), ``timeout`` and ``transport``. Time (funding ``observed_at``, order
deadlines) comes from the ``clock`` argument, else ``settings.clock``, else the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from returns.future import FutureResult
from returns.result import Result

from adapters.client_config import Connectable, as_settings
from adapters.hyperliquid.config import HyperliquidConfig, HyperliquidOptions
from adapters.hyperliquid.http import HyperliquidHttp
from adapters.hyperliquid.market_data import HyperliquidMarketData
from adapters.kit.components import AccountOrPublishedFees, DeclaredVenue, Secrets, VenueParts
from adapters.kit.facade import FeesFacade, MarginFacade, PreparedOrdersFacade
from adapters.kit.http import RetryPolicy
from adapters.kit.lazy_part import Lazy
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

if TYPE_CHECKING:
    import httpx

    # built on first use: a scan never imports it (issue 20)
    from adapters.hyperliquid.execution import HyperliquidExecution
    from adapters.hyperliquid.signing import AgentSigner, NonceSource

Clock = Callable[[], datetime]


class HyperliquidClient(DeclaredVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """A :class:`~atomic_fp.venue.VenueClient` for one Hyperliquid account."""

    CREDENTIALS_LABEL = "credentials as configured"

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
        self._settings = settings
        options = HyperliquidOptions.read(settings.base_url, settings.options)
        now: Clock = clock or settings.clock or (lambda: datetime.now(timezone.utc))
        http = HyperliquidHttp(
            settings, options, http_client=http_client, nonces=nonces, retry=retry
        )
        data = HyperliquidMarketData(
            http, settings.id, settings.symbol_overrides, now, options.meta_ttl
        )
        self._http = http
        self._predicted = data.predicted

        def build_execution() -> HyperliquidExecution:
            from adapters.hyperliquid.execution import HyperliquidExecution

            return HyperliquidExecution(http, data, settings.id, now)

        execution = Lazy(build_execution)
        secrets = Secrets.of(settings.credentials.get("agent_private_key"))
        # without an address the execution's fetch_fees answers the published tier and
        # nothing else (HyperliquidExecution.fetch_fees): the same answer, without building it
        fees = execution if http.has_address() else AccountOrPublishedFees("hyperliquid", None)
        parts = VenueParts(http, data, http.base, execution, execution, fees, secrets)
        super().__init__(settings, parts)

    @property
    def mainnet(self) -> bool:
        return self._http.mainnet

    @property
    def _nonces(self) -> NonceSource | None:
        """The agent's nonce source (clients of one agent share it)."""
        return self._http.nonces

    def _agent(self) -> Result[AgentSigner, VenueError]:
        return self._http.agent()

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
        return self._run(self._predicted(symbols, source, exchange))


def create(settings: VenueSettings) -> HyperliquidClient:
    """Registry factory (``adapters.hyperliquid.factory:create``)."""
    return HyperliquidClient(settings)


__all__ = ["HyperliquidClient", "create"]
