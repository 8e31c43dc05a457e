"""The ccxt venue client: ccxt's unified async API declared on the venue kit
(:class:`~adapters.kit.components.DeclaredVenue`) from three parts: ``market_data.py``
(markets, funding with known intervals only, never 8 h by default, the book),
``account.py`` (positions, balances, margin, funding payments) and ``execution.py`` (orders by our
client id).

``create(settings)`` imports ``ccxt.async_support`` (only here: the registry loads this
module when a ``kind = "ccxt"`` venue is built) and builds the exchange named by
``options["exchange"]`` (``exchange = "<ccxt id>"`` in the TOML). ``base_url`` replaces
the scheme and host of every entry of ccxt's ``urls['api']`` (a string or a nested dict of
strings, per ccxt's ``Exchange.sign``: ``implode_hostname(self.urls['api'][...]) + path``),
so tests serve the venue's wire format from 127.0.0.1.

Capabilities: ccxt's ``has`` map (:func:`~adapters.ccxt_venue.parsing.capabilities`)
intersected with what the declared parts derive (account and orders only with an
``api_key`` and a ``secret``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from adapters.ccxt_venue.account import CcxtAccount
from adapters.ccxt_venue.execution import CcxtExecution
from adapters.ccxt_venue.market_data import CcxtMarketData
from adapters.ccxt_venue.parsing import capabilities
from adapters.kit import MarginFacade
from adapters.kit.components import DeclaredVenue, Secrets, VenueParts
from adapters.registry import VenueSettings
from atomic_fp.venue import Capability


def point_urls_at(urls: Any, base_url: str) -> Any:
    """``urls`` (ccxt's ``urls['api']``: a string or nested dicts of strings) with every
    URL's scheme and host replaced by ``base_url``'s (the path after the host is kept)."""
    if isinstance(urls, str):
        path = urlsplit(urls.replace("{hostname}", "host")).path
        return base_url.rstrip("/") + path.rstrip("/")
    if isinstance(urls, dict):
        return {key: point_urls_at(value, base_url) for key, value in urls.items()}
    return urls


class CcxtVenue(DeclaredVenue, MarginFacade):
    """One account on one ccxt exchange (``exchange``: ccxt's async object)."""

    CREDENTIALS_HINT = "credentials api_key and secret (and password where the venue has one)"

    def __init__(self, settings: VenueSettings, exchange: Any) -> None:
        self._ccxt = exchange
        self._given = tuple(v for v in settings.credentials.values() if v)
        keyed = settings.credentials.get("api_key") and settings.credentials.get("secret")
        data = CcxtMarketData(settings, exchange)
        account, execution = CcxtAccount(data, exchange), CcxtExecution(data, exchange)
        secrets = Secrets(self._given) if keyed else None
        url = settings.base_url or settings.options.get("exchange", "ccxt")
        super().__init__(settings, VenueParts(data, data, url, account, execution, None, secrets))

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities(self._ccxt.has) & super().capabilities

    def _secrets(self) -> Sequence[str]:
        """Every credential given, even an incomplete set (never shown either way)."""
        return self._given


def create(settings: VenueSettings) -> CcxtVenue:
    """The client for ``settings``; ``ValueError`` naming the problem when ``exchange`` is
    missing or not a ccxt id (the registry turns it into a failure naming the venue)."""
    try:
        ccxt_async: Any = importlib.import_module("ccxt.async_support")
    except ImportError:
        raise ValueError(
            "kind \"ccxt\" needs the ccxt library: pip install 'atomic-fp[ccxt]'"
        ) from None
    exchange_id = settings.options.get("exchange")
    if not exchange_id:
        raise ValueError('kind "ccxt" needs exchange = "<ccxt id>" (e.g. "bitget")')
    if exchange_id not in ccxt_async.exchanges:
        raise ValueError(f"exchange {exchange_id!r} is not an exchange ccxt knows")
    config: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": int(settings.timeout * 1000),
        "options": {"defaultType": "swap"},
    }
    for ours, theirs in (("api_key", "apiKey"), ("secret", "secret"), ("password", "password")):
        if settings.credentials.get(ours):
            config[theirs] = settings.credentials[ours]
    exchange = getattr(ccxt_async, exchange_id)(config)
    if settings.base_url:
        exchange.urls["api"] = point_urls_at(exchange.urls["api"], settings.base_url)
    return CcxtVenue(settings, exchange)


__all__ = ["CcxtVenue", "create", "point_urls_at"]
