"""``HyperliquidConfig``: the typed config a
:class:`~adapters.hyperliquid.client.HyperliquidClient` is built from."""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig


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


__all__ = ["HyperliquidConfig"]
