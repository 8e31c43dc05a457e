"""``OkxClient``: the :class:`~atomic_fp.venue.VenueClient` for one OKX v5 account
(USDT-margined linear swaps, ``instType=SWAP``), and its registry factory ``create``.

A thin facade on the venue kit's :class:`~adapters.kit.facade.GuardedVenue` (never
raising; the key, secret, passphrase and base64 signatures scrubbed from every message). The
work lives in :mod:`~adapters.okx.market_data` (public) and :mod:`~adapters.okx.execution`
(signed), over one :class:`~adapters.okx.http.OkxHttp`.

``settings.options`` (all optional, strings): ``markets_ttl_seconds`` (600),
``time_sync_seconds`` (600), ``td_mode`` (``cross`` | ``isolated``), ``simulated``
(``true``: OKX demo trading, header ``x-simulated-trading: 1``).

Not covered: long/short position mode (orders carry no ``posSide``), algo orders,
leverage changes, inverse and USDC swaps, a client-side request budget (an HTTP 429 /
``50011`` is :class:`RateLimited` with its ``Retry-After``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timezone
from typing import TypeVar

from returns.result import Result, Success

from adapters.client_config import Connectable, as_settings
from adapters.kit import FeesFacade, GuardedVenue, MarginFacade, PreparedOrdersFacade
from adapters.okx.config import DEFAULT_BASE_URL, KIND, OkxConfig
from adapters.okx.execution import OkxExecution
from adapters.okx.http import OkxHttp
from adapters.okx.market_data import OkxMarketData
from adapters.okx.orders import TD_MODES
from adapters.okx.signing import Credentials
from adapters.published_fees import account_or_published
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
from atomic_fp.venue import TRADING_CAPABILITIES, Capability, PreparedOrder

T = TypeVar("T")


def _seconds(options: Mapping[str, str], key: str, default: float) -> float:
    raw = options.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"okx option {key}={raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"okx option {key}={raw!r} must be > 0")
    return value


def _flag(options: Mapping[str, str], key: str) -> bool:
    raw = options.get(key, "false").strip().lower()
    if raw not in ("true", "false"):
        raise ValueError(f"okx option {key}={raw!r} must be true or false")
    return raw == "true"


class OkxClient(GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """One OKX account; see the module docstring. The public, never-raising members and
    the capability map come from :class:`~adapters.kit.facade.GuardedVenue`."""

    WITH_CREDENTIALS = TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}
    CREDENTIALS_HINT = "credentials api_key, api_secret and passphrase"

    def __init__(
        self,
        settings: OkxConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        super().__init__(settings.id)
        options = settings.options
        self._credentials_given = bool(settings.credentials)
        self._base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        td_mode = options.get("td_mode", "cross")
        if td_mode not in TD_MODES:
            raise ValueError(f"okx option td_mode={td_mode!r} must be cross or isolated")
        now_source = settings.clock
        self._now: Callable[[], datetime] = (
            now_source
            if now_source is not None
            else (lambda: datetime.fromtimestamp(clock(), tz=timezone.utc))
        )
        self._http = OkxHttp(
            self._venue,
            self._base_url,
            transport=settings.transport,
            timeout=settings.timeout,
            max_body_bytes=settings.max_response_bytes,
            credentials=Credentials.from_settings(settings.credentials),
            clock=clock,
            monotonic=monotonic,
            simulated=_flag(options, "simulated"),
            time_sync_seconds=_seconds(options, "time_sync_seconds", 600.0),
            max_budget_wait=_seconds(options, "max_budget_wait_seconds", 5.0),
            requests_per_2s=(
                _seconds(options, "public_requests_per_2s", 10.0),
                _seconds(options, "private_requests_per_2s", 10.0),
            ),
        )
        self._data = OkxMarketData(
            self._http,
            self._exchange,
            settings.symbol_overrides,
            now=self._now,
            monotonic=monotonic,
            markets_ttl=_seconds(options, "markets_ttl_seconds", 600.0),
        )
        self._execution = OkxExecution(
            self._http, self._data, self._exchange, now=self._now, td_mode=td_mode
        )

    def __repr__(self) -> str:
        trading = "with credentials" if self._http.credentials else "market data only"
        return f"OkxClient({self._venue}, {self._base_url}, {trading})"

    def _has_credentials(self) -> bool:
        return self._http.credentials is not None

    def _secrets(self) -> Sequence[str]:
        credentials = self._http.credentials
        return credentials.secrets if credentials is not None else ()

    def _scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        """The kit's scrub, then OKX's own: base64 signatures and the passphrase."""
        return self._http.scrub(super()._scrub(error, extra), extra)

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ market data

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
        """The account's rates (``GET /api/v5/account/trade-fee``) with credentials, else
        (or when that fails) OKX's published Lv1 tier (:mod:`adapters.published_fees`)."""
        if self._http.credentials is None:
            return Success(account_or_published(KIND, None))
        return Success(account_or_published(KIND, await self._execution.fetch_account_fees()))

    # ------------------------------------------------------------------ account

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return await self._execution.fetch_positions()

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return await self._execution.fetch_balances()

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        return await self._execution.fetch_margin()

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return await self._execution.place_order(request)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        return await self._execution.prepare_order(request)

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        return await self._execution.send_prepared(prepared)

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        return await self._execution.cancel_order(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return await self._execution.fetch_order(symbol, client_order_id)

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return await self._execution.fetch_funding_payments(start, end)


def create(settings: VenueSettings) -> OkxClient:
    """Venue factory registered as ``adapters.okx.factory:create``."""
    return OkxClient(settings)


__all__ = ["OkxClient", "create"]
