"""Binance USDⓈ-M futures adapter (REST; HMAC-SHA256 signed trading endpoints).

- :mod:`adapters.binance.parsers`: pure functions, venue JSON -> models (``Result``).
- :mod:`adapters.binance.signing`: query-string signing and credential handling.
- :mod:`adapters.binance.weights`: the request-weight budget (token buckets).
- :mod:`adapters.binance.client`: :class:`~adapters.binance.client.BinanceClient`, the
  :class:`~atomic_fp.venue.VenueClient` implementation, built by ``create(settings)``.
"""

from adapters.binance.client import BinanceClient
from adapters.binance.config import BinanceConfig

__all__ = ["BinanceClient", "BinanceConfig"]
