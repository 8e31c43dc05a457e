"""Paradex adapter (Starknet perp DEX): public market data on the venue kit.

- :mod:`adapters.paradex.config`: :class:`ParadexConfig`;
- :mod:`adapters.paradex.http`: transport, request budget, error identifiers;
- :mod:`adapters.paradex.parsing`: pure parsers, and how continuous funding is modelled;
- :mod:`adapters.paradex.market_data`: markets, funding now and history, books;
- :mod:`adapters.paradex.factory`: :class:`ParadexClient` and the factory ``create``.
"""

from adapters.paradex.config import ParadexConfig
from adapters.paradex.factory import ParadexClient

__all__ = ["ParadexClient", "ParadexConfig"]
