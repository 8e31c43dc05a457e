"""``ParadexConfig``: the typed config a :class:`~adapters.paradex.factory.ParadexClient`
is built from.

Market data only for now: Paradex's public REST API needs no key. Trading (a JWT from
``POST /auth`` and Starknet typed-data order signatures, through the official
``paradex-py``) is not built yet, so this config takes no credentials: a client never
claims a trading capability it cannot honour.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig

KIND = "paradex"
CREDENTIAL_KEYS: tuple[str, ...] = ()
DEFAULT_BASE_URL = "https://api.prod.paradex.trade/v1"
"""Production REST root (testnet ``https://api.testnet.paradex.trade/v1``; research fact
sheet section C, from ccxt ``paradex.py`` ``urls``)."""


@attrs.frozen(kw_only=True)
class ParadexConfig(ClientConfig):
    """Paradex perpetuals, public market data: ``base_url`` (default the production
    ``/v1`` root)."""

    KIND: ClassVar[str] = KIND
    CREDENTIALS: ClassVar[tuple[str, ...]] = CREDENTIAL_KEYS


__all__ = ["CREDENTIAL_KEYS", "DEFAULT_BASE_URL", "KIND", "ParadexConfig"]
