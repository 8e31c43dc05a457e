"""Where ``BinanceClient`` used to live; kept so existing imports work. The client is
split (nautilus_trader style) into ``config.py``, ``http.py``, ``parsers.py`` (pure),
``market_data.py``, ``execution.py`` and ``factory.py``."""

from adapters.binance.config import DEFAULT_BASE_URL, TESTNET_BASE_URL
from adapters.binance.factory import BinanceClient, create
from adapters.binance.market_data import FUNDING_RATES_PATHS, MARKETS_PATHS

__all__ = [
    "DEFAULT_BASE_URL",
    "FUNDING_RATES_PATHS",
    "MARKETS_PATHS",
    "TESTNET_BASE_URL",
    "BinanceClient",
    "create",
]
