"""``LighterConfig``: the typed config a :class:`~adapters.lighter.factory.LighterClient` is
built from, and how its options and credentials are read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig

DEFAULT_BASE_URL = "https://mainnet.zklighter.elliot.ai"


@attrs.frozen(kw_only=True)
class LighterConfig(ClientConfig):
    """Lighter: ``account_index`` for account reads; with ``api_key_index`` and
    ``api_private_key`` also trading (which needs ``pip install 'atomic-fp[lighter]'``)."""

    KIND: ClassVar[str] = "lighter"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("account_index", "api_key_index", "api_private_key")

    account_index: int | str | None = attrs.field(default=None, repr=False)
    api_key_index: int | str | None = attrs.field(default=None, repr=False)
    api_private_key: str | None = attrs.field(default=None, repr=False)


def option_float(options: Mapping[str, str], key: str, default: float) -> float:
    """A positive number option (``requests_per_minute``, ``ws_max_age_seconds``...)."""
    value = options.get(key)
    if value is None:
        return default
    number = float(value)
    if not number > 0:
        raise ValueError(f"option {key} must be positive, got {value!r}")
    return number


def credential_int(credentials: Mapping[str, str], key: str) -> int | None:
    """An integer credential (``account_index``, ``api_key_index``); ``None`` when unset."""
    value = credentials.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"credential {key} must be an integer") from None


__all__ = ["DEFAULT_BASE_URL", "LighterConfig", "credential_int", "option_float"]
