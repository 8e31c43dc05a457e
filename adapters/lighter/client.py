"""Where :class:`LighterClient` used to live: the names it exported, re-exported.

The client is split the way the venue kit splits every venue (``adapters/kit``): settings
:mod:`.config`, transport and auth :mod:`.http`, pure parsing :mod:`.parsers`, order
encoding :mod:`.orders`, :mod:`.market_data`, :mod:`.account`, :mod:`.execution`, and the
client class with its factory :mod:`.factory` (registered as venue kind ``lighter``).
"""

from adapters.lighter.config import DEFAULT_BASE_URL
from adapters.lighter.factory import LighterClient, create
from adapters.lighter.orders import CLIENT_ORDER_INDEX_MAX, build_create_order, client_order_index

__all__ = [
    "CLIENT_ORDER_INDEX_MAX",
    "DEFAULT_BASE_URL",
    "LighterClient",
    "build_create_order",
    "client_order_index",
    "create",
]
