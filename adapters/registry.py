"""Venue kinds and how a configured venue becomes a client.

A venue kind is a factory ``(VenueSettings) -> VenueClient``. Built-in kinds are named
here by import path so that importing this module stays cheap (no adapter, no signing
library is imported until a venue of that kind is built). ``kind`` in the config may also
be an import path ``package.module:factory`` to a client living outside this project.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
from returns.result import Failure, Result, Success

from adapters._http import DEFAULT_MAX_BODY_BYTES
from atomic_fp.models import Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import VenueClient

if TYPE_CHECKING:  # httpx is imported by the clients that use it (issue 20)
    import httpx


@attrs.frozen
class VenueSettings:
    """Everything needed to build one venue client.

    ``credentials`` holds resolved secret values (from environment variables named in the
    config); it is excluded from ``repr`` so it cannot leak through logs or errors.
    ``transport`` lets tests and the offline snapshot replace the network (an httpx
    transport serving recorded responses or a local server's mock).
    ``symbol_overrides`` maps a venue symbol (or venue base name) to the canonical symbol
    and contract multiplier, for the odd cases automatic mapping gets wrong.
    """

    id: ExchangeIdentifier
    kind: str
    base_url: str | None = None
    ws_url: str | None = None
    trading_url: str | None = None
    auth_url: str | None = None
    credentials: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    fees: VenueFees | None = None
    symbol_overrides: Mapping[str, tuple[Symbol, Decimal]] = attrs.field(factory=dict)
    timeout: float = 10.0
    max_response_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Response bodies larger than this are refused while streaming (see ``adapters._http``)."""
    options: Mapping[str, str] = attrs.field(factory=dict)
    transport: httpx.AsyncBaseTransport | None = attrs.field(default=None, repr=False, eq=False)
    clock: Callable[[], datetime] | None = attrs.field(default=None, repr=False, eq=False)
    """The client's "now" (aware UTC) for stamping ``observed_at`` where the venue sends no
    timestamp; ``None`` = the wall clock. The offline snapshot sets it to the snapshot's
    ``as_of`` so data ages and next-funding times are those of the recorded instant."""
    ca_bundle: str | None = None
    """A PEM file of CAs to trust instead of the default store (see ``adapters.tls``)."""


VenueFactory = Callable[[VenueSettings], VenueClient]


@attrs.frozen
class VenueKind:
    name: str
    factory_path: str
    summary: str
    config_keys: tuple[str, ...]
    credential_keys: tuple[str, ...] = ()


BUILTIN_KINDS: Mapping[str, VenueKind] = {
    "binance": VenueKind(
        "binance",
        "adapters.binance.factory:create",
        "Binance USD-M futures (REST, HMAC-SHA256 signed; market and user-data streams)",
        ("base_url", "ws_url"),
        ("api_key", "api_secret"),
    ),
    "hyperliquid": VenueKind(
        "hyperliquid",
        "adapters.hyperliquid.factory:create",
        "Hyperliquid perps (info/exchange API, EIP-712 agent signing; websocket streams)",
        ("base_url", "ws_url"),
        ("account_address", "agent_private_key"),
    ),
    "grvt": VenueKind(
        "grvt",
        "adapters.grvt.factory:create",
        "GRVT perps (market-data, trading and auth hosts; EIP-712 order signing)",
        ("base_url", "trading_url", "auth_url", "ws_url"),
        ("api_key", "sub_account_id", "private_key"),
    ),
    "lighter": VenueKind(
        "lighter",
        "adapters.lighter.factory:create",
        "Lighter perps (REST + websocket; transactions signed by lighter-sdk's signer)",
        ("base_url", "ws_url"),
        ("account_index", "api_key_index", "api_private_key"),
    ),
    "bybit": VenueKind(
        "bybit",
        "adapters.bybit.factory:create",
        "Bybit v5 linear USDT perpetuals (REST, HMAC-SHA256 signed; unified account; "
        "ticker stream)",
        ("base_url", "ws_url"),
        ("api_key", "api_secret"),
    ),
    "okx": VenueKind(
        "okx",
        "adapters.okx.factory:create",
        "OKX v5 USDT swaps (REST, HMAC-SHA256 signed; funding-rate stream)",
        ("base_url", "ws_url"),
        ("api_key", "api_secret", "passphrase"),
    ),
    "aster": VenueKind(
        "aster",
        "adapters.aster.factory:create",
        "Aster perpetuals, API v3 (Binance-shaped REST; EIP-712 API-wallet signing)",
        ("base_url",),
        ("user", "signer", "private_key"),
    ),
    "paradex": VenueKind(
        "paradex",
        "adapters.paradex.factory:create",
        "Paradex perps (continuous funding per funding period; JWT auth, Starknet-signed "
        "orders with the extra atomic-fp[paradex])",
        ("base_url",),
        ("account_address", "stark_private_key"),
    ),
    "ccxt": VenueKind(
        "ccxt",
        "adapters.ccxt_venue.factory:create",
        'Any exchange ccxt speaks (exchange = "<ccxt id>"): funding, history, markets, '
        "orders by client id; capabilities from ccxt's has map (extra atomic-fp[ccxt])",
        ("exchange", "base_url"),
        ("api_key", "secret", "password"),
    ),
    "paper": VenueKind(
        "paper",
        "adapters.paper.client:create",
        "In-process paper venue (order matching, fees, funding accrual, fault knobs)",
        (),
    ),
}


def load_factory(kind: str) -> Result[VenueFactory, str]:
    """Resolve a venue kind (built-in name or ``package.module:factory``) to its factory."""
    path = BUILTIN_KINDS[kind].factory_path if kind in BUILTIN_KINDS else kind
    if ":" not in path:
        known = ", ".join(sorted(BUILTIN_KINDS))
        return Failure(f"unknown venue kind {kind!r} (known: {known}, or 'package.module:factory')")
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        return Failure(f"venue kind {kind!r}: cannot import {module_name!r}: {error}")
    factory = getattr(module, attribute, None)
    if not callable(factory):
        return Failure(f"venue kind {kind!r}: {module_name!r} has no callable {attribute!r}")
    return Success(factory)


_HTTP_KINDS = frozenset(
    {"binance", "hyperliquid", "grvt", "lighter", "bybit", "okx", "aster", "paradex"}
)
"""Built-in kinds whose clients take ``settings.transport`` for their HTTP calls."""


def build_client(settings: VenueSettings) -> Result[VenueClient, str]:
    """Build a client for ``settings``; a failure names the venue and what went wrong."""
    factory = load_factory(settings.kind)
    if isinstance(factory, Failure):
        return Failure(f"venue {settings.id}: {factory.failure()}")
    if settings.transport is None and settings.kind in _HTTP_KINDS:
        # one SSL context for every client of the process, and the environment's
        # proxies, which httpx ignores for a client given a transport (adapters.tls)
        from adapters.proxy_routing import ProxySettingError
        from adapters.tls import default_transport

        try:
            transport = default_transport(settings.ca_bundle)
        except ProxySettingError as error:
            return Failure(f"venue {settings.id}: {error}")
        except (OSError, ValueError) as error:
            # the CA store (ca_bundle, or the environment's SSL_CERT_FILE / _DIR), or
            # another file the environment names (SSLKEYLOGFILE): adapters.default_trust
            from adapters.default_trust import blamed

            return Failure(f"venue {settings.id}: {blamed(error, settings.ca_bundle)}")
        settings = attrs.evolve(settings, transport=transport)
    try:
        client = factory.unwrap()(settings)
    except ImportError as error:  # a part a client given credentials builds at once
        return Failure(f"venue {settings.id}: cannot import {error.name!r}: {error}")
    except (ValueError, TypeError, KeyError) as error:
        return Failure(f"venue {settings.id}: {error}")
    return Success(client)
