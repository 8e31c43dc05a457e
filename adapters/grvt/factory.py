"""The GRVT venue client and its factory: the kit's guarded facade over GRVT's market
data, account reads and trading.

:class:`GrvtClient` is :class:`~adapters.kit.facade.GuardedVenue` (the never-raising
public methods, the capability map) combined with
:class:`~adapters.grvt.execution.GrvtExecution`, which builds on
:class:`~adapters.grvt.account.GrvtAccount` and
:class:`~adapters.grvt.market_data.GrvtMarketData`. Settings and hosts:
:mod:`adapters.grvt.config`; transport, session and error codes: :mod:`adapters.grvt.http`
(login: :mod:`adapters.grvt.auth`); parsing (pure): :mod:`adapters.grvt.parsers` (the name
predates the kit).

Credentials: ``api_key``, ``sub_account_id``, ``private_key`` (the API key's signing
wallet); without them trading calls answer ``NotConfigured`` and market data works.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

import httpx
from returns.future import FutureResult

from adapters.client_config import Connectable, as_settings
from adapters.grvt.auth import GrvtAuth
from adapters.grvt.config import GrvtConfig, GrvtCredentials, GrvtOptions
from adapters.grvt.execution import GrvtExecution
from adapters.grvt.http import GrvtHttp
from adapters.grvt.parsers import InstrumentList, error_extractor
from adapters.grvt.parsing_margin_rules import MarginRules
from adapters.grvt.ticker_snapshot import ticker_snapshots
from adapters.kit import FeesFacade, GuardedVenue, JsonHttp, MarginFacade, TtlCache
from adapters.kit.facade import PreparedOrdersFacade
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import Order, Symbol
from atomic_fp.venue import TRADING_CAPABILITIES, Capability


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class GrvtClient(
    GrvtExecution, GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable
):
    """GRVT perpetuals over REST (see :mod:`adapters.grvt.config` for hosts and options,
    :mod:`adapters.grvt.http` for errors)."""

    WITH_CREDENTIALS = TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}
    CREDENTIALS_HINT = "credentials api_key, sub_account_id and private_key"

    def __init__(
        self,
        settings: GrvtConfig | VenueSettings,
        *,
        clock: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "grvt")
        super().__init__(settings.id)
        self._venue = settings.id.name
        self._credentials_given = bool(settings.credentials)
        self._options = GrvtOptions.read(settings)
        self._overrides = settings.symbol_overrides
        self._clock = clock
        client = httpx.AsyncClient(transport=settings.transport, timeout=settings.timeout)
        self._credentials = GrvtCredentials.read(settings.credentials)
        self._http = GrvtHttp(
            json=JsonHttp(
                self._venue,
                client,
                error_extractor=error_extractor,
                max_body_bytes=settings.max_response_bytes,
            ),
            market_url=self._options.market_url,
            trading_url=self._options.trading_url,
            auth=(
                GrvtAuth(
                    self._venue,
                    client,
                    self._options.auth_url,
                    self._credentials.api_key,
                    clock=clock,
                )
                if self._credentials is not None
                else None
            ),
        )
        self._instruments: TtlCache[InstrumentList] = TtlCache(
            self._options.instrument_ttl, monotonic=monotonic
        )
        self._monotonic = monotonic
        self._asked: set[Symbol] = set()
        self._rules: dict[str, TtlCache[MarginRules]] = {}
        self.last_funding_failures: Mapping[str, VenueError] = {}
        """Instruments whose ticker failed in the last ``fetch_funding_rates(None)``."""
        self._tickers = ticker_snapshots(
            self._options.ticker_stream, settings.ca_bundle, settings.timeout, monotonic
        )

    @property
    def hosts(self) -> tuple[str, str, str]:
        """(market data, trading, auth) base URLs in use."""
        return self._options.market_url, self._options.trading_url, self._options.auth_url

    @property
    def _chain_id(self) -> int:
        """The EIP-712 domain's chain id (the network's, or ``options["chain_id"]``)."""
        return self._options.chain_id

    def _has_credentials(self) -> bool:
        return self._credentials is not None

    def _secrets(self) -> tuple[str, ...]:
        if self._credentials is None:
            return ()
        return (self._credentials.api_key, self._credentials.private_key)

    def fetch_open_orders(self) -> FutureResult[tuple[Order, ...], VenueError]:
        """Open perpetual orders (carrying GRVT's numeric client order ids)."""
        return self._run(self._open_orders())

    async def aclose(self) -> None:
        if self._tickers is not None:
            await self._tickers.aclose()
        await self._http.aclose()


def create(settings: VenueSettings) -> GrvtClient:
    """Factory registered as ``adapters.grvt.factory:create``."""
    return GrvtClient(settings)


__all__ = ["GrvtClient", "create"]
