"""Bybit configuration: ``BybitConfig`` (what a user writes) and :class:`BybitOptions`
(``settings.options`` read and checked once, when the client is built: a bad or unknown
option is a ``ValueError`` naming it, never a default in disguise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from adapters.bybit.signing import DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS
from adapters.client_config import ClientConfig
from adapters.kit.options import positive_number

DEFAULT_BASE_URL = "https://api.bybit.com"
TESTNET_BASE_URL = "https://api-testnet.bybit.com"


@attrs.frozen(kw_only=True)
class BybitConfig(ClientConfig):
    """Bybit v5 linear (USDT) perpetuals: ``base_url`` (default mainnet
    ``https://api.bybit.com``; testnet ``https://api-testnet.bybit.com``), and for trading
    ``api_key`` and ``api_secret`` (HMAC-SHA256 system-generated keys)."""

    KIND: ClassVar[str] = "bybit"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("api_key", "api_secret")

    api_key: str | None = attrs.field(default=None, repr=False)
    api_secret: str | None = attrs.field(default=None, repr=False)


def _option(options: Mapping[str, str], key: str, default: float) -> float:
    return positive_number(options, "bybit", key, default)


@attrs.frozen(kw_only=True)
class BybitOptions:
    """``settings.options`` of a Bybit client (all optional, numbers as strings):
    ``recv_window_ms`` (5000, at most 60000), ``markets_ttl_seconds`` (600),
    ``time_sync_seconds`` (600), ``requests_per_5s`` (500 of Bybit's 600 per IP),
    ``max_budget_wait_seconds`` (5)."""

    NAMES: ClassVar[tuple[str, ...]] = (
        "recv_window_ms",
        "markets_ttl_seconds",
        "time_sync_seconds",
        "requests_per_5s",
        "max_budget_wait_seconds",
    )

    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS
    markets_ttl_seconds: float = 600
    time_sync_seconds: float = 600
    requests_per_5s: float = 500
    max_budget_wait_seconds: float = 5.0

    @classmethod
    def read(cls, options: Mapping[str, str]) -> BybitOptions:
        unknown = sorted(set(options) - set(cls.NAMES))
        if unknown:
            raise ValueError(f"unknown bybit option {unknown[0]!r} (known: {', '.join(cls.NAMES)})")
        recv_window = int(_option(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        if recv_window > MAX_RECV_WINDOW_MS:
            raise ValueError(f"bybit option recv_window_ms must be at most {MAX_RECV_WINDOW_MS}")
        return cls(
            recv_window_ms=recv_window,
            markets_ttl_seconds=_option(options, "markets_ttl_seconds", 600),
            time_sync_seconds=_option(options, "time_sync_seconds", 600),
            requests_per_5s=_option(options, "requests_per_5s", 500),
            max_budget_wait_seconds=_option(options, "max_budget_wait_seconds", 5.0),
        )


__all__ = ["DEFAULT_BASE_URL", "TESTNET_BASE_URL", "BybitConfig", "BybitOptions"]
