"""Lighter (zkLighter) perps: REST market data and account, ``market_stats`` websocket,
transactions signed by lighter-sdk's native signer (optional extra ``lighter``).

Entry point: :func:`adapters.lighter.factory.create` (registered as venue kind ``lighter``).
"""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.lighter.config import LighterConfig
    from adapters.lighter.factory import LighterClient

_LAZY = {"LighterClient": "adapters.lighter.factory", "LighterConfig": "adapters.lighter.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["LighterClient", "LighterConfig"]
