"""Paradex adapter (Starknet perp DEX) on the venue kit: market data, account, trading.

- :mod:`adapters.paradex.config`: :class:`ParadexConfig`, credentials, options;
- :mod:`adapters.paradex.signing`: our Starknet signer (typed data rev 0, Pedersen hash,
  Stark ECDSA; optional extra ``paradex``);
- :mod:`adapters.paradex.http`: transport, request budget, error identifiers, JWT auth;
- :mod:`adapters.paradex.parsing`: pure market parsers, and how continuous funding is
  modelled; :mod:`adapters.paradex.account_parsing`: orders, positions, balances, margin;
- :mod:`adapters.paradex.market_data`: markets, funding now and history, books;
- :mod:`adapters.paradex.execution`: account reads and orders by client id;
- :mod:`adapters.paradex.factory`: :class:`ParadexClient` and the factory ``create``.
"""

from adapters.paradex.config import ParadexConfig
from adapters.paradex.factory import ParadexClient

__all__ = ["ParadexClient", "ParadexConfig"]
