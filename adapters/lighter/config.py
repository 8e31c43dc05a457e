"""``LighterConfig``: the typed config a :class:`~adapters.lighter.client.LighterClient` is
built from."""

from __future__ import annotations

from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig


@attrs.frozen(kw_only=True)
class LighterConfig(ClientConfig):
    """Lighter: ``account_index`` for account reads; with ``api_key_index`` and
    ``api_private_key`` also trading (which needs ``pip install 'atomic-fp[lighter]'``)."""

    KIND: ClassVar[str] = "lighter"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("account_index", "api_key_index", "api_private_key")

    account_index: int | str | None = attrs.field(default=None, repr=False)
    api_key_index: int | str | None = attrs.field(default=None, repr=False)
    api_private_key: str | None = attrs.field(default=None, repr=False)


__all__ = ["LighterConfig"]
