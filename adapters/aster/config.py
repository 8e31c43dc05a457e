"""Aster configuration: ``AsterConfig`` (what a user writes) and :class:`AsterOptions`
(``settings.options`` read and checked once, when the client is built: a bad value is a
``ValueError`` naming the option, never a default in disguise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from adapters.aster.signing import (
    DEFAULT_RECV_WINDOW_MS,
    MAINNET_CHAIN_ID,
    MAX_RECV_WINDOW_MS,
    TESTNET_CHAIN_ID,
)
from adapters.client_config import ClientConfig
from adapters.kit.options import positive_number

DEFAULT_BASE_URL = "https://fapi.asterdex.com"
TESTNET_BASE_URL = "https://fapi.asterdex-testnet.com"
"""CCXT ``aster.py`` urls; docs.rs ``asterdex-sdk`` ``.env.example`` (research notes F)."""


@attrs.frozen(kw_only=True)
class AsterConfig(ClientConfig):
    """Aster perpetuals: ``base_url`` (default mainnet), and for trading the v3 API wallet:
    ``user`` (main wallet address), ``signer`` (API wallet address), ``private_key`` (the
    API wallet's key)."""

    KIND: ClassVar[str] = "aster"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("user", "signer", "private_key")

    user: str | None = None
    signer: str | None = None
    private_key: str | None = attrs.field(default=None, repr=False)


def _number(options: Mapping[str, str], key: str, default: float) -> float:
    return positive_number(options, "aster", key, default)


KNOWN_OPTIONS = frozenset(
    {
        "recv_window_ms", "chain_id", "weight_per_minute", "max_budget_wait_seconds",
        "funding_info_ttl_seconds", "markets_ttl_seconds", "quotes",
    }
)  # fmt: skip


@attrs.frozen(kw_only=True)
class AsterOptions:
    """``settings.options`` of an Aster client (all optional, numbers as strings):
    ``recv_window_ms`` (5000, at most 5000), ``chain_id`` (1666 mainnet, 714 testnet: the
    EIP-712 signing domain's chain id), ``weight_per_minute`` (2000 of the 2400 Aster
    inherits from Binance's limits), ``max_budget_wait_seconds`` (5),
    ``funding_info_ttl_seconds`` (600), ``markets_ttl_seconds`` (600); ``quotes``
    (``"USDT,USDC"``)."""

    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS
    chain_id: int = MAINNET_CHAIN_ID
    weight_per_minute: float = 2000
    max_budget_wait_seconds: float = 5.0
    funding_info_ttl_seconds: float = 600
    markets_ttl_seconds: float = 600
    quotes: tuple[str, ...] = ("USDT", "USDC")

    @classmethod
    def read(cls, options: Mapping[str, str]) -> AsterOptions:
        unknown = sorted(set(options) - KNOWN_OPTIONS)
        if unknown:
            raise ValueError(f"unknown aster option {unknown[0]!r}")
        quotes = tuple(
            q.strip() for q in options.get("quotes", "USDT,USDC").split(",") if q.strip()
        )
        if not quotes:
            raise ValueError("aster option quotes must name at least one quote asset")
        recv_window = int(_number(options, "recv_window_ms", DEFAULT_RECV_WINDOW_MS))
        if recv_window > MAX_RECV_WINDOW_MS:
            raise ValueError(f"aster option recv_window_ms must be at most {MAX_RECV_WINDOW_MS}")
        chain_id = int(_number(options, "chain_id", MAINNET_CHAIN_ID))
        if chain_id not in (MAINNET_CHAIN_ID, TESTNET_CHAIN_ID):
            raise ValueError(
                f"aster option chain_id must be {MAINNET_CHAIN_ID} (mainnet) or "
                f"{TESTNET_CHAIN_ID} (testnet)"
            )
        return cls(
            recv_window_ms=recv_window,
            chain_id=chain_id,
            weight_per_minute=_number(options, "weight_per_minute", 2000),
            max_budget_wait_seconds=_number(options, "max_budget_wait_seconds", 5.0),
            funding_info_ttl_seconds=_number(options, "funding_info_ttl_seconds", 600),
            markets_ttl_seconds=_number(options, "markets_ttl_seconds", 600),
            quotes=quotes,
        )


__all__ = ["DEFAULT_BASE_URL", "TESTNET_BASE_URL", "AsterConfig", "AsterOptions"]
