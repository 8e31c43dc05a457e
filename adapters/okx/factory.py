"""``OkxClient``: the :class:`~atomic_fp.venue.VenueClient` for one OKX v5 account
(USDT-margined linear swaps, ``instType=SWAP``), and its registry factory ``create``.

Declared on the venue kit (:class:`~adapters.kit.components.DeclaredVenue`: never raising;
the key, secret, passphrase and, through :meth:`OkxHttp.scrub`, base64 signatures masked in
every message) from :mod:`~adapters.okx.market_data` (public) and
:mod:`~adapters.okx.execution` (signed) over one :class:`~adapters.okx.http.OkxHttp`.
Fees: the account's (``GET /api/v5/account/trade-fee``) with credentials, else (or when
that fails) OKX's published Lv1 tier (:mod:`adapters.published_fees`).

``settings.options`` (all optional, strings): ``markets_ttl_seconds`` (600),
``time_sync_seconds`` (600), ``td_mode`` (``cross`` | ``isolated``), ``simulated``
(``true``: OKX demo trading, header ``x-simulated-trading: 1``).

Not covered: long/short position mode (orders carry no ``posSide``), algo orders,
leverage changes, inverse and USDC swaps.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from adapters.client_config import Connectable, as_settings
from adapters.kit import FeesFacade, MarginFacade, PreparedOrdersFacade
from adapters.kit.components import AccountOrPublishedFees, DeclaredVenue, Secrets, VenueParts
from adapters.kit.lazy_part import Lazy
from adapters.kit.options import flag, positive_number
from adapters.okx.config import DEFAULT_BASE_URL, KIND, OkxConfig
from adapters.okx.http import OkxHttp
from adapters.okx.market_data import OkxMarketData
from adapters.okx.orders import TD_MODES
from adapters.okx.signing import Credentials
from adapters.registry import VenueSettings

if TYPE_CHECKING:  # built on first use: a scan never imports it (issue 20)
    from adapters.okx.execution import OkxExecution


class OkxClient(DeclaredVenue, MarginFacade, FeesFacade, PreparedOrdersFacade, Connectable):
    """One OKX account; see the module docstring."""

    CREDENTIALS_HINT = "credentials api_key, api_secret and passphrase"

    def __init__(
        self,
        settings: OkxConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        options = settings.options
        number = functools.partial(positive_number, options, KIND)
        base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        td_mode = options.get("td_mode", "cross")
        if td_mode not in TD_MODES:
            raise ValueError(f"okx option td_mode={td_mode!r} must be cross or isolated")
        now = settings.clock or (lambda: datetime.fromtimestamp(clock(), tz=timezone.utc))
        keys = Credentials.from_settings(settings.credentials)
        http = OkxHttp(
            str(settings.id),
            base_url,
            transport=settings.transport,
            timeout=settings.timeout,
            max_body_bytes=settings.max_response_bytes,
            credentials=keys,
            clock=clock,
            monotonic=monotonic,
            simulated=flag(options, KIND, "simulated"),
            time_sync_seconds=number("time_sync_seconds", 600.0),
            max_budget_wait=number("max_budget_wait_seconds", 5.0),
            requests_per_2s=(
                number("public_requests_per_2s", 10.0),
                number("private_requests_per_2s", 10.0),
            ),
        )
        data = OkxMarketData(
            http,
            settings.id,
            settings.symbol_overrides,
            now=now,
            monotonic=monotonic,
            markets_ttl=number("markets_ttl_seconds", 600.0),
        )

        def build_execution() -> OkxExecution:
            from adapters.okx.execution import OkxExecution

            return OkxExecution(http, data, settings.id, now=now, td_mode=td_mode)

        execution = Lazy(build_execution)
        fees = AccountOrPublishedFees(
            KIND, (lambda: execution.get().fetch_account_fees()) if keys else None
        )
        secrets = Secrets.of(*keys.secrets) if keys else None
        super().__init__(
            settings, VenueParts(http, data, base_url, execution, execution, fees, secrets)
        )


def create(settings: VenueSettings) -> OkxClient:
    """Venue factory registered as ``adapters.okx.factory:create``."""
    return OkxClient(settings)


__all__ = ["OkxClient", "create"]
