"""``BinanceConfig``: the typed config a :class:`~adapters.binance.client.BinanceClient` is
built from."""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig


@attrs.frozen(kw_only=True)
class BinanceConfig(ClientConfig):
    """Binance USD-M futures: ``base_url`` (default mainnet), and for trading ``api_key``
    and ``api_secret`` (HMAC)."""

    KIND: ClassVar[str] = "binance"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("api_key", "api_secret")

    api_key: str | None = attrs.field(default=None, repr=False)
    api_secret: str | None = attrs.field(default=None, repr=False)


__all__ = ["BinanceConfig"]
