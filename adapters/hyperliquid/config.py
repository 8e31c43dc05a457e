"""Hyperliquid configuration: ``HyperliquidConfig`` (what a user writes) and
:class:`HyperliquidOptions` (URL, network and ``settings.options`` read and checked once,
when the client is built)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig

MAINNET_URL = "https://api.hyperliquid.xyz"
TESTNET_URL = "https://api.hyperliquid-testnet.xyz"
DEFAULT_META_TTL = timedelta(minutes=5)


@attrs.frozen(kw_only=True)
class HyperliquidConfig(ClientConfig):
    """Hyperliquid: ``account_address`` (the master account, for reads) and an agent
    wallet's ``agent_private_key`` (for trading); ``network="testnet"`` for the testnet."""

    KIND: ClassVar[str] = "hyperliquid"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("account_address", "agent_private_key")

    account_address: str | None = attrs.field(default=None, repr=False)
    agent_private_key: str | None = attrs.field(default=None, repr=False)
    network: str | None = None

    def extra_options(self) -> dict[str, str]:
        return {} if self.network is None else {"network": self.network}


@attrs.frozen(kw_only=True)
class HyperliquidOptions:
    """``base_url`` (default mainnet), ``options["network"]`` (``mainnet``/``testnet``: the
    phantom agent's source ``a``/``b``; by default ``testnet`` only for the testnet URL)
    and ``options["meta_ttl_seconds"]`` (how long the asset directory is trusted, 300)."""

    base_url: str
    mainnet: bool
    meta_ttl: timedelta

    @classmethod
    def read(cls, base_url: str | None, options: Mapping[str, str]) -> HyperliquidOptions:
        base = (base_url or MAINNET_URL).rstrip("/")
        network = options.get("network")
        if network is None:
            network = "testnet" if base == TESTNET_URL else "mainnet"
        if network not in ("mainnet", "testnet"):
            raise ValueError(f"options.network must be 'mainnet' or 'testnet', got {network!r}")
        ttl = options.get("meta_ttl_seconds")
        meta_ttl = DEFAULT_META_TTL if ttl is None else timedelta(seconds=float(ttl))
        return cls(base_url=base, mainnet=network == "mainnet", meta_ttl=meta_ttl)


__all__ = [
    "DEFAULT_META_TTL",
    "MAINNET_URL",
    "TESTNET_URL",
    "HyperliquidConfig",
    "HyperliquidOptions",
]
