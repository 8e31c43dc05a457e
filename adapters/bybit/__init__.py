"""Bybit v5 linear (USDT) perpetuals adapter (REST; HMAC-SHA256 signed private calls).

Split the way nautilus_trader splits adapters:

- :mod:`adapters.bybit.config`: :class:`BybitConfig`, the typed config, and
  :class:`BybitOptions`, its checked options.
- :mod:`adapters.bybit.signing` and :mod:`adapters.bybit.http`: authentication, transport,
  server clock and error typing.
- :mod:`adapters.bybit.parsing`, :mod:`adapters.bybit.parsing_funding`,
  :mod:`adapters.bybit.parsing_account`, :mod:`adapters.bybit.orders`: pure functions,
  venue JSON <-> models.
- :mod:`adapters.bybit.market_data` and :mod:`adapters.bybit.execution`: the public and
  the signed calls.
- :mod:`adapters.bybit.factory`: :class:`BybitClient`, the facade on the venue kit
  (:mod:`adapters.kit`), and the registry factory ``create(settings)``.
- :mod:`adapters.bybit.stream`: the ``tickers.<SYMBOL>`` market stream (``atomic-fp watch``).
"""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.bybit.config import BybitConfig
    from adapters.bybit.factory import BybitClient

_LAZY = {"BybitClient": "adapters.bybit.factory", "BybitConfig": "adapters.bybit.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["BybitClient", "BybitConfig"]
