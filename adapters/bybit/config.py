"""``BybitConfig``: the typed config a :class:`~adapters.bybit.client.BybitClient` is built
from."""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig


@attrs.frozen(kw_only=True)
class BybitConfig(ClientConfig):
    """Bybit v5 linear (USDT) perpetuals: ``base_url`` (default mainnet
    ``https://api.bybit.com``; testnet ``https://api-testnet.bybit.com``), and for trading
    ``api_key`` and ``api_secret`` (HMAC-SHA256 system-generated keys)."""

    KIND: ClassVar[str] = "bybit"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("api_key", "api_secret")

    api_key: str | None = attrs.field(default=None, repr=False)
    api_secret: str | None = attrs.field(default=None, repr=False)


__all__ = ["BybitConfig"]
