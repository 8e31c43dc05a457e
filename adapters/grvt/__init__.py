"""GRVT perpetuals: market data, API-key session and EIP-712 signed orders.

Three hosts, each configurable: market data (public), auth ("edge", API-key login) and
trading (cookie + ``X-Grvt-Account-Id``). Modules: :mod:`.parsers` (pure JSON -> models),
:mod:`.signing` (EIP-712 order typed data; ``eth-account`` imported lazily, it is the
``grvt`` extra), :mod:`.auth` (login session), :mod:`.client` (the ``VenueClient``).
"""

from typing import TYPE_CHECKING

from adapters._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from adapters.grvt.config import GrvtConfig
    from adapters.grvt.factory import GrvtClient

_LAZY = {"GrvtClient": "adapters.grvt.factory", "GrvtConfig": "adapters.grvt.config"}
"""Imported on first use (PEP 562), so that importing one of this package's modules (its
market data, for a scan) does not import the whole client (issue 20)."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = ["GrvtClient", "GrvtConfig"]
