"""Aster futures market stream: all symbols' funding and mark over one connection.

asterdex api-docs ``aster-finance-futures-api-v3.md`` "Websocket Market Streams" (@ 265e024):
base ``wss://fstream.asterdex.com``, raw streams at ``/ws/<streamName>`` (named in the URL:
no subscribe message), ``!markPrice@arr`` pushes every symbol's ``markPriceUpdate``
every 3 s (``@1s``: every second). The server pings every 5 minutes and drops a connection
that has not answered within 15 minutes (the protocol layer answers; unsolicited pongs
are allowed); a connection lives at most 24 h (the feed reconnects); at most 10 incoming
messages per second, which a URL-named stream never approaches. Testnet:
``wss://fstream.asterdex-testnet.com`` (research notes F; set ``ws_url``).

The payload is Binance's ("Mark Price Stream for All market": ``e, E, s, p, i, P, r, T``),
so Binance's pure frame decoder reads it; ``r`` is the live rate of
``premiumIndex.lastFundingRate`` for the symbol's own interval (``fundingInfo``), which the
stream runner takes from the instrument's :class:`~atomic_fp.models.Market`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from adapters.binance.stream_parsing import decode_mark_price_frame
from adapters.streams.types import Decoded

DEFAULT_STREAM_URL = "wss://fstream.asterdex.com/ws/!markPrice@arr"


@attrs.frozen
class AsterMarkPriceWire:
    venue: str = "aster"
    url: str = DEFAULT_STREAM_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return []  # the URL names the stream

    def heartbeat(self) -> object | None:
        return None  # a websocket ping (Aster allows unsolicited pongs; it pings every 5 min)

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_mark_price_frame(message, received_at)


__all__ = ["DEFAULT_STREAM_URL", "AsterMarkPriceWire"]
