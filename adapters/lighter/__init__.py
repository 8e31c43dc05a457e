"""Lighter (zkLighter) perps: REST market data and account, ``market_stats`` websocket,
transactions signed by lighter-sdk's native signer (optional extra ``lighter``).

Entry point: :func:`adapters.lighter.factory.create` (registered as venue kind ``lighter``).
"""

from adapters.lighter.config import LighterConfig
from adapters.lighter.factory import LighterClient

__all__ = ["LighterClient", "LighterConfig"]
