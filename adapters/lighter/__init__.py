"""Lighter (zkLighter) perps: REST market data and account, ``market_stats`` websocket,
transactions signed by lighter-sdk's native signer (optional extra ``lighter``).

Entry point: :func:`adapters.lighter.client.create` (registered as venue kind ``lighter``).
"""

from adapters.lighter.client import LighterClient
from adapters.lighter.config import LighterConfig

__all__ = ["LighterClient", "LighterConfig"]
