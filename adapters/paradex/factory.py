"""``ParadexClient``: the :class:`~atomic_fp.venue.VenueClient` for Paradex perpetuals
(public market data), and its registry factory ``create``.

Declared on the venue kit (:class:`~adapters.kit.components.DeclaredVenue`) with a market
data part only (:mod:`~adapters.paradex.market_data`), so it has the market-data
capabilities and nothing routes an order to it.

``settings.options`` (all optional, strings): ``markets_ttl_seconds`` (600),
``max_budget_wait_seconds`` (5), ``public_requests_per_second`` (20).

Not built yet: positions, balances and trading (a JWT from ``POST /auth`` and Starknet
typed-data order signatures through the official ``paradex-py``). Its order deadline for
the validity-window rule would be the order's signature expiry (``signature_timestamp``;
Paradex's ``recv_window`` defaults to 5 min per docs.paradex.trade/trading/receive-window,
other copies say 1 h: UNCONFIRMED).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from adapters.client_config import Connectable, as_settings
from adapters.kit.components import DeclaredVenue, VenueParts
from adapters.kit.options import positive_number
from adapters.paradex.config import DEFAULT_BASE_URL, KIND, ParadexConfig
from adapters.paradex.http import ParadexHttp
from adapters.paradex.market_data import ParadexMarketData
from adapters.registry import VenueSettings


class ParadexClient(DeclaredVenue, Connectable):
    """Paradex public market data; see the module docstring."""

    def __init__(
        self,
        settings: ParadexConfig | VenueSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        number = functools.partial(positive_number, settings.options, KIND)
        base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        http = ParadexHttp(
            str(settings.id),
            base_url,
            transport=settings.transport,
            timeout=settings.timeout,
            max_body_bytes=settings.max_response_bytes,
            monotonic=monotonic,
            max_budget_wait=number("max_budget_wait_seconds", 5.0),
            requests_per_second=number("public_requests_per_second", 20.0),
        )
        data = ParadexMarketData(
            http,
            settings.id,
            settings.symbol_overrides,
            monotonic=monotonic,
            markets_ttl=number("markets_ttl_seconds", 600.0),
        )
        super().__init__(settings, VenueParts(http, data, base_url))


def create(settings: VenueSettings) -> ParadexClient:
    """Venue factory registered as ``adapters.paradex.factory:create``."""
    return ParadexClient(settings)


__all__ = ["ParadexClient", "create"]
