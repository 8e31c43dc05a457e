"""``OkxConfig``: the typed config an :class:`~adapters.okx.factory.OkxClient` is built from.

OKX v5 API keys come in three parts: the key, its secret (HMAC) and the passphrase chosen
when the key was created; all three are needed for any private call (OKX v5 docs, "REST
Authentication": ``OK-ACCESS-KEY``, ``OK-ACCESS-SIGN``, ``OK-ACCESS-PASSPHRASE``).
``simulated=True`` sends ``x-simulated-trading: 1`` on every request, OKX's demo-trading
switch (demo keys are separate from live keys; python-okx ``flag="1"``).
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig

KIND = "okx"
CREDENTIAL_KEYS = ("api_key", "api_secret", "passphrase")
DEFAULT_BASE_URL = "https://www.okx.com"


@attrs.frozen(kw_only=True)
class OkxConfig(ClientConfig):
    """OKX v5 USDT swaps: ``base_url`` (default ``https://www.okx.com``), and for trading
    ``api_key``, ``api_secret`` and ``passphrase``. ``simulated`` selects demo trading."""

    KIND: ClassVar[str] = KIND
    CREDENTIALS: ClassVar[tuple[str, ...]] = CREDENTIAL_KEYS

    api_key: str | None = attrs.field(default=None, repr=False)
    api_secret: str | None = attrs.field(default=None, repr=False)
    passphrase: str | None = attrs.field(default=None, repr=False)
    simulated: bool = False

    def extra_options(self) -> dict[str, str]:
        return {"simulated": "true"} if self.simulated else {}


__all__ = ["CREDENTIAL_KEYS", "DEFAULT_BASE_URL", "KIND", "OkxConfig"]
