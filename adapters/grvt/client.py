"""Where :class:`GrvtClient` used to live: the names it exported, re-exported.

The client is split the way the venue kit splits every venue (``adapters/kit``): settings
and hosts :mod:`.config`, transport, session and error codes :mod:`.http` (login
:mod:`.auth`), pure parsing :mod:`.parsers`, :mod:`.market_data` (instrument list on the
kit's TTL cache, optionally shared on disk by :mod:`.cache`), :mod:`.account`,
:mod:`.execution` (orders and their validity windows), and the client class with its
factory :mod:`.factory` (registered as venue kind ``grvt``).
"""

from adapters.grvt.config import HOSTS
from adapters.grvt.execution import venue_client_id
from adapters.grvt.factory import GrvtClient, create
from adapters.grvt.http import classify
from adapters.grvt.market_data import BOOK_DEPTHS, HISTORY_PAGE_LIMIT, MAX_PAGES

__all__ = [
    "BOOK_DEPTHS",
    "HISTORY_PAGE_LIMIT",
    "HOSTS",
    "MAX_PAGES",
    "GrvtClient",
    "classify",
    "create",
    "venue_client_id",
]
