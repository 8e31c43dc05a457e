"""GRVT perpetuals: market data, API-key session and EIP-712 signed orders.

Three hosts, each configurable: market data (public), auth ("edge", API-key login) and
trading (cookie + ``X-Grvt-Account-Id``). Modules: :mod:`.parsers` (pure JSON -> models),
:mod:`.signing` (EIP-712 order typed data; ``eth-account`` imported lazily, it is the
``grvt`` extra), :mod:`.auth` (login session), :mod:`.client` (the ``VenueClient``).
"""

from adapters.grvt.config import GrvtConfig
from adapters.grvt.factory import GrvtClient

__all__ = ["GrvtClient", "GrvtConfig"]
