"""Bybit v5 venue client (linear USDT perpetuals, REST over httpx), declared on the venue
kit (:class:`~adapters.kit.components.DeclaredVenue`) from :mod:`adapters.bybit.http`,
:mod:`adapters.bybit.market_data` and :mod:`adapters.bybit.execution` (account reads,
fees and orders), and the registry factory ``create``.

Base URL: ``settings.base_url``, default ``https://api.bybit.com`` (alt
``https://api.bytick.com``; testnet ``https://api-testnet.bybit.com``, separate keys).
``settings.transport`` replaces the network (tests, offline replay). Fees: the account's
(``GET /v5/account/fee-rate``) with credentials, else the published non-VIP tier.

Not covered: hedge mode (positions fail with NotSupported), classic (non-unified)
accounts, USDC perpetuals and dated futures, conditional orders, leverage changes, the
private (account) websocket; the public ticker stream is :mod:`adapters.bybit.stream`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from adapters.bybit.config import DEFAULT_BASE_URL, BybitConfig, BybitOptions
from adapters.bybit.http import BybitHttp
from adapters.bybit.market_data import BybitMarketData
from adapters.bybit.parsing_account import SymbolLookup
from adapters.bybit.signing import Credentials
from adapters.client_config import Connectable, as_settings
from adapters.kit import FeesFacade, MarginFacade, PreparedOrdersFacade, RequestBudget
from adapters.kit.components import AccountOrPublishedFees, DeclaredVenue, Secrets, VenueParts
from adapters.kit.lazy_part import Lazy
from adapters.registry import VenueSettings

if TYPE_CHECKING:  # built on first use: a scan never imports it (issue 20)
    from adapters.bybit.execution import BybitExecution


class BybitClient(DeclaredVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """One Bybit unified trading account. ``settings.options``:
    :class:`~adapters.bybit.config.BybitOptions` (any other option is a configuration error)."""

    CREDENTIALS_HINT = "credentials api_key and api_secret"

    def __init__(
        self,
        settings: BybitConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "bybit")
        options = BybitOptions.read(settings.options)
        base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        keys = Credentials.from_settings(settings.credentials)
        overrides = dict(settings.symbol_overrides)
        window = options.requests_per_5s, 5.0, options.max_budget_wait_seconds
        http = BybitHttp(
            str(settings.id),
            httpx.AsyncClient(
                base_url=base_url,
                transport=settings.transport,
                timeout=httpx.Timeout(settings.timeout),
                headers={"Accept": "application/json"},
            ),
            keys,
            recv_window_ms=options.recv_window_ms,
            time_sync_seconds=options.time_sync_seconds,
            max_body_bytes=settings.max_response_bytes,
            budget=RequestBudget("ip-requests", *window, monotonic),
            clock=clock,
            monotonic=monotonic,
        )
        data = BybitMarketData(
            settings.id,
            http,
            overrides,
            markets_ttl_seconds=options.markets_ttl_seconds,
            monotonic=monotonic,
        )
        lookup = lambda: SymbolLookup(data.by_venue_symbol, overrides)  # noqa: E731

        def build_execution() -> BybitExecution:
            from adapters.bybit.execution import BybitExecution

            return BybitExecution(settings.id, http, data, lookup, clock)

        execution = Lazy(build_execution)
        secrets = Secrets.of(keys.api_secret, keys.api_key) if keys else None
        # without keys the execution's fetch_fees answers the published tier and nothing
        # else (BybitExecution.fetch_fees): the same answer, without building it
        fees = execution if keys else AccountOrPublishedFees("bybit", None)
        parts = VenueParts(http, data, base_url, execution, execution, fees, secrets)
        super().__init__(settings, parts)


def create(settings: VenueSettings) -> BybitClient:
    """Venue factory registered as ``adapters.bybit.factory:create``."""
    return BybitClient(settings)


__all__ = ["DEFAULT_BASE_URL", "BybitClient", "create"]
