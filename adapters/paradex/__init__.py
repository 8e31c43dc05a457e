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

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.paradex.config import ParadexConfig
    from adapters.paradex.factory import ParadexClient

_LAZY = {"ParadexClient": "adapters.paradex.factory", "ParadexConfig": "adapters.paradex.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["ParadexClient", "ParadexConfig"]
