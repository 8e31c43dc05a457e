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

from adapters.okx.config import OkxConfig
from adapters.okx.factory import OkxClient

__all__ = ["OkxClient", "OkxConfig"]
