"""The Lighter venue client (zkLighter perps) and its factory: the kit's guarded facade
(:class:`~adapters.kit.facade.GuardedVenue`) combined with
:class:`~adapters.lighter.execution.LighterExecution` (on ``account.py`` and
``market_data.py``): mixins over this client's state, not yet declared parts
(:mod:`adapters.kit.components`). Transport and auth: :mod:`adapters.lighter.http`.

Credentials: ``account_index`` (positions, balances), plus ``api_key_index`` and
``api_private_key`` for trading, which also needs the ``lighter`` extra (lighter-sdk's
native signer, :mod:`adapters.lighter.signer`). Options: ``requests_per_minute`` (60),
``budget_max_wait_seconds`` (10), ``ws_max_age_seconds`` (30), ``market_ttl_seconds``
(300). Mark prices and live funding come from :attr:`LighterClient.feed`, which the
*caller* runs in its own task group: ``await tg.start(client.feed.run)``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from returns.result import Failure, Result

from adapters.client_config import Connectable, as_settings
from adapters.kit import FeesFacade, GuardedVenue, JsonHttp, MarginFacade, RequestBudget, TtlCache
from adapters.kit.facade import PreparedOrdersFacade
from adapters.lighter.config import DEFAULT_BASE_URL, LighterConfig, credential_int, option_float
from adapters.lighter.execution import LighterExecution
from adapters.lighter.http import AuthTokens, LighterHttp
from adapters.lighter.parsers import LighterMarket
from adapters.registry import VenueSettings
from atomic_fp.errors import NotConfigured, NotSupported, VenueError
from atomic_fp.models import FundingPayment, Order
from atomic_fp.venue import Capability

if TYPE_CHECKING:
    from adapters.lighter.nonces import NonceBook
    from adapters.lighter.signer import LighterSigner
    from adapters.lighter.ws import MarketStatsFeed

Clock = Callable[[], datetime]
ACCOUNT_CAPABILITIES = frozenset({Capability.POSITIONS, Capability.BALANCES})
"""With ``account_index``: Lighter's account reads are public."""
ORDER_CAPABILITIES = frozenset(
    {Capability.PLACE_ORDER, Capability.CANCEL_ORDER, Capability.ORDER_STATUS}
)
"""With an API key and a signer."""


class LighterClient(
    LighterExecution, GuardedVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable
):
    """A Lighter account: ``LighterClient(LighterConfig(account_index=...))`` (or the
    registry's ``VenueSettings``). ``signer``, ``clock`` and ``monotonic`` replace the SDK
    signer and the clocks (tests); ``clock`` (else ``settings.clock``, else the wall clock)
    stamps observations that carry no venue timestamp (the offline snapshot sets it)."""

    WITH_CREDENTIALS = ACCOUNT_CAPABILITIES | ORDER_CAPABILITIES

    def __init__(
        self,
        config: LighterConfig | VenueSettings,
        *,
        signer: LighterSigner | None = None,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(config, "lighter")
        super().__init__(settings.id)
        self.clock = clock or settings.clock or (lambda: datetime.now(timezone.utc))
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self._http = LighterHttp.build(settings, self.base_url, monotonic)
        self._feed: MarketStatsFeed | None = None
        self._feed_settings = (settings.ws_url, self.clock, settings.ca_bundle)
        self.overrides = settings.symbol_overrides
        seconds = functools.partial(option_float, settings.options)
        self.ws_max_age = timedelta(seconds=seconds("ws_max_age_seconds", 30.0))
        self.market_ttl = timedelta(seconds=seconds("market_ttl_seconds", 300.0))
        # the market list ages on the client's clock (tests and the snapshot move it)
        self._markets: TtlCache[tuple[LighterMarket, ...]] = TtlCache(
            self.market_ttl.total_seconds(), monotonic=lambda: self.clock().timestamp()
        )
        credentials = settings.credentials
        self.account_index = credential_int(credentials, "account_index")
        self.api_key_index = credential_int(credentials, "api_key_index")
        self.api_private_key = credentials.get("api_private_key") or None
        self.signer = signer
        self.signer_loader: Callable[[], Result[LighterSigner, NotConfigured]] | None = None
        self.acceptance_window = timedelta(seconds=30)
        self._signer_failure = None
        self._nonces: NonceBook | None = None
        self._auth = AuthTokens(self._venue)
        self._accepted: dict[int, Order] = {}
        self._credentials_given = bool(settings.credentials)

    @property
    def feed(self) -> MarketStatsFeed:
        """Lighter's ``market_stats`` stream (mark prices, live funding), for the caller to
        run: built on first use, with the URL, clock and CA bundle the client was given.
        Until then the client reads no stream price, as from a feed that never ran, and
        the stream modules are not imported (issue 20: ``scan`` never runs the feed)."""
        if self._feed is None:
            from adapters.lighter.ws import DEFAULT_WS_URL, MarketStatsFeed

            url, clock, ca_bundle = self._feed_settings
            self._feed = MarketStatsFeed(
                url=url or DEFAULT_WS_URL, clock=clock, ca_bundle=ca_bundle
            )
        return self._feed

    @feed.setter
    def feed(self, feed: MarketStatsFeed) -> None:
        self._feed = feed

    def __repr__(self) -> str:  # never the key
        return f"LighterClient(exchange={self._venue!r}, base_url={self.base_url!r})"

    @property
    def budget(self) -> RequestBudget:
        return self._http.budget

    @property
    def http(self) -> JsonHttp:
        return self._http.json

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Public data always; account reads with ``account_index``; orders with a signer."""
        caps = set(self.PUBLIC)
        if self.account_index is not None:
            caps |= ACCOUNT_CAPABILITIES
        if self._trading_configured():
            caps |= ORDER_CAPABILITIES
        return frozenset(caps)

    def _has_credentials(self) -> bool:
        return self.account_index is not None

    def _secrets(self) -> tuple[str, ...]:
        return (self.api_private_key,) if self.api_private_key else ()

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        what = "funding payments (positionFunding needs auth)"
        return Failure(NotSupported(self._venue, f"{what} is not supported by this venue client"))

    async def aclose(self) -> None:
        await self._http.aclose()


def create(
    settings: VenueSettings,
    *,
    signer: LighterSigner | None = None,
    clock: Clock | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> LighterClient:
    """Build a :class:`LighterClient` from settings (the registry's factory)."""
    return LighterClient(settings, signer=signer, clock=clock, monotonic=monotonic)


__all__ = ["LighterClient", "create"]
