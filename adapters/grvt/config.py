"""``GrvtConfig``: the typed config a :class:`~adapters.grvt.client.GrvtClient` is built from."""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig


@attrs.frozen(kw_only=True)
class GrvtConfig(ClientConfig):
    """GRVT: three hosts (``base_url`` market data, ``trading_url``, ``auth_url``; defaults
    are mainnet's, ``network="testnet"`` switches them), and for trading ``api_key``,
    ``sub_account_id`` and the signing ``private_key``."""

    KIND: ClassVar[str] = "grvt"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("api_key", "sub_account_id", "private_key")

    api_key: str | None = attrs.field(default=None, repr=False)
    sub_account_id: str | int | None = attrs.field(default=None, repr=False)
    private_key: str | None = attrs.field(default=None, repr=False)
    network: str | None = None
    trading_url: str | None = None
    auth_url: str | None = None

    def extra_options(self) -> dict[str, str]:
        return {} if self.network is None else {"network": self.network}

    def urls(self) -> dict[str, str | None]:
        return {"trading_url": self.trading_url, "auth_url": self.auth_url}


__all__ = ["GrvtConfig"]
