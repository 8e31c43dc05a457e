"""OKX v5 adapter: USDT-margined linear swaps (REST; HMAC-SHA256 signed private calls).

Split as nautilus_trader splits adapters:

- :mod:`adapters.okx.config`: :class:`OkxConfig`, the typed config;
- :mod:`adapters.okx.signing` and :mod:`adapters.okx.http`: request signing, transport,
  the envelope check and OKX error codes;
- :mod:`adapters.okx.parsing` and :mod:`adapters.okx.parsing_account`: pure parsers
  (OKX JSON -> models; contracts -> base units);
- :mod:`adapters.okx.market_data` and :mod:`adapters.okx.execution`: public and signed
  calls; :mod:`adapters.okx.orders`: the order body, checked before sending;
- :mod:`adapters.okx.factory`: :class:`OkxClient` and the factory ``create``.
"""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.okx.config import OkxConfig
    from adapters.okx.factory import OkxClient

_LAZY = {"OkxClient": "adapters.okx.factory", "OkxConfig": "adapters.okx.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["OkxClient", "OkxConfig"]
