"""``BinanceClient`` (the seed-style client class) and ``create(settings)``, its factory.

Declared on the venue kit (:class:`~adapters.kit.components.DeclaredVenue`: public,
never-raising methods; capability map) from :class:`~adapters.binance.http.BinanceHttp`
(transport, budgets, auth), :class:`~adapters.binance.market_data.BinanceMarketData` and
:class:`~adapters.binance.execution.BinanceExecution` (account, fees, orders). Base URL:
``settings.base_url``, default ``https://fapi.binance.com``; the futures testnet is
``https://testnet.binancefuture.com`` (the "demo" environment is
``https://demo-fapi.binance.com``; binance-connector-python ``common/constants.py``); its
keys are separate from mainnet keys. ``settings.transport`` replaces the network (tests,
offline snapshot replay); ``settings.timeout`` bounds every request.

Not covered: hedge mode (positions fail with NotSupported), algo (conditional) orders,
leverage and margin-type changes, COIN-M. Websocket streams live in ``stream.py`` and
``account_stream.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from returns.future import FutureResult

from adapters.binance.config import BinanceConfig, BinanceOptions
from adapters.binance.http import BinanceHttp, FundingLimitedReads
from adapters.binance.market_data import BinanceMarketData
from adapters.binance.parsers import SymbolMap
from adapters.client_config import Connectable, as_settings
from adapters.kit.components import AccountOrPublishedFees, DeclaredVenue, Secrets, VenueParts
from adapters.kit.facade import FeesFacade, MarginFacade, PreparedOrdersFacade
from adapters.kit.lazy_part import Lazy
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import Order, Symbol

if TYPE_CHECKING:  # built on first use: a scan never imports it (issue 20)
    from returns.result import Result

    from adapters.binance.execution import BinanceExecution


class BinanceClient(DeclaredVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """One Binance USDⓈ-M account. ``settings.options``: see
    :class:`~adapters.binance.config.BinanceOptions`."""

    CREDENTIALS_HINT = "credentials api_key and api_secret"

    def __init__(
        self,
        settings: BinanceConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, "binance")
        options = BinanceOptions.read(settings.options)
        http = BinanceHttp(settings, options, clock=clock, monotonic=monotonic)
        data = BinanceMarketData(
            http,
            settings.id,
            SymbolMap(overrides=dict(settings.symbol_overrides), quotes=options.quotes),
            funding_reads=FundingLimitedReads(http),
            funding_info_ttl=options.funding_info_ttl_seconds,
            markets_ttl=options.markets_ttl_seconds,
            monotonic=monotonic,
        )

        def build_execution() -> BinanceExecution:
            from adapters.binance.execution import BinanceExecution

            return BinanceExecution(http, data, settings.id, clock)

        execution = self._execution_part = Lazy(build_execution)
        self._http = http
        secrets = Secrets.of(*http.secrets()) if http.credentials else None
        # without keys the execution's fetch_fees answers the published tier and nothing
        # else (FuturesExecution.fetch_fees, not keyed): the same answer, without building it
        fees = execution if http.keyed else AccountOrPublishedFees("binance", None)
        parts = VenueParts(http, data, http.base_url, execution, execution, fees, secrets)
        super().__init__(settings, parts)

    def fetch_open_orders(
        self, symbol: Symbol | None = None
    ) -> FutureResult[tuple[Order, ...], VenueError]:
        """Open orders of one symbol, or of all (weight 40) when ``symbol`` is None."""
        return self._run(self._open_orders(symbol))

    async def _open_orders(self, symbol: Symbol | None) -> Result[tuple[Order, ...], VenueError]:
        # the part is built inside the awaited call, so a failed build is a value (_run)
        return await self._execution_part.get().open_orders(symbol)


def create(settings: VenueSettings) -> BinanceClient:
    """Venue factory registered as ``adapters.binance.factory:create``."""
    return BinanceClient(settings)


__all__ = ["BinanceClient", "create"]
