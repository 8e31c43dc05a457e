"""The GRVT venue client and its factory: the kit's guarded facade over GRVT's market
data, account reads and trading.

:class:`GrvtClient` is :class:`~adapters.kit.facade.GuardedVenue` combined with
:class:`~adapters.grvt.execution.GrvtExecution` (on :class:`~adapters.grvt.account.
GrvtAccount` and :class:`~adapters.grvt.market_data.GrvtMarketData`): mixins over this
client's state, not yet declared parts (:mod:`adapters.kit.components`). Settings and
hosts: :mod:`adapters.grvt.config`; transport, session and error codes:
:mod:`adapters.grvt.http`; parsing (pure): :mod:`adapters.grvt.parsers`.

Credentials: ``api_key``, ``sub_account_id``, ``private_key`` (the API key's signing
wallet); without them trading calls answer ``NotConfigured`` and market data works.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from returns.future import FutureResult

from adapters.client_config import Connectable, as_settings
from adapters.grvt.config import GrvtConfig, GrvtCredentials, GrvtOptions
from adapters.grvt.execution import GrvtExecution
from adapters.grvt.http import GrvtHttp
from adapters.grvt.parsers import InstrumentList
from adapters.grvt.ticker_snapshot import ticker_snapshots
from adapters.kit import FeesFacade, GuardedVenue, MarginFacade, TtlCache
from adapters.kit.facade import PreparedOrdersFacade
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import Order, Symbol
from atomic_fp.venue import TRADING_CAPABILITIES, Capability

if TYPE_CHECKING:
    from adapters.grvt.parsing_margin_rules import MarginRules


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
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "grvt")
        super().__init__(settings.id)
        self._venue = settings.id.name
        self._credentials_given = bool(settings.credentials)
        self._options = GrvtOptions.read(settings)
        self._overrides = settings.symbol_overrides
        self._clock = clock
        self._credentials = GrvtCredentials.read(settings.credentials)
        self._http = GrvtHttp.build(settings, self._options, self._credentials, clock)
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
        keys = self._credentials
        return () if keys is None else (keys.api_key, keys.private_key)

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
