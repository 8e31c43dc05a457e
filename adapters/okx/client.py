"""``OkxClient``: the :class:`~atomic_fp.venue.VenueClient` for one OKX v5 account
(USDT-margined linear swaps, ``instType=SWAP``), and its registry factory ``create``.

A thin, never-raising facade: every call runs through :func:`adapters._future.guarded`
and a scrub that keeps the key, secret, passphrase and signatures out of messages. The
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
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import datetime, timezone
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import guarded
from adapters.client_config import Connectable, as_settings
from adapters.okx.config import DEFAULT_BASE_URL, KIND, OkxConfig
from adapters.okx.execution import OkxExecution
from adapters.okx.http import OkxHttp
from adapters.okx.market_data import OkxMarketData
from adapters.okx.orders import TD_MODES
from adapters.okx.signing import Credentials
from adapters.published_fees import account_or_published
from adapters.registry import VenueSettings
from atomic_fp.errors import MalformedResponse, VenueError
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
from atomic_fp.venue import PUBLIC_CAPABILITIES, TRADING_CAPABILITIES, Capability

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


class OkxClient(Connectable):
    """One OKX account; see the module docstring."""

    def __init__(
        self,
        settings: OkxConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        options = settings.options
        self._credentials_given = bool(settings.credentials)
        self._exchange = settings.id
        self._venue = str(settings.id)
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

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        if self._http.credentials is None:
            return PUBLIC_CAPABILITIES
        return PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ market data

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return self._run(self._data.fetch_markets())

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._data.fetch_funding_rates(symbols))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return self._run(self._data.fetch_order_book(symbol, depth))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return self._run(self._data.fetch_funding_history(symbol, start, end))

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """OKX's published base tier (see :mod:`adapters.published_fees`); the account's
        own rates (``GET /api/v5/account/trade-fee``) are not read yet."""
        return self._run(self._published_fees())

    async def _published_fees(self) -> Result[FeeQuote, VenueError]:
        return Success(account_or_published(KIND, None))

    # ------------------------------------------------------------------ account

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return self._run(self._execution.fetch_positions())

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return self._run(self._execution.fetch_balances())

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        return self._run(self._execution.fetch_margin())

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return self._run(self._execution.place_order(request))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._run(self._execution.cancel_order(symbol, client_order_id))

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return self._run(self._execution.fetch_order(symbol, client_order_id))

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return self._run(self._execution.fetch_funding_payments(start, end))

    # ------------------------------------------------------------------ plumbing

    def _run(self, work: Awaitable[Result[T, VenueError]]) -> FutureResult[T, VenueError]:
        return guarded(self._venue, self._contained(work))

    async def _contained(self, work: Awaitable[Result[T, VenueError]]) -> Result[T, VenueError]:
        """Await ``work``; scrub secrets from a failure; a stray exception becomes an
        error naming only its type (its text might hold a URL or a header)."""
        try:
            result = await work
        except Exception as error:
            return Failure(
                MalformedResponse(self._venue, f"internal error: {type(error).__name__}")
            )
        if isinstance(result, Failure):
            return Failure(self._http.scrub(result.failure()))
        return result


def create(settings: VenueSettings) -> OkxClient:
    """Venue factory registered as ``adapters.okx.client:create``."""
    return OkxClient(settings)


__all__ = ["OkxClient", "create"]
