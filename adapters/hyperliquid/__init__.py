"""Hyperliquid perps adapter, split the way nautilus_trader splits adapters, on the venue
kit (:mod:`adapters.kit`): ``config`` (``HyperliquidConfig``, checked options), ``http``
(``/info``, agent-signed ``/exchange``), ``parsing`` / ``parsing_account`` (pure JSON ->
models; ``parsers`` re-exports both), ``market_data``, ``execution``, ``factory``
(:class:`HyperliquidClient`, ``create``; ``client`` re-exports them), plus ``signing``
(msgpack action hash + EIP-712 phantom agent), ``actions`` (L1 action bodies in signed key
order) and ``rounding`` (price/size grid)."""

from adapters.hyperliquid.config import HyperliquidConfig
from adapters.hyperliquid.factory import HyperliquidClient

__all__ = ["HyperliquidClient", "HyperliquidConfig"]
