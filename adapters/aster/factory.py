"""``AsterClient`` (Aster perpetuals, futures API v3) and ``create(settings)``, its factory.

Declared on the venue kit (:class:`~adapters.kit.components.DeclaredVenue`) from
:class:`~adapters.aster.http.AsterHttp` (transport, budget, v3 API-wallet signing),
:class:`~adapters.aster.market_data.AsterMarketData` and
:class:`~adapters.aster.execution.AsterExecution`. Base URL: ``settings.base_url``, default
``https://fapi.asterdex.com`` (testnet ``https://fapi.asterdex-testnet.com`` with option
``chain_id = "714"``). ``settings.transport`` replaces the network (tests, offline replay).

Not covered: the v1 HMAC keys (no new ones are issued since 2026-03-25, research notes F),
hedge mode. Market streams: :mod:`adapters.aster.stream`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from adapters.aster.config import AsterConfig, AsterOptions
from adapters.aster.execution import AsterExecution
from adapters.aster.http import AsterHttp
from adapters.aster.market_data import AsterMarketData
from adapters.binance.parsers import SymbolMap
from adapters.client_config import Connectable, as_settings
from adapters.kit.components import DeclaredVenue, Secrets, VenueParts
from adapters.kit.facade import FeesFacade, MarginFacade, PreparedOrdersFacade
from adapters.registry import VenueSettings


class AsterClient(DeclaredVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """One Aster account (API wallet). ``settings.options``: see
    :class:`~adapters.aster.config.AsterOptions`."""

    CREDENTIALS_HINT = "credentials user, signer and private_key"
    CREDENTIALS_LABEL = "with API wallet"

    def __init__(
        self,
        settings: AsterConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "aster")
        options = AsterOptions.read(settings.options)
        http = AsterHttp(settings, options, clock=clock, monotonic=monotonic)
        data = AsterMarketData(
            http,
            settings.id,
            SymbolMap(overrides=dict(settings.symbol_overrides), quotes=options.quotes),
            funding_reads=http,
            funding_info_ttl=options.funding_info_ttl_seconds,
            markets_ttl=options.markets_ttl_seconds,
            monotonic=monotonic,
        )
        execution = AsterExecution(http, data, settings.id, clock)
        secrets = Secrets.of(*http.secrets()) if http.wallet is not None else None
        parts = VenueParts(http, data, http.base_url, execution, execution, execution, secrets)
        super().__init__(settings, parts)


def create(settings: VenueSettings) -> AsterClient:
    """Venue factory registered as ``adapters.aster.factory:create``."""
    return AsterClient(settings)


__all__ = ["AsterClient", "create"]
