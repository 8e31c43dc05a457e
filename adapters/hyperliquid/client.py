"""Where ``HyperliquidClient`` used to live; kept so existing imports work. The client is
split (nautilus_trader style) into ``config.py``, ``http.py``, ``parsers.py`` (pure),
``market_data.py``, ``execution.py`` and ``factory.py``."""

from adapters.hyperliquid.config import MAINNET_URL, TESTNET_URL
from adapters.hyperliquid.factory import HyperliquidClient, create

__all__ = ["MAINNET_URL", "TESTNET_URL", "HyperliquidClient", "create"]
