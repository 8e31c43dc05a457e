"""Binance configuration: ``BinanceConfig`` (what a user writes) and
:class:`BinanceOptions` (``settings.options`` read and checked once, when the client is
built: a bad value is a ``ValueError`` naming the option, never a default in disguise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from adapters.binance.signing import DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS
from adapters.client_config import ClientConfig
from adapters.kit.options import positive_number

DEFAULT_BASE_URL = "https://fapi.binance.com"
TESTNET_BASE_URL = "https://testnet.binancefuture.com"


@attrs.frozen(kw_only=True)
class BinanceConfig(ClientConfig):
    """Binance USD-M futures: ``base_url`` (default mainnet), and for trading ``api_key``
    and ``api_secret`` (HMAC)."""

    KIND: ClassVar[str] = "binance"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("api_key", "api_secret")

    api_key: str | None = attrs.field(default=None, repr=False)
    api_secret: str | None = attrs.field(default=None, repr=False)


def _option(options: Mapping[str, str], key: str, default: float) -> float:
    return positive_number(options, "binance", key, default)


@attrs.frozen(kw_only=True)
class BinanceOptions:
    """``settings.options`` of a Binance client (all optional, numbers as strings):
    ``recv_window_ms`` (5000), ``weight_per_minute`` (2000 of Binance's 2400),
    ``funding_requests_per_5min`` (400 of 500, shared by fundingInfo and fundingRate),
    ``max_budget_wait_seconds`` (5), ``funding_info_ttl_seconds`` (600),
    ``markets_ttl_seconds`` (600), ``time_sync_seconds`` (600); ``quotes``
    (``"USDT,USDC"``: which quote assets count as the USD family, in order of preference
    when a base has both)."""

    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS
    weight_per_minute: float = 2000
    funding_requests_per_5min: float = 400
    max_budget_wait_seconds: float = 5.0
    funding_info_ttl_seconds: float = 600
    markets_ttl_seconds: float = 600
    time_sync_seconds: float = 600
    quotes: tuple[str, ...] = ("USDT", "USDC")

    @classmethod
    def read(cls, options: Mapping[str, str]) -> BinanceOptions:
        quotes = tuple(
            q.strip() for q in options.get("quotes", "USDT,USDC").split(",") if q.strip()
        )
        if not quotes:
            raise ValueError("binance option quotes must name at least one quote asset")
        recv_window = int(_option(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        if recv_window > MAX_RECV_WINDOW_MS:
            raise ValueError("binance option recv_window_ms must be at most 60000")
        return cls(
            recv_window_ms=recv_window,
            weight_per_minute=_option(options, "weight_per_minute", 2000),
            funding_requests_per_5min=_option(options, "funding_requests_per_5min", 400),
            max_budget_wait_seconds=_option(options, "max_budget_wait_seconds", 5.0),
            funding_info_ttl_seconds=_option(options, "funding_info_ttl_seconds", 600),
            markets_ttl_seconds=_option(options, "markets_ttl_seconds", 600),
            time_sync_seconds=_option(options, "time_sync_seconds", 600),
            quotes=quotes,
        )


__all__ = ["DEFAULT_BASE_URL", "TESTNET_BASE_URL", "BinanceConfig", "BinanceOptions"]
