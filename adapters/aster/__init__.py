"""Aster perpetuals (futures API v3; a Binance USDⓈ-M clone on the wire), on the venue kit:

- :mod:`adapters.aster.config`: ``AsterConfig`` and the checked ``AsterOptions``;
- :mod:`adapters.aster.signing`: v3 API-wallet EIP-712 signing (``eth-account``);
- :mod:`adapters.aster.http`: transport, budget, error codes, signed requests;
- :mod:`adapters.aster.market_data`: markets, funding now and settled, order books (the
  pure Binance parsers, because the bodies are Binance's);
- :mod:`adapters.aster.execution`: positions, balances and order calls;
- :mod:`adapters.aster.factory`: :class:`AsterClient` and ``create(settings)``.
"""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.aster.config import AsterConfig
    from adapters.aster.factory import AsterClient

_LAZY = {"AsterClient": "adapters.aster.factory", "AsterConfig": "adapters.aster.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["AsterClient", "AsterConfig"]
