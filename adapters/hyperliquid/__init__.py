"""Hyperliquid perps adapter, split the way nautilus_trader splits adapters, on the venue
kit (:mod:`adapters.kit`): ``config`` (``HyperliquidConfig``, checked options), ``http``
(``/info``, agent-signed ``/exchange``), ``parsing`` / ``parsing_account`` (pure JSON ->
models; ``parsers`` re-exports both), ``market_data``, ``execution``, ``factory``
(:class:`HyperliquidClient`, ``create``; ``client`` re-exports them), plus ``signing``
(msgpack action hash + EIP-712 phantom agent), ``actions`` (L1 action bodies in signed key
order) and ``rounding`` (price/size grid)."""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.hyperliquid.config import HyperliquidConfig
    from adapters.hyperliquid.factory import HyperliquidClient

_LAZY = {
    "HyperliquidClient": "adapters.hyperliquid.factory",
    "HyperliquidConfig": "adapters.hyperliquid.config",
}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["HyperliquidClient", "HyperliquidConfig"]
