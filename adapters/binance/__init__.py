"""Binance USDⓈ-M futures adapter (REST; HMAC-SHA256 signed trading endpoints), split the
way nautilus_trader splits adapters, on the venue kit (:mod:`adapters.kit`):

- :mod:`adapters.binance.config`: ``BinanceConfig`` and the checked ``BinanceOptions``;
- :mod:`adapters.binance.http`: transport, request budgets, error codes, server clock,
  signed requests (signing itself in :mod:`adapters.binance.signing`);
- :mod:`adapters.binance.parsing`, ``parsing_funding``, ``parsing_account``: pure
  functions, venue JSON -> models (``Result``); ``parsers`` re-exports them all;
- :mod:`adapters.binance.market_data`: markets, funding now and settled, order books;
- :mod:`adapters.binance.execution`: account reads and order calls;
- :mod:`adapters.binance.factory`: :class:`BinanceClient` (the kit's guarded facade over
  the parts) and ``create(settings)``. ``client`` re-exports it under its old name.
"""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.binance.config import BinanceConfig
    from adapters.binance.factory import BinanceClient

_LAZY = {"BinanceClient": "adapters.binance.factory", "BinanceConfig": "adapters.binance.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["BinanceClient", "BinanceConfig"]
