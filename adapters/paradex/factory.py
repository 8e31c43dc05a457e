"""``ParadexClient``: the :class:`~atomic_fp.venue.VenueClient` for Paradex perpetuals,
and its registry factory ``create``.

Declared on the venue kit (:class:`~adapters.kit.components.DeclaredVenue`) from
:class:`~adapters.paradex.http.ParadexHttp` (transport, budget, JWT auth),
:class:`~adapters.paradex.market_data.ParadexMarketData` and
:class:`~adapters.paradex.execution.ParadexExecution` (account and orders).

``settings.options`` (all optional, strings): ``markets_ttl_seconds`` (600),
``max_budget_wait_seconds`` (5), ``public_requests_per_second`` (20), ``chain_id``
(``PRIVATE_SN_PARACLEAR_MAINNET``; testnet ``PRIVATE_SN_POTC_SEPOLIA``: the signing
domain), ``recv_window_ms`` (5000: an order's validity window when it has no
``expires_at``; see :mod:`~adapters.paradex.execution`).

With ``account_address`` and ``stark_private_key`` the client trades: positions,
balances, margin, funding payments, orders by client id, signed by our own Starknet signer
(:mod:`~adapters.paradex.signing`; the optional extra ``paradex``: without it the client
claims no account capability and every account call answers ``NotConfigured`` naming the
extra, market data still works).

Not covered: onboarding (``POST /onboarding``: the account must exist), subkeys and EVM
(EIP-191) accounts, order modification, websocket streams, the account's own fee tier.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence

import attrs

from adapters.client_config import Connectable, as_settings
from adapters.kit.components import AccountOrPublishedFees, DeclaredVenue, VenueParts
from adapters.kit.facade import FeesFacade, MarginFacade
from adapters.kit.options import positive_number
from adapters.paradex.config import (
    DEFAULT_BASE_URL,
    KIND,
    ParadexConfig,
    chain_id_option,
    signer_from,
)
from adapters.paradex.execution import DEFAULT_RECV_WINDOW_MS, ParadexExecution
from adapters.paradex.http import ParadexHttp
from adapters.paradex.market_data import ParadexMarketData
from adapters.paradex.signing import crypto_available
from adapters.registry import VenueSettings
from atomic_fp.venue import Capability

_ACCOUNT_CAPABILITIES = frozenset(
    {
        Capability.POSITIONS, Capability.BALANCES, Capability.FUNDING_PAYMENTS,
        Capability.PLACE_ORDER, Capability.CANCEL_ORDER, Capability.ORDER_STATUS,
    }
)  # fmt: skip


@attrs.frozen(repr=False)
class _Keys:
    """The declared credentials: the key as configured, as we write it, and the JWT of
    the moment (read when a message is masked)."""

    raw_key: str
    http: ParadexHttp

    def secrets(self) -> Sequence[str]:
        return tuple(s for s in (self.raw_key, *self.http.secrets()) if s)

    def __repr__(self) -> str:
        return "_Keys(hidden)"


class ParadexClient(DeclaredVenue, MarginFacade, FeesFacade, Connectable):
    """Paradex perpetuals; see the module docstring."""

    CREDENTIALS_HINT = "credentials account_address and stark_private_key"
    CREDENTIALS_LABEL = "with Stark key"

    def __init__(
        self,
        settings: ParadexConfig | VenueSettings,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = as_settings(settings, KIND)
        number = functools.partial(positive_number, settings.options, KIND)
        signer = signer_from(settings.credentials, chain_id_option(settings.options))
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
            signer=signer,
            clock=clock,
            hint=self.CREDENTIALS_HINT,
        )
        data = ParadexMarketData(
            http,
            settings.id,
            settings.symbol_overrides,
            monotonic=monotonic,
            markets_ttl=number("markets_ttl_seconds", 600.0),
        )
        window = int(number("recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        execution = ParadexExecution(http, data, settings.id, clock, window)
        keys = None
        if signer is not None:
            keys = _Keys(settings.credentials.get("stark_private_key", ""), http)
        fees = AccountOrPublishedFees(KIND, None)
        super().__init__(
            settings, VenueParts(http, data, base_url, execution, execution, fees, keys)
        )

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The kit's derived map, less the account's when the signing extra is missing
        (its calls then answer which extra to install)."""
        found = super().capabilities
        if self._credentials is not None and not crypto_available():
            return found - _ACCOUNT_CAPABILITIES
        return found


def create(settings: VenueSettings) -> ParadexClient:
    """Venue factory registered as ``adapters.paradex.factory:create``."""
    return ParadexClient(settings)


__all__ = ["ParadexClient", "create"]
