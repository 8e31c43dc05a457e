"""Hyperliquid perps adapter: ``client`` (the VenueClient), ``parsers`` (pure JSON ->
models), ``signing`` (msgpack action hash + EIP-712 phantom agent), ``actions`` (L1 action
bodies in signed key order) and ``rounding`` (price/size grid)."""

from adapters.hyperliquid.client import HyperliquidClient
from adapters.hyperliquid.config import HyperliquidConfig

__all__ = ["HyperliquidClient", "HyperliquidConfig"]
